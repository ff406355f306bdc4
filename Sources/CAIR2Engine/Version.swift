/// The tool's name and version, as written into summaries and manifests. This is the one place the version is
/// written: `cair2 --version` and scripts/package (the .deb's Version, the file names) read it from here; keep the
/// `version` line in this form (VersionTests, docs/RELEASING.md).
public enum CAIR2Version {
    /// The tool's name, `cair2`.
    public static let tool = "cair2"
    /// The version, `MAJOR.MINOR.PATCH`.
    public static let version = "0.1.0"
}
