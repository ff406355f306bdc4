import CAIR2Kit
import CAIR2Core
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// `--progress`: when to draw the live progress line on standard error.
public enum ProgressMode: String, CaseIterable, Sendable {
    /// Only when standard error is a terminal.
    case auto
    /// Always: a redrawn line on a terminal, a plain line per second otherwise (for logs).
    case always
    /// Never.
    case never
}

/// The live progress line of `cair2 convert` on standard error.
///
/// It shows counts and rates only (bytes and records done, records/s, ETA for an input whose size is known);
/// never a field value. On a terminal the line is redrawn in place (`\r`, erase to end of line) at most
/// ten times a second; `clear()` erases it before the closing summary. When `--progress always` writes to
/// something that is not a terminal, each update is a plain line, at most one a second, so a log stays
/// readable.
public final class ProgressLine: @unchecked Sendable {
    // Invariant for @unchecked Sendable: every mutable property is read and written under `lock`. The engine
    // calls `update` on its merging thread; `message` and `clear` come from the caller's thread.
    private let lock = ConditionLock()
    private let enabled: Bool
    private let isTerminal: Bool
    private let interval: Double
    private let output: @Sendable (String) -> Void
    private let now: @Sendable () -> Double
    private let width: Int
    private var drawn = false
    private var lastDraw = -Double.infinity
    private var currentInput: String?
    private var inputStarted = 0.0
    private var lastEvent: Double

    /// - Parameters:
    ///   - enabled: false draws nothing (and `message` still writes).
    ///   - isTerminal: redraw in place (true) or print whole lines (false).
    ///   - interval: least seconds between two draws (default: 0.1 on a terminal, 1 otherwise).
    ///   - width: the terminal's columns; the line is cut to fit.
    ///   - write: where text goes (default: standard error).
    ///   - now: a monotonic clock in seconds (tests pass their own).
    public init(enabled: Bool, isTerminal: Bool, interval: Double? = nil, width: Int = 80,
                write: @escaping @Sendable (String) -> Void = ProgressLine.writeStandardError,
                now: @escaping @Sendable () -> Double = ProgressLine.monotonicSeconds) {
        self.enabled = enabled
        self.isTerminal = isTerminal
        self.interval = interval ?? (isTerminal ? 0.1 : 1.0)
        self.width = max(20, width)
        self.output = write
        self.now = now
        lastEvent = now()
    }

    /// The line for a run: `mode` decides, `quiet` (`-q`) and `--json` silence it.
    public static func forStandardError(mode: ProgressMode, quiet: Bool) -> ProgressLine {
        let tty = isatty(2) == 1
        let enabled: Bool
        switch mode {
        case .never: enabled = false
        case .auto: enabled = tty && !quiet
        case .always: enabled = !quiet
        }
        return ProgressLine(enabled: enabled, isTerminal: tty, width: terminalColumns())
    }

    /// The engine's callback (`ConvertOptions.progress`).
    public var callback: @Sendable (ConvertProgress) -> Void {
        { [self] p in update(p) }
    }

    /// Draws `p` unless the last draw was less than `interval` ago (a new input always draws).
    public func update(_ p: ConvertProgress) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let t = now()
        defer { lastEvent = t }
        let newInput = p.input != currentInput
        if newInput {
            // The first event of an input comes after its first chunk: time it from the previous event (or
            // from when the line was made), not from now.
            currentInput = p.input
            inputStarted = lastEvent
        }
        guard newInput || p.finished || t - lastDraw >= interval else { return }
        lastDraw = t
        if isTerminal {
            let text = ProgressLine.format(p, elapsed: t - inputStarted, width: width - 1)
            output("\r" + text + "\u{1B}[K")
            drawn = true
        } else {
            output(ProgressLine.format(p, elapsed: t - inputStarted) + "\n")
        }
    }

    /// Erases the line (on a terminal) so that what follows starts on a clean line.
    public func clear() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { output("\r\u{1B}[K") }
        drawn = false
    }

    /// Writes a message line without mangling the progress line (it is redrawn at the next update).
    public func message(_ s: String) {
        lock.lock()
        defer { lock.unlock() }
        if drawn { output("\r\u{1B}[K") }
        drawn = false
        lastDraw = -Double.infinity
        output(s.hasSuffix("\n") ? s : s + "\n")
    }

    /// The text of one progress line: input, kind, percent and bytes of the known total, records, rejected and
    /// excluded so far, records/s and, when the total is known, the estimated time left for this input. Counts
    /// only. To fit `width`, the least useful parts go first: the input's folders (its file name stays), the
    /// rejected/excluded counts, the byte counts, the record count, the kind; the rate and the time left go last.
    public static func format(_ p: ConvertProgress, elapsed: Double, width: Int = Int.max) -> String {
        let name = p.input.split(separator: "/", omittingEmptySubsequences: true).last.map(String.init) ?? p.input
        let kind = " (\(p.kind.rawValue))"
        var pct = ""
        var byteText = ProgressLine.bytes(p.bytesDone)
        if p.bytesTotal > 0 {
            pct = "\(min(100, Int((Double(p.bytesDone) / Double(p.bytesTotal) * 100).rounded(.down))))%"
            byteText = "\(ProgressLine.bytes(p.bytesDone)) of \(ProgressLine.bytes(p.bytesTotal))"
        }
        let recordText = "\(grouped(p.records)) records"
        let droppedText = p.rejected + p.excluded > 0
            ? " (\(grouped(p.rejected)) rejected, \(grouped(p.excluded)) excluded)" : ""
        var rateText = "", etaText = ""
        if elapsed > 0.05 {
            rateText = "\(grouped(Int(Double(p.records) / elapsed))) rec/s"
            if p.bytesTotal > 0 && p.bytesDone > 0 && p.bytesDone < p.bytesTotal {
                let left = Double(p.bytesTotal - p.bytesDone) / (Double(p.bytesDone) / elapsed)
                etaText = "ETA \(duration(left))"
            }
        }
        // `head: pct bytes, records (rejected, excluded), rate, ETA`, leaving out what is empty or not asked for.
        func line(_ head: String, bytes: Bool = true, records: Bool = true, dropped: Bool = true, rate: Bool = true) -> String {
            let first = [pct, bytes ? byteText : ""].filter { !$0.isEmpty }.joined(separator: " ")
            let parts = [first, records ? recordText + (dropped ? droppedText : "") : "", rate ? rateText : "", etaText]
            return head + ": " + parts.filter { !$0.isEmpty }.joined(separator: ", ")
        }
        let candidates = [
            line(p.input + kind),
            line(name + kind),
            line(name + kind, dropped: false),
            line(name + kind, bytes: false, dropped: false),
            line(name + kind, bytes: false, records: false),
            line(name, bytes: false, records: false),
            line(name, bytes: false, records: false, rate: false),
        ]
        return candidates.first { $0.count <= width } ?? fit(candidates[candidates.count - 1], width)
    }

    /// Cuts `s` to `n` characters (a terminal line that wraps cannot be redrawn in place).
    static func fit(_ s: String, _ n: Int) -> String {
        s.count <= n ? s : String(s.prefix(max(0, n - 1))) + "~"
    }

    /// `1,234,567`.
    public static func grouped(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, ch) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return (n < 0 ? "-" : "") + out
    }

    /// Bytes in binary units: `512 B`, `3.4 KiB`, `12.0 MiB`, `1.25 GiB`.
    public static func bytes(_ n: Int) -> String {
        let d = Double(n)
        if n < 1024 { return "\(n) B" }
        if d < 1024 * 1024 { return String(printf: "%.1f KiB", d / 1024) }
        if d < 1024 * 1024 * 1024 { return String(printf: "%.1f MiB", d / 1024 / 1024) }
        return String(printf: "%.2f GiB", d / 1024 / 1024 / 1024)
    }

    /// `0:07`, `12:34`, `1:02:03`.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let t = Int(seconds.rounded(.up))
        let h = t / 3600, m = (t % 3600) / 60, sec = t % 60
        let ss = sec < 10 ? "0\(sec)" : "\(sec)"
        if h > 0 { return "\(h):\(m < 10 ? "0" : "")\(m):\(ss)" }
        return "\(m):\(ss)"
    }

    /// Writes to file descriptor 2.
    public static let writeStandardError: @Sendable (String) -> Void = { s in
        let bytes = Array(s.utf8)
        try? bytes.withUnsafeBytes { try FileDescriptor(rawValue: STDERR_FILENO, path: "standard error").writeAll($0) }
    }

    /// Seconds on a monotonic clock.
    public static let monotonicSeconds: @Sendable () -> Double = {
        Double(DispatchTime.now().uptimeNanoseconds) / 1e9
    }

    /// The terminal's width: `COLUMNS`, else the window size of standard error, else 80.
    static func terminalColumns() -> Int {
        if let c = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(c), n > 0 { return n }
        var ws = winsize()
        if ioctl(2, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { return Int(ws.ws_col) }
        return 80
    }
}
