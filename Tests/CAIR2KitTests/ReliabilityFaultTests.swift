import Foundation
import Glibc
import Testing

/// Bad days for the real `cair2 convert` (docs/RELIABILITY.md, "atomic publication"): the disk fills up, the
/// input shrinks under the mapping, a signal arrives, an input cannot be read or the output directory cannot be
/// written. Each run must end with its documented exit status, publish nothing, leave the previous outputs
/// byte-identical and leave no temporary file behind. Serialized: the runs are large and timed.
@Suite(.serialized) struct ReliabilityFaultTests {
    /// A previous good run's outputs in `out`, returned as a snapshot.
    static func previousRun(in work: URL, out: String) throws -> [String: Data] {
        try Rel.writePatients(work.appendingPathComponent("small.csv"), count: 20)
        let r = try Rel.run(["convert", "--patients", "small.csv", "--out-dir", out] + Rel.common, cwd: work)
        #expect(r.status == 0, "the previous run failed: \(r.stderr)")
        let snap = Rel.snapshot(work.appendingPathComponent(out))
        #expect(snap["patient.txt"]?.count == 20 * 878)
        return snap
    }

    /// Checks the failed run left `out` exactly as `before` and no temporary file.
    static func expectUntouched(_ work: URL, out: String, before: [String: Data], _ what: String) {
        let dir = work.appendingPathComponent(out)
        let after = Rel.snapshot(dir)
        #expect(Rel.temporaryFiles(dir).isEmpty, "\(what): temporary files left: \(Rel.temporaryFiles(dir))")
        #expect(after.keys.sorted() == before.keys.sorted(), "\(what): files changed: \(after.keys.sorted())")
        for (name, data) in before { #expect(after[name] == data, "\(what): \(name) changed") }
    }

    // MARK: disk full

    @Test func diskFullOnASmallTmpfs() throws {
        let work = try Rel.workDir("diskfull")
        defer { try? FileManager.default.removeItem(at: work) }
        let mnt = work.appendingPathComponent("mnt")
        try FileManager.default.createDirectory(at: mnt, withIntermediateDirectories: true)
        guard Rel.isRoot, Rel.system("/bin/mount", ["-t", "tmpfs", "-o", "size=1m,mode=0700", "tmpfs", mnt.path]) == 0 else {
            print("note: diskFullOnASmallTmpfs skipped: mounting a tmpfs needs root (diskFullByFileSizeLimit still runs)")
            return
        }
        defer { Rel.system("/bin/umount", ["-l", mnt.path]) }
        let before = try Self.previousRun(in: work, out: "mnt/out")
        // 5,000 patients make 4.4 MB of output: the 1 MiB file system fills up in the middle of patient.txt.
        try Rel.writePatients(work.appendingPathComponent("big.csv"), count: 5_000)
        let r = try Rel.run(["convert", "--patients", "big.csv", "--out-dir", "mnt/out"] + Rel.common, cwd: work)
        #expect(r.status == 3, "disk full must be exit 3, got \(r.status): \(r.stderr)")
        #expect(r.signal == nil)
        #expect(r.stderr.contains("No space left"), "the message should say why: \(r.stderr)")
        Self.expectUntouched(work, out: "mnt/out", before: before, "disk full, previous outputs")
        // Into a fresh directory: nothing at all under a final name.
        let r2 = try Rel.run(["convert", "--patients", "big.csv", "--out-dir", "mnt/fresh"] + Rel.common, cwd: work)
        #expect(r2.status == 3)
        Self.expectUntouched(work, out: "mnt/fresh", before: [:], "disk full, fresh directory")
        // And the space is given back: a small run still fits.
        let r3 = try Rel.run(["convert", "--patients", "small.csv", "--out-dir", "mnt/fresh"] + Rel.common, cwd: work)
        #expect(r3.status == 0, "temporary files must not keep the disk full: \(r3.stderr)")
    }

    /// The same fault without root: RLIMIT_FSIZE makes write(2) fail with EFBIG past 1 MiB (SIGXFSZ ignored, as
    /// a scheduler might), which convert must treat like a full disk.
    @Test func diskFullByFileSizeLimit() throws {
        let work = try Rel.workDir("fsize")
        defer { try? FileManager.default.removeItem(at: work) }
        let before = try Self.previousRun(in: work, out: "out")
        try Rel.writePatients(work.appendingPathComponent("big.csv"), count: 5_000)
        let r = try Rel.run(["convert", "--patients", "big.csv", "--out-dir", "out"] + Rel.common, cwd: work,
                            shell: "trap '' XFSZ; ulimit -f 2048")
        #expect(r.status == 3, "a failed write must be exit 3, got \(r.status): \(r.stderr)")
        #expect(r.signal == nil)
        #expect(!r.stderr.isEmpty)
        Self.expectUntouched(work, out: "out", before: before, "file size limit")
    }

    // MARK: input changed while mapped

    @Test func inputTruncatedWhileMapped() throws {
        let work = try Rel.workDir("truncate")
        defer { try? FileManager.default.removeItem(at: work) }
        let input = work.appendingPathComponent("big.csv")
        var count = 100_000
        // Retry-tolerant: if the run finishes before the truncation lands, try again with a bigger input.
        for attempt in 1...4 {
            try Rel.writePatients(input, count: count)
            let size = (try FileManager.default.attributesOfItem(atPath: input.path)[.size] as? Int) ?? 0
            let outDir = work.appendingPathComponent("out\(attempt)")
            let child = try Rel.Child(["convert", "--patients", "big.csv", "--out-dir", outDir.lastPathComponent,
                                       "--threads", "2"] + Rel.common, cwd: work)
            // Truncate as soon as the input is mapped (and so is being read).
            _ = Rel.waitUntil(seconds: 20) { Rel.hasMapped(child.pid, input.path) || !child.process.isRunning }
            #expect(truncate(input.path, off_t(size / 3)) == 0)
            let r = child.wait()
            if r.status == 0 {
                print("note: inputTruncatedWhileMapped: attempt \(attempt) finished first; retrying bigger")
                count *= 2
                continue
            }
            #expect(r.signal == nil, "killed by signal \(r.signal ?? 0) (SIGBUS must be caught)")
            #expect(r.status == 3, "a shrunken input must be exit 3, got \(r.status): \(r.stderr)")
            #expect(r.stderr.contains("changed while being read"), "unclear message: \(r.stderr)")
            Self.expectUntouched(work, out: outDir.lastPathComponent, before: [:], "truncated input")
            return
        }
        Issue.record("every run finished before the input could be truncated")
    }

    // MARK: signals

    func interrupted(by sig: Int32, expecting status: Int32) throws {
        let work = try Rel.workDir("signal\(sig)")
        defer { try? FileManager.default.removeItem(at: work) }
        let before = try Self.previousRun(in: work, out: "out")
        var count = 100_000
        for _ in 1...4 {
            try Rel.writePatients(work.appendingPathComponent("big.csv"), count: count)
            let outDir = work.appendingPathComponent("out")
            let child = try Rel.Child(["convert", "--patients", "big.csv", "--out-dir", "out", "--threads", "2"]
                                      + Rel.common, cwd: work)
            // Mid-run: the input is mapped and the temporary outputs exist.
            _ = Rel.waitUntil(seconds: 20) {
                (Rel.hasMapped(child.pid, "big.csv")
                    && (!Rel.temporaryFiles(outDir).isEmpty || Rel.hasUnnamedTemporary(child.pid))) || !child.process.isRunning
            }
            kill(child.pid, sig)
            let r = child.wait()
            if r.status == 0 {
                print("note: signal \(sig): the run finished first; retrying bigger")
                // Finished first: put the previous outputs back and try a bigger input.
                for (name, data) in before { try data.write(to: outDir.appendingPathComponent(name)) }
                count *= 2
                continue
            }
            #expect(r.signal == nil, "convert must handle signal \(sig), not die of it")
            #expect(r.status == status, "signal \(sig): exit \(r.status), expected \(status): \(r.stderr)")
            Self.expectUntouched(work, out: "out", before: before, "signal \(sig)")
            return
        }
        Issue.record("every run finished before the signal")
    }

    @Test func sigintMidRun() throws { try interrupted(by: SIGINT, expecting: 130) }
    @Test func sigtermMidRun() throws { try interrupted(by: SIGTERM, expecting: 143) }
    @Test func sighupMidRun() throws { try interrupted(by: SIGHUP, expecting: 129) }

    // MARK: cannot start

    /// Exit 2 before any work: no output directory contents, a message naming the problem.
    static func expectCannotStart(_ r: Rel.Result, _ work: URL, out: String, _ what: String) {
        #expect(r.status == 2, "\(what): exit \(r.status), expected 2: \(r.stderr)")
        #expect(!r.stderr.isEmpty, "\(what): no message")
        #expect(Rel.snapshot(work.appendingPathComponent(out)).isEmpty, "\(what): something was written")
        #expect(Rel.temporaryFiles(work.appendingPathComponent(out)).isEmpty)
    }

    @Test func missingAndUnreadableInputs() throws {
        let work = try Rel.workDir("unreadable")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 3)
        var r = try Rel.run(["convert", "--patients", "nope.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        Self.expectCannotStart(r, work, out: "out", "missing input")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("adir.csv"), withIntermediateDirectories: true)
        r = try Rel.run(["convert", "--patients", "adir.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        Self.expectCannotStart(r, work, out: "out", "input is a directory")
        // A valid patient file but an unreadable immunization file: nothing may be written for the patients.
        try "record_id,cvx_code,vaccination_date,manufacturer\n".write(
            to: work.appendingPathComponent("imm.csv"), atomically: false, encoding: .utf8)
        chmod(work.appendingPathComponent("imm.csv").path, 0o000)
        chmod(work.path, 0o777)
        chmod(work.appendingPathComponent("p.csv").path, 0o644)
        // Root reads anything: run as nobody so the permission applies.
        let prefix = Rel.isRoot ? Rel.asNobody : []
        r = try Rel.run(["convert", "--patients", "p.csv", "--immunizations", "imm.csv", "--out-dir", "out"] + Rel.common,
                        cwd: work, prefix: prefix)
        Self.expectCannotStart(r, work, out: "out", "unreadable input")
        #expect(r.stderr.contains("imm.csv"), "the message should name the file: \(r.stderr)")
    }

    @Test func outputDirectoryCannotBeWritten() throws {
        let work = try Rel.workDir("unwritable")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 3)
        // The output "directory" is a regular file.
        try "x".write(to: work.appendingPathComponent("afile"), atomically: false, encoding: .utf8)
        var r = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "afile"] + Rel.common, cwd: work)
        #expect(r.status == 2, "out-dir is a file: exit \(r.status): \(r.stderr)")
        #expect(!r.stderr.isEmpty)
        #expect(try String(contentsOf: work.appendingPathComponent("afile"), encoding: .utf8) == "x")
        // A directory without write permission (as nobody when root).
        let ro = work.appendingPathComponent("ro")
        try FileManager.default.createDirectory(at: ro, withIntermediateDirectories: true)
        chmod(work.path, 0o755)
        chmod(work.appendingPathComponent("p.csv").path, 0o644)
        chmod(ro.path, 0o555)
        let prefix = Rel.isRoot ? Rel.asNobody : []
        r = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "ro"] + Rel.common, cwd: work, prefix: prefix)
        #expect(r.status == 2, "read-only out-dir: exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("ro"), "the message should name the directory: \(r.stderr)")
        #expect(Rel.snapshot(ro).isEmpty)
        // Under a read-only directory, the output directory cannot be created.
        r = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "ro/sub"] + Rel.common, cwd: work, prefix: prefix)
        #expect(r.status == 2, "uncreatable out-dir: exit \(r.status): \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: ro.appendingPathComponent("sub").path))
    }
}
