#if canImport(Glibc)
import Glibc
#endif

/// `--file-mode`: the permissions of the files a command publishes (convert, decode -o, generate, archive).
///
/// 0600 is the default (PRODUCT.md section 4: outputs hold PHI). A plan whose uploader runs as another user may
/// widen it to a group or others that read (0640, 0644) or a group that also writes (0660, 0664); the owner always
/// reads and writes, nobody executes, and others never write. Directories a run creates get the matching
/// search bits (0640 -> 0750), so the group can reach the files.
public enum FileMode {
    /// The default mode of every output file.
    public static let standard: mode_t = 0o600

    /// The modes `--file-mode` accepts.
    public static let allowed: [mode_t] = [0o600, 0o640, 0o644, 0o660, 0o664]

    /// Parses an octal mode (`0640` or `640`); nil for anything not in `allowed`.
    public static func parse(_ text: String) -> mode_t? {
        var digits = Substring(text)
        if digits.count == 4 && digits.first == "0" { digits = digits.dropFirst() }
        guard digits.count == 3, let value = UInt16(digits, radix: 8) else { return nil }
        let mode = mode_t(value)
        return allowed.contains(mode) ? mode : nil
    }

    /// `0640`.
    public static func text(_ mode: mode_t) -> String {
        let s = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }

    /// The mode of a directory created to hold files of `mode`: 0700 plus search for whoever may read.
    public static func directory(for mode: mode_t) -> mode_t {
        var d: mode_t = 0o700
        if mode & 0o040 != 0 { d |= 0o050 }
        if mode & 0o004 != 0 { d |= 0o005 }
        return d
    }
}
