/// The tool's name and version, as written into summaries and manifests.
public enum CAIR2Version {
    public static let tool = "cair2"
    public static let version = "0.1.0"
}
