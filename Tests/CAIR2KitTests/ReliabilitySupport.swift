import Foundation
import Glibc
import Testing

// Helpers for the reliability tests (docs/RELIABILITY.md): run the built `cair2` as a child process the way
// a scheduler would, write synthetic inputs, and look at an output directory.

enum Rel {
    /// The built binary (see GoldenTests.binary).
    static var binary: String { GoldenTests.binary }

    /// A fresh, empty working directory under the system's temporary directory.
    static func workDir(_ tag: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-rel-\(tag)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    struct Result {
        var status: Int32
        /// Set when the child died of a signal it did not handle (a crash, or a kill).
        var signal: Int32?
        var stdout: String
        var stderr: String
    }

    /// A running child; `wait()` collects its output.
    final class Child: @unchecked Sendable {
        let process = Process()
        private let outPipe = Pipe(), errPipe = Pipe()
        private var outData = Data(), errData = Data()
        private let group = DispatchGroup()

        /// `shell` runs first in a /bin/sh that then execs cair2 (same pid): umask, ulimit, trap.
        /// `prefix` runs the whole thing under another program (setpriv).
        init(_ args: [String], cwd: URL, shell: String? = nil, prefix: [String] = []) throws {
            var argv = prefix
            if let shell {
                argv += ["/bin/sh", "-c", "\(shell); exec \"$0\" \"$@\"", Rel.binary]
            } else {
                argv += [Rel.binary]
            }
            argv += args
            process.executableURL = URL(fileURLWithPath: argv[0])
            process.arguments = Array(argv.dropFirst())
            process.currentDirectoryURL = cwd
            var env = ProcessInfo.processInfo.environment
            env["SWIFT_BACKTRACE"] = "enable=no"
            process.environment = env
            process.standardOutput = outPipe
            process.standardError = errPipe
            group.enter(); group.enter()
            let o = outPipe.fileHandleForReading, e = errPipe.fileHandleForReading
            DispatchQueue.global().async { self.outData = o.readDataToEndOfFile(); self.group.leave() }
            DispatchQueue.global().async { self.errData = e.readDataToEndOfFile(); self.group.leave() }
            try process.run()
        }

        var pid: Int32 { process.processIdentifier }

        func wait() -> Result {
            process.waitUntilExit()
            group.wait()
            let signaled = process.terminationReason == .uncaughtSignal
            return Result(status: process.terminationStatus, signal: signaled ? process.terminationStatus : nil,
                          stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
        }
    }

    /// Runs `cair2 args...` in `cwd` to completion.
    static func run(_ args: [String], cwd: URL, shell: String? = nil, prefix: [String] = []) throws -> Result {
        try Child(args, cwd: cwd, shell: shell, prefix: prefix).wait()
    }

    /// Runs a system tool (mount, umount, chown); its exit status.
    @discardableResult
    static func system(_ path: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }

    /// Runs as the unprivileged user `nobody` (root only), so file permissions apply.
    static let asNobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]

    static let patientHeader = "record_id,first_name,last_name,birth_date,disclosed,disclosed_date,street_address,city\n"
    /// Arguments every synthetic patient run uses.
    static let common = ["--org", "ACMEHP", "--as-of", "2026-01-15", "-q"]

    /// Writes a valid patient extract of `count` records (each becomes one 878-byte output line).
    static func writePatients(_ url: URL, count: Int) throws {
        _ = FileManager.default.createFile(atPath: url.path, contents: nil)
        let h = try FileHandle(forWritingTo: url)
        defer { try? h.close() }
        // Byte-level, without string interpolation per row: the fault tests write hundreds of thousands of rows.
        var buf = [UInt8](patientHeader.utf8)
        buf.reserveCapacity(1 << 21)
        let middle = Array(",Ann,Smith,2000-01-02,Y,2020-01-01,".utf8), tail = Array(" Main Street,Sacramento\n".utf8)
        var digits = [UInt8](repeating: 0, count: 20)
        for i in 0..<count {
            var n = i, k = digits.count
            repeat { k -= 1; digits[k] = UInt8(0x30 + n % 10); n /= 10 } while n > 0
            buf.append(0x52)  // R
            buf.append(contentsOf: digits[k...])
            buf.append(contentsOf: middle)
            buf.append(contentsOf: digits[k...])
            buf.append(contentsOf: tail)
            if buf.count > 1 << 20 { h.write(Data(buf)); buf.removeAll(keepingCapacity: true) }
        }
        h.write(Data(buf))
    }

    /// Name -> bytes of every regular file in `dir` (recursively, relative names).
    static func snapshot(_ dir: URL) -> [String: Data] {
        var out: [String: Data] = [:]
        guard let e = FileManager.default.enumerator(atPath: dir.path) else { return out }
        for case let name as String in e {
            if name == ".cair2.lock" { continue }  // the folder's lock file: not part of the batch
            let p = dir.appendingPathComponent(name).path
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: p, isDirectory: &isDir), !isDir.boolValue {
                out[name] = FileManager.default.contents(atPath: p) ?? Data()
            }
        }
        return out
    }

    /// Temporary files left anywhere under `dir`: named temporaries are `.cair2-<random>.tmp` (unnamed ones,
    /// O_TMPFILE, have no name at all); no output the tool publishes is hidden, so any hidden file or `.tmp`
    /// name counts, except the folder's lock file `.cair2.lock`.
    static func temporaryFiles(_ dir: URL) -> [String] {
        let names = (FileManager.default.enumerator(atPath: dir.path)?.allObjects as? [String]) ?? []
        return names.filter {
            let base = ($0 as NSString).lastPathComponent
            return base != ".cair2.lock" && (base.hasPrefix(".") || base.contains(".tmp"))
        }
    }

    /// The mode bits of a file.
    static func mode(_ path: String) -> mode_t {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mode & 0o777 : 0o7777
    }

    /// Polls until `condition` holds or `seconds` pass; true when it held.
    static func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(2_000)
        }
        return condition()
    }

    /// Runs `cair2 args...` with posix_spawn and wait4, so the child's own peak resident set size is known
    /// (other tests' children do not count). Output goes to files in `cwd`.
    static func runMeasured(_ args: [String], cwd: URL) throws -> (result: Result, maxRSS: Int) {
        let outPath = cwd.appendingPathComponent("measured.stdout").path
        let errPath = cwd.appendingPathComponent("measured.stderr").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // GNU time forks and execs cair2 and writes its peak resident size. (wait4's ru_maxrss of a child
        // started by posix_spawn also counts the moments before exec, when it shared this big test process's
        // memory, so it cannot be used while other tests run.)
        let rssPath = cwd.appendingPathComponent("measured.rss").path
        let script = "cd \"$0\" && rss=\"$1\" && shift 1 && exec /usr/bin/time -f %M -o \"$rss\" \"$@\""
        let argv = ["/bin/sh", "-c", script, cwd.path, rssPath, binary] + args
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        var cenv: [UnsafeMutablePointer<CChar>?] = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in cenv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, "/bin/sh", &actions, nil, &cargs, &cenv)
        guard rc == 0 else { throw POSIXError(POSIXErrorCode(rawValue: rc) ?? .EIO) }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        let signaled = (status & 0x7F) != 0
        let code = signaled ? status & 0x7F : (status >> 8) & 0xFF
        let result = Result(status: code, signal: signaled ? code : nil,
                            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "",
                            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "")
        let text = (try? String(contentsOfFile: rssPath, encoding: .utf8)) ?? ""
        let kb = text.split(whereSeparator: \.isNewline).last.flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        return (result, (kb ?? usage.ru_maxrss) * 1024)
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// True when the binary under test is built with ASan or TSan: their shadow memory makes resident-size
    /// figures meaningless, so the memory bounds are checked only on a normal build.
    static let binaryIsSanitized: Bool = {
        guard let data = FileManager.default.contents(atPath: binary) else { return false }
        return data.range(of: Data("__tsan_init".utf8)) != nil || data.range(of: Data("__asan_init".utf8)) != nil
    }()

    /// Checks a peak resident size against its bound (not under sanitizers, see `binaryIsSanitized`).
    static func expectMemory(_ rss: Int, below limit: Int, _ what: String,
                             sourceLocation: SourceLocation = #_sourceLocation) {
        if binaryIsSanitized { return }
        #expect(rss < limit, "\(what): peak memory \(rss >> 20) MiB, bound \(limit >> 20) MiB", sourceLocation: sourceLocation)
    }

    /// True when process `pid` holds an unnamed temporary file (O_TMPFILE: `/proc/PID/fd/N` links to
    /// `DIR/#INODE (deleted)`).
    static func hasUnnamedTemporary(_ pid: Int32) -> Bool {
        let fdDir = "/proc/\(pid)/fd"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: fdDir)) ?? [] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: fdDir + "/" + name),
               target.contains("/#"), target.hasSuffix("(deleted)") { return true }
        }
        return false
    }

    /// True when process `pid` has `path` memory-mapped (Linux /proc/PID/maps).
    static func hasMapped(_ pid: Int32, _ path: String) -> Bool {
        guard let maps = try? String(contentsOfFile: "/proc/\(pid)/maps", encoding: .utf8) else { return false }
        return maps.contains(path)
    }
}
