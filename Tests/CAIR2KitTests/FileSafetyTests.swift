import CSupport
import Foundation
import Glibc
import Testing
@testable import CAIR2Kit

/// The file-safety rules of PRODUCT.md §4a and the "one batch per --out-dir" rule of §3c, on the real binary:
/// one atomic-output path for every writing command, the out-dir lock, no input overwritten, publication checked
/// before the first rename and not cut by a signal, stdout errors, overflowing options. Each test names the
/// finding of issue 16 / 17 it guards. Serialized: several runs are timed or signalled.
@Suite(.serialized) struct FileSafetyTests {
    static let asOf = ["--as-of", "2026-01-15"]

    /// A generated corpus (members, immunizations, comments) in `work/g`.
    static func corpus(_ work: URL, members: Int = 300) throws {
        let r = try Rel.run(["generate", "--members", String(members), "--out-dir", "g", "--seed", "5"] + asOf, cwd: work)
        #expect(r.status == 0, "generate: \(r.stderr)")
    }

    static func write(_ text: String, _ url: URL) throws {
        try Data(text.utf8).write(to: url)
    }

    static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFLNK
    }

    // MARK: 1. one atomic-output path; the registry and the descriptors grow with the batch

    /// Issue 16 #4: more than ~510 output files failed with "Too many open files" (a 512-slot registry). Here
    /// ~650 parts of patients and immunizations (~1,300 outputs open at once) under a soft descriptor limit of
    /// 1024, with unnamed temporaries and with named ones (which go through the registry).
    @Test(arguments: [false, true])
    func moreThanFiveHundredOutputFiles(named: Bool) throws {
        let work = try Rel.workDir("manyparts")
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.corpus(work, members: 1_300)
        let env = named ? "export CAIR2_NO_O_TMPFILE=1; " : ""
        let r = try Rel.run(["convert", "--patients", "g/members.csv", "--immunizations", "g/immunizations.csv",
                             "--max-records-per-file", "2", "--out-dir", "out", "--org", "ACMEHP", "-q"] + Self.asOf,
                            cwd: work, shell: env + "ulimit -Sn 1024")
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        let parts = try FileManager.default.contentsOfDirectory(atPath: work.appendingPathComponent("out").path)
            .filter { $0.hasPrefix("part-") }
        #expect(parts.count > 600, "\(parts.count) parts")
        #expect(Rel.temporaryFiles(work.appendingPathComponent("out")).isEmpty)
    }

    /// The registry itself grows past its first chunk (in a forked child: the registry is process-wide).
    @Test func registryGrowsWithoutACap() throws {
        let dir = try Rel.workDir("registry")
        defer { try? FileManager.default.removeItem(at: dir) }
        let paths = (0..<1_500).map { strdup(dir.path + "/.cair2-\($0).tmp")! }
        defer { paths.forEach { free($0) } }
        for p in paths { close(open(p, O_CREAT | O_WRONLY, 0o600)) }
        let pid = fork()
        if pid == 0 {
            cair2_tmp_forget_all()
            for p in paths where cair2_tmp_register(p) < 0 { _exit(81) }
            if cair2_tmp_live_count() != 1_500 { _exit(82) }
            _exit(cair2_tmp_unlink_all() == 1_500 ? 0 : 83)
        }
        precondition(pid > 0, "fork failed")
        #expect(IOTests.waitForChild(pid) == 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
    }

    /// Issue 16 #3: SIGKILL left named temporary files with member data. With O_TMPFILE nothing has a name
    /// until publication, so a kill mid-run leaves nothing, and the previous outputs are intact.
    @Test func sigkillMidRunLeavesNothing() throws {
        guard TemporaryFile.allowUnnamed else { print("note: no O_TMPFILE here"); return }
        let work = try Rel.workDir("kill9")
        defer { try? FileManager.default.removeItem(at: work) }
        let before = try ReliabilityFaultTests.previousRun(in: work, out: "out")
        try Rel.writePatients(work.appendingPathComponent("big.csv"), count: 200_000)
        let child = try Rel.Child(["convert", "--patients", "big.csv", "--out-dir", "out", "--threads", "1"] + Rel.common,
                                  cwd: work)
        let caught = Rel.waitUntil(seconds: 30) { Rel.hasUnnamedTemporary(child.pid) || !child.process.isRunning }
        kill(child.pid, SIGKILL)
        _ = child.wait()
        #expect(caught)
        ReliabilityFaultTests.expectUntouched(work, out: "out", before: before, "SIGKILL")
    }

    /// Issue 15 / 16 #9: decode -o, generate and archive were not cleaned on SIGTERM or SIGHUP. Each is
    /// interrupted while its (named, to be visible) temporary file exists.
    @Test(arguments: [SIGTERM, SIGHUP, SIGINT])
    func everyWritingCommandCleansUpOnSignals(sig: Int32) throws {
        let work = try Rel.workDir("sig-cmds")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 60_000)
        let c = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "batch"] + Rel.common, cwd: work)
        #expect(c.status == 0, "\(c.stderr)")
        let runs: [(args: [String], dir: String)] = [
            (["decode", "batch/patient.txt", "--kind", "patient", "-o", "dec/p.csv"], "dec"),
            (["generate", "--members", "400000", "--out-dir", "gen", "--threads", "1"] + Self.asOf, "gen"),
            (["archive", "batch", "-o", "arc/b.tar.zst", "--level", "19"], "arc"),
        ]
        for run in runs {
            let dir = work.appendingPathComponent(run.dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            let child = try Rel.Child(run.args, cwd: work, shell: "export CAIR2_NO_O_TMPFILE=1")
            let caught = Rel.waitUntil(seconds: 30) { !Rel.temporaryFiles(dir).isEmpty || !child.process.isRunning }
            kill(child.pid, sig)
            let r = child.wait()
            #expect(caught && r.status == 128 + sig, "\(run.args[0]): exit \(r.status) (signal \(sig)): \(r.stderr)")
            #expect(r.signal == nil)
            #expect(Rel.temporaryFiles(dir).isEmpty, "\(run.args[0]): left \(Rel.temporaryFiles(dir))")
            #expect(Rel.snapshot(dir).isEmpty, "\(run.args[0]): published \(Rel.snapshot(dir).keys.sorted())")
        }
    }

    /// Issue 16 #8: generate opened a predictable temporary name with O_TRUNC and followed a planted symlink
    /// (the shell's `$$` is cair2's pid after exec).
    @Test func generateDoesNotFollowAPlantedSymlink() throws {
        let work = try Rel.workDir("symlink")
        defer { try? FileManager.default.removeItem(at: work) }
        let victim = work.appendingPathComponent("victim.txt")
        try Self.write("precious\n", victim)
        try FileManager.default.createDirectory(at: work.appendingPathComponent("g"), withIntermediateDirectories: true)
        var plant = ""
        for f in ["members.csv", "immunizations.csv", "comments.csv", "query.csv", "expected-rejects.csv", "expected-warnings.csv"] {
            plant += "ln -s ../victim.txt g/\(f).tmp-$$; "
        }
        let r = try Rel.run(["generate", "--members", "50", "--out-dir", "g"] + Self.asOf, cwd: work, shell: plant + "true")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOf: victim, encoding: .utf8) == "precious\n")
        for f in ["members.csv", "expected-rejects.csv"] {
            #expect(!Self.isSymlink(work.appendingPathComponent("g/" + f).path), "\(f) was published as a symlink")
        }
    }

    // MARK: 2. the out-dir lock

    /// Issue 16 #5: two runs into one folder both exited 0. A run holding the lock (here: this test) makes
    /// convert and generate exit 2 at once, naming the folder, and touch nothing.
    @Test func secondRunIntoTheSameFolderIsExitTwo() throws {
        let work = try Rel.workDir("lock")
        defer { try? FileManager.default.removeItem(at: work) }
        let before = try ReliabilityFaultTests.previousRun(in: work, out: "out")
        let lockPath = work.appendingPathComponent("out/.cair2.lock").path
        // O_CLOEXEC: the children other tests spawn meanwhile must not inherit (and so keep) the lock.
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 10)
        let r = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        #expect(r.status == 2, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("out") && r.stderr.contains("another cair2 run"), "\(r.stderr)")
        ReliabilityFaultTests.expectUntouched(work, out: "out", before: before, "locked folder")
        let g = try Rel.run(["generate", "--members", "5", "--out-dir", "out"] + Self.asOf, cwd: work)
        #expect(g.status == 2, "generate: exit \(g.status): \(g.stderr)")
        let a = try Rel.run(["archive", "out", "-o", "b.tar.zst"], cwd: work)
        #expect(a.status == 2, "archive of a folder being written: exit \(a.status): \(a.stderr)")
        close(fd)
        let after = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        #expect(after.status == 0, "after the lock is released: \(after.stderr)")
    }

    /// A dead run's `.cair2-*` temporaries are removed by the next run holding the lock; the lock file and
    /// other hidden files are not.
    @Test func leftoversOfADeadRunAreRemoved() throws {
        let work = try Rel.workDir("leftovers")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 10)
        let out = work.appendingPathComponent("out")
        try FileManager.default.createDirectory(at: out, withIntermediateDirectories: true)
        for name in [".cair2-0123456789abcdef.tmp", ".cair2-4242-7.tmp", ".keep-me"] {
            try Self.write("PHI", out.appendingPathComponent(name))
        }
        let r = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: out.path).filter { $0.hasPrefix(".") }.sorted()
        #expect(names == [".cair2.lock", ".keep-me"])
    }

    // MARK: 3. no input overwritten

    /// Issue 16 #6: inputs were overwritten by outputs. Each case is exit 2 before any work, input intact.
    @Test func inputsAreNeverOverwritten() throws {
        let work = try Rel.workDir("inputs")
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.corpus(work)
        let fm = FileManager.default
        let members = try Data(contentsOf: work.appendingPathComponent("g/members.csv"))
        func expectRefused(_ args: [String], _ input: String, _ what: String) throws {
            let before = try Data(contentsOf: work.appendingPathComponent(input))
            let r = try Rel.run(args, cwd: work)
            #expect(r.status == 2, "\(what): exit \(r.status): \(r.stderr)")
            #expect(try Data(contentsOf: work.appendingPathComponent(input)) == before, "\(what): the input changed")
        }
        // An input in the quarantine folder it would be quarantined to.
        try fm.createDirectory(at: work.appendingPathComponent("d/quarantine"), withIntermediateDirectories: true)
        try members.write(to: work.appendingPathComponent("d/quarantine/members.csv"))
        try expectRefused(["convert", "--patients", "d/quarantine/members.csv", "--quarantine", "--out-dir", "d",
                           "--org", "ACMEHP", "-q"] + Self.asOf, "d/quarantine/members.csv", "quarantine over the input")
        // An input named like a report, inside the out-dir.
        try members.write(to: work.appendingPathComponent("d/summary.json"))
        try expectRefused(["convert", "--patients", "d/summary.json", "--out-dir", "d", "--org", "ACMEHP", "-q"] + Self.asOf,
                          "d/summary.json", "summary.json over the input")
        // An input inside an existing part folder, named like a part's output.
        try fm.createDirectory(at: work.appendingPathComponent("s/part-001"), withIntermediateDirectories: true)
        try members.write(to: work.appendingPathComponent("s/part-001/patient.txt"))
        try expectRefused(["convert", "--patients", "s/part-001/patient.txt", "--max-records-per-file", "10",
                           "--out-dir", "s", "--org", "ACMEHP", "-q"] + Self.asOf, "s/part-001/patient.txt", "part over the input")
        // Two inputs with the same file name under --quarantine.
        try fm.createDirectory(at: work.appendingPathComponent("a"), withIntermediateDirectories: true)
        try fm.createDirectory(at: work.appendingPathComponent("b"), withIntermediateDirectories: true)
        try members.write(to: work.appendingPathComponent("a/x.csv"))
        try fm.copyItem(at: work.appendingPathComponent("g/immunizations.csv"), to: work.appendingPathComponent("b/x.csv"))
        let q = try Rel.run(["convert", "--patients", "a/x.csv", "--immunizations", "b/x.csv", "--quarantine",
                             "--out-dir", "q", "--org", "ACMEHP", "-q"] + Self.asOf, cwd: work)
        #expect(q.status == 2 && q.stderr.contains("quarantine/x.csv"), "same quarantine name: \(q.status) \(q.stderr)")
        #expect(!fm.fileExists(atPath: work.appendingPathComponent("q/patient.txt").path))
        // decode p.txt -o p.txt
        let c = try Rel.run(["convert", "--patients", "g/members.csv", "--out-dir", "batch", "--org", "ACMEHP", "-q"] + Self.asOf,
                            cwd: work)
        #expect(c.status == 0)
        try expectRefused(["decode", "batch/patient.txt", "--kind", "patient", "-o", "batch/patient.txt"],
                          "batch/patient.txt", "decode -o over its input")
        // archive d -o d/patient.txt, even with --force
        try expectRefused(["archive", "batch", "-o", "batch/patient.txt"], "batch/patient.txt", "archive over a batch file")
        try expectRefused(["archive", "batch", "-o", "batch/patient.txt", "--force"], "batch/patient.txt",
                          "archive --force over a batch file")
    }

    // MARK: 4. publication

    /// Issue 16 #7: with one final name occupied by a directory, 5 of 6 files were replaced. Now every final
    /// name is checked first: exit 3, nothing replaced, no temporary left.
    @Test func aDirectoryInTheWayReplacesNothing() throws {
        let work = try Rel.workDir("inway")
        defer { try? FileManager.default.removeItem(at: work) }
        _ = try ReliabilityFaultTests.previousRun(in: work, out: "out")
        let out = work.appendingPathComponent("out")
        try FileManager.default.removeItem(at: out.appendingPathComponent("summary.json"))
        try FileManager.default.createDirectory(at: out.appendingPathComponent("summary.json"), withIntermediateDirectories: false)
        let before = Rel.snapshot(out)
        try Rel.writePatients(work.appendingPathComponent("p2.csv"), count: 30)
        let r = try Rel.run(["convert", "--patients", "p2.csv", "--out-dir", "out"] + Rel.common, cwd: work)
        #expect(r.status == 3, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("summary.json"), "\(r.stderr)")
        ReliabilityFaultTests.expectUntouched(work, out: "out", before: before, "directory in the way")
        // decode -o and archive -o onto a directory: exit 3 (or 2), nothing replaced.
        try FileManager.default.createDirectory(at: work.appendingPathComponent("dd"), withIntermediateDirectories: false)
        let d = try Rel.run(["decode", "out/patient.txt", "--kind", "patient", "-o", "dd"], cwd: work)
        #expect(d.status == 3, "decode -o onto a directory: \(d.status) \(d.stderr)")
        #expect(Rel.temporaryFiles(work).isEmpty)
    }

    /// Issue 16 #7: a SIGINT during the renames published everything and exited 130. Now a signal that arrives
    /// while the renames run is acted on after them: the batch is complete, the run says so and exits 0.
    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func signalDuringTheRenamesCompletesTheBatch(sig: Int32) throws {
        let work = try Rel.workDir("renames")
        defer { try? FileManager.default.removeItem(at: work) }
        let before = try ReliabilityFaultTests.previousRun(in: work, out: "out")
        try Rel.writePatients(work.appendingPathComponent("p2.csv"), count: 33)
        let patient = work.appendingPathComponent("out/patient.txt")
        let child = try Rel.Child(["convert", "--patients", "p2.csv", "--out-dir", "out", "--org", "ACMEHP",
                                   "--as-of", "2026-01-15"], cwd: work, shell: "export CAIR2_TEST_RENAME_DELAY_MS=300")
        // The first rename happened: patient.txt is the new one.
        let renaming = Rel.waitUntil(seconds: 30) {
            (try? Data(contentsOf: patient))?.count == 33 * 878 || !child.process.isRunning
        }
        kill(child.pid, sig)
        let r = child.wait()
        #expect(renaming)
        #expect(r.status == 0, "exit \(r.status): \(r.stderr)")
        #expect(r.stderr.contains("arrived while the batch was being published"), "\(r.stderr)")
        let after = Rel.snapshot(work.appendingPathComponent("out"))
        #expect(after["patient.txt"]?.count == 33 * 878)
        #expect(after["summary.json"] != before["summary.json"], "the batch must be complete")
        let doc = try? JSONSerialization.jsonObject(with: after["summary.json"] ?? Data()) as? [String: Any]
        #expect(((doc?["files"] as? [[String: Any]])?.first?["input_records"] as? Int) == 33)
        #expect(Rel.temporaryFiles(work.appendingPathComponent("out")).isEmpty)
    }

    // MARK: 5. standard output, file-size limits, options

    /// Issue 16 #9: `convert --json > /dev/full` and `validate > /dev/full` exited 0.
    @Test func standardOutputWriteErrorsAreExitThree() throws {
        let work = try Rel.workDir("devfull")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 20)
        let j = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "out", "--json"] + Rel.common, cwd: work,
                            shell: "exec >/dev/full")
        #expect(j.status == 3, "convert --json > /dev/full: \(j.status) \(j.stderr)")
        let v = try Rel.run(["validate", "out/patient.txt", "--kind", "patient"], cwd: work, shell: "exec >/dev/full")
        #expect(v.status == 3, "validate > /dev/full: \(v.status) \(v.stderr)")
        let d = try Rel.run(["decode", "out/patient.txt", "--kind", "patient"], cwd: work, shell: "exec >/dev/full")
        #expect(d.status == 3, "decode > /dev/full: \(d.status) \(d.stderr)")
        // A closed pipe is the one exception, for decode: exit 0, quietly.
        let closed = try Rel.run(["decode", "out/patient.txt", "--kind", "patient"], cwd: work,
                                 shell: "mkfifo f; (head -c 1 <f >/dev/null) & exec >f")
        #expect(closed.status == 0, "decode into a closed pipe: \(closed.status) \(closed.stderr)")
    }

    /// Issue 16 #9: decode under `ulimit -f` died of SIGXFSZ (153); it is exit 3 now, nothing published. And a
    /// run that is not split names its real output in a disk-full message, not part-001/patient.txt.
    @Test func fileSizeLimitIsExitThreeAndNamesTheRealFile() throws {
        let work = try Rel.workDir("xfsz")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 8_000)
        let c = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "batch"] + Rel.common, cwd: work)
        #expect(c.status == 0)
        // SIGXFSZ at its default action (a test runner may ignore it, and ignored signals are inherited): the tool
        // must ignore it itself.
        let dfl = ["/usr/bin/python3", "-c",
                   "import os, signal, sys; signal.signal(signal.SIGXFSZ, signal.SIG_DFL); os.execv(sys.argv[1], sys.argv[1:])"]
        let d = try Rel.run(["decode", "batch/patient.txt", "--kind", "patient", "-o", "dec.csv"], cwd: work,
                            shell: "ulimit -f 64", prefix: dfl)
        #expect(d.signal == nil && d.status == 3, "decode -o under ulimit -f: \(d.status) signal \(d.signal ?? 0): \(d.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("dec.csv").path))
        let s = try Rel.run(["decode", "batch/patient.txt", "--kind", "patient"], cwd: work,
                            shell: "ulimit -f 64; exec >dec2.csv", prefix: dfl)
        #expect(s.signal == nil && s.status == 3, "decode > file under ulimit -f: \(s.status): \(s.stderr)")
        // 7 MB of patients under a 1 MiB limit: the failure comes mid-run, while the run is not (yet) split.
        let k = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "out"] + Rel.common, cwd: work,
                            shell: "ulimit -f 2048", prefix: dfl)
        #expect(k.signal == nil && k.status == 3, "convert under ulimit -f: \(k.status): \(k.stderr)")
        #expect(k.stderr.contains("out/patient.txt") && !k.stderr.contains("part-001"), "\(k.stderr)")
    }

    /// Issue 16 #9: `--threads 3074457345618258603` crashed (SIGILL); `--zstd=23` exited 1 after creating the
    /// out-dir. Out-of-range and non-numeric values are exit 64, nothing created.
    @Test func overflowingOptionValuesAreExit64() throws {
        let work = try Rel.workDir("options")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 5)
        for extra in [["--threads", "3074457345618258603"], ["--threads", "abc"], ["--threads", "99999999999999999999"],
                      ["--zstd=23"], ["--zstd=-200000"], ["--max-records-per-file", "1e9"],
                      ["--max-records-per-file", "99999999999999999999"]] {
            let r = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "never"] + extra + Rel.common, cwd: work)
            #expect(r.signal == nil && r.status == 64, "\(extra): exit \(r.status) signal \(r.signal ?? 0): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("never").path), "\(extra) created the out-dir")
        }
    }

    // MARK: 6. one batch per --out-dir

    /// Issue 17: a re-run kept the previous batch's files (an immunization.txt for patients no longer there, an
    /// old quarantine, parts, a patient.txt beside a new patient.txt.zst). Now they go, and files the tool did
    /// not write are left alone and named.
    @Test func aRunReplacesThePreviousBatch() throws {
        let work = try Rel.workDir("onebatch")
        defer { try? FileManager.default.removeItem(at: work) }
        try Self.corpus(work)
        let out = work.appendingPathComponent("out")
        let first = try Rel.run(["convert", "--patients", "g/members.csv", "--immunizations", "g/immunizations.csv",
                                 "--comments", "g/comments.csv", "--quarantine", "--max-records-per-file", "100",
                                 "--out-dir", "out", "--org", "ACMEHP", "-q"] + Self.asOf, cwd: work)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent("part-003/immunization.txt").path))
        try Self.write("mine", out.appendingPathComponent("notes.txt"))
        let second = try Rel.run(["convert", "--patients", "g/members.csv", "--out-dir", "out", "--org", "ACMEHP"] + Self.asOf,
                                 cwd: work)
        #expect(second.status == 0, "\(second.stderr)")
        let names = Set(Rel.snapshot(out).keys)
        #expect(names == ["patient.txt", "rejects.csv", "warnings.csv", "summary.json", "notes.txt"], "\(names.sorted())")
        #expect(second.stderr.contains("left alone: notes.txt"), "\(second.stderr)")
        let third = try Rel.run(["convert", "--patients", "g/members.csv", "--zstd", "--out-dir", "out", "--org", "ACMEHP", "-q"]
                                + Self.asOf, cwd: work)
        #expect(third.status == 0)
        #expect(Set(Rel.snapshot(out).keys) == ["patient.txt.zst", "rejects.csv", "warnings.csv", "summary.json", "notes.txt"])
        #expect(try String(contentsOf: out.appendingPathComponent("notes.txt"), encoding: .utf8) == "mine")
    }

    /// Issue 17: archive packed stale files, overwrote an existing archive and packed an archive written inside
    /// the folder. It refuses each unless --force; the lock file is neither packed nor a stray.
    @Test func archiveRefusesWhatIsNotTheBatch() throws {
        let work = try Rel.workDir("archive-strays")
        defer { try? FileManager.default.removeItem(at: work) }
        try Rel.writePatients(work.appendingPathComponent("p.csv"), count: 20)
        let c = try Rel.run(["convert", "--patients", "p.csv", "--out-dir", "batch"] + Rel.common, cwd: work)
        #expect(c.status == 0)
        let ok = try Rel.run(["archive", "batch", "-o", "b.tar.zst"], cwd: work)
        #expect(ok.status == 0, "a clean batch (with its lock file): \(ok.stderr)")
        #expect(!ok.stderr.contains(".cair2.lock"))
        let list = try Rel.run(["verify", "b.tar.zst"], cwd: work)
        #expect(list.status == 0)
        let again = try Rel.run(["archive", "batch", "-o", "b.tar.zst"], cwd: work)
        #expect(again.status == 2 && again.stderr.contains("already exists"), "existing output: \(again.stderr)")
        let inside = try Rel.run(["archive", "batch", "-o", "batch/b.tar.zst"], cwd: work)
        #expect(inside.status == 2 && inside.stderr.contains("inside"), "output inside: \(inside.stderr)")
        try Self.write("stale", work.appendingPathComponent("batch/immunization.txt"))
        let stray = try Rel.run(["archive", "batch", "-o", "c.tar.zst"], cwd: work)
        #expect(stray.status == 2 && stray.stderr.contains("immunization.txt"), "stray: \(stray.stderr)")
        #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("c.tar.zst").path))
        let forced = try Rel.run(["archive", "batch", "-o", "b.tar.zst", "--force"], cwd: work)
        #expect(forced.status == 0, "--force: \(forced.stderr)")
    }

    // MARK: 6. a publication cut by SIGKILL is marked (issue 16, "what SIGKILL cannot guarantee")

    /// A SIGKILL during the renames can leave a folder mixing two batches. The publication marker that the cut
    /// run leaves makes that visible: `archive` refuses the folder (exit 2, even with --force), and the next
    /// convert says so, removes the marker and replaces the whole batch, including a dead run's file that the
    /// old summary.json does not list. The mixed state is built by hand (new patient.txt, old summary, the
    /// marker as the cut run writes it).
    @Test func aCutPublicationIsMarkedAndReplaced() throws {
        let work = try Rel.workDir("cut")
        defer { try? FileManager.default.removeItem(at: work) }
        _ = try ReliabilityFaultTests.previousRun(in: work, out: "out")
        let out = work.appendingPathComponent("out")
        try Rel.writePatients(work.appendingPathComponent("p2.csv"), count: 33)
        let other = try Rel.run(["convert", "--patients", "p2.csv", "--out-dir", "other"] + Rel.common, cwd: work)
        #expect(other.status == 0, "\(other.stderr)")
        // The cut run had put its patient.txt and a query.txt (not in the old summary) in place.
        let newPatient = try Data(contentsOf: work.appendingPathComponent("other/patient.txt"))
        try newPatient.write(to: out.appendingPathComponent("patient.txt"))
        try Self.write("Q", out.appendingPathComponent("query.txt"))
        try PublicationMarker.create(in: out.path, listing: ["patient.txt", "query.txt", "rejects.csv", "warnings.csv",
                                                             "summary.json", "../escape.txt"])
        try Self.write("mine", work.appendingPathComponent("escape.txt"))
        #expect(Rel.mode(out.appendingPathComponent(PublicationMarker.fileName).path) & 0o777 == 0o600)

        for force in [false, true] {
            let a = try Rel.run(["archive", "out", "-o", "a.tar.zst"] + (force ? ["--force"] : []), cwd: work)
            #expect(a.status == 2, "archive of a cut publication (force \(force)): exit \(a.status)")
            #expect(a.stderr.contains(PublicationMarker.fileName) && a.stderr.contains("mix two batches"), "\(a.stderr)")
            #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("a.tar.zst").path))
        }

        // A run that fails before it publishes (here a file-size limit) leaves the folder marked.
        let failed = try Rel.run(["convert", "--patients", "p2.csv", "--out-dir", "out"] + Rel.common, cwd: work,
                                 shell: "ulimit -f 8")
        #expect(failed.status == 3, "\(failed.stderr)")
        #expect(PublicationMarker.exists(in: out.path))
        #expect(PublicationMarker.listedNames(in: out.path).contains("query.txt"))

        let r = try Rel.run(["convert", "--patients", "p2.csv", "--out-dir", "out", "--org", "ACMEHP",
                             "--as-of", "2026-01-15"], cwd: work)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("last publication into this folder was cut"), "\(r.stderr)")
        #expect(!r.stderr.contains("left alone"), "the cut run's query.txt is removed, not left alone: \(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent(PublicationMarker.fileName).path))
        #expect(Set(Rel.snapshot(out).keys) == ["patient.txt", "rejects.csv", "warnings.csv", "summary.json"])
        #expect(Rel.snapshot(out)["patient.txt"] == newPatient)
        #expect(try String(contentsOf: work.appendingPathComponent("escape.txt"), encoding: .utf8) == "mine")
        #expect(Rel.temporaryFiles(out).isEmpty)
        let a = try Rel.run(["archive", "out", "-o", "a.tar.zst"], cwd: work)
        #expect(a.status == 0, "\(a.stderr)")

        // generate says so too and removes it once it has published.
        try FileManager.default.createDirectory(at: work.appendingPathComponent("g"), withIntermediateDirectories: false)
        try Self.write("cut", work.appendingPathComponent("g/\(PublicationMarker.fileName)"))
        let g = try Rel.run(["generate", "--members", "20", "--out-dir", "g", "--seed", "5"] + Self.asOf, cwd: work)
        #expect(g.status == 0 && g.stderr.contains("was cut"), "\(g.stderr)")
        #expect(Rel.temporaryFiles(work.appendingPathComponent("g")).isEmpty)
    }

    /// A normal publication of several files (convert into a fresh folder and over a previous batch, generate):
    /// the marker exists only while the files are put in place, and a fresh folder's files are linked straight
    /// to their final names. Checked in-process on OutputSet: the marker lists the names and is gone after.
    @Test func outputSetMarksOnlyWhileItPublishes() throws {
        let dir = try Rel.workDir("marker-set")
        defer { try? FileManager.default.removeItem(at: dir) }
        for round in 0..<2 {  // a fresh folder (every name new), then over the files of round 0
            let set = OutputSet()
            for name in ["a.txt", "b.txt", "c.txt"] {
                let f = try set.create(directory: dir.path, name: name, bufferSize: 16)
                try f.write("\(name) \(round)\n")
            }
            try set.publish()
            #expect(!PublicationMarker.exists(in: dir.path))
            #expect(Rel.temporaryFiles(dir).isEmpty)
            #expect(try String(contentsOf: dir.appendingPathComponent("b.txt"), encoding: .utf8) == "b.txt \(round)\n")
        }
        try PublicationMarker.create(in: dir.path, listing: ["a.txt", "part-002/b.txt"])
        #expect(PublicationMarker.listedNames(in: dir.path) == ["a.txt", "part-002/b.txt"])
        #expect(PublicationMarker.remove(in: dir.path) && !PublicationMarker.exists(in: dir.path))
    }

    /// A failure while the files are put in place (here a final name too long for the file system: ENAMETOOLONG,
    /// which no check before the first rename sees). Before any previous file was replaced, the new names
    /// already linked are taken back and the marker removed: nothing published. After one was replaced, the
    /// marker stays (the folder may mix two batches) and the error says so. OutputSet (generate) and Publisher
    /// (convert, hedis). (In-process, so in the process's temporary mode: unnamed where the file system allows;
    /// the named mode's rename takes the same path.)
    @Test func aFailureWhilePublishingIsUndoneOrMarked() throws {
        let dir = try Rel.workDir("marker-fail")
        defer { try? FileManager.default.removeItem(at: dir) }
        let long = String(repeating: "x", count: 300) + ".txt"

        func set(_ names: [String]) throws -> OutputSet {
            let set = OutputSet()
            for name in names { try set.create(directory: dir.path, name: name, bufferSize: 16).write("new\n") }
            return set
        }
        // Nothing replaced yet: "new.txt" was linked, then the long name failed.
        #expect(throws: IOError.self) { try set(["new.txt", long]).publish() }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).isEmpty)
        // "old.txt" replaced, then the long name failed: the marker stays, the message says why.
        try Self.write("old\n", dir.appendingPathComponent("old.txt"))
        do {
            try set(["old.txt", long]).publish()
            Issue.record("the publication should fail")
        } catch {
            #expect("\(error)".contains("may mix two batches"), "\(error)")
        }
        #expect(PublicationMarker.exists(in: dir.path))
        #expect(PublicationMarker.listedNames(in: dir.path) == ["old.txt", long])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
                == [PublicationMarker.fileName, "old.txt"])
        PublicationMarker.remove(in: dir.path)

        // The same through convert's Publisher.
        let pub = dir.appendingPathComponent("pub")
        for replaceFirst in [false, true] {
            try? FileManager.default.removeItem(at: pub)
            try FileManager.default.createDirectory(at: pub, withIntermediateDirectories: false)
            if replaceFirst { try Self.write("old\n", pub.appendingPathComponent("patient.txt")) }
            let publisher = try Publisher(outDir: pub.path)
            for name in ["patient.txt", long] {
                let s = try publisher.create(relative: name, zstdLevel: nil)
                try s.write(Array("new\n".utf8))
                try s.finish()
            }
            do {
                try publisher.publishAll()
                Issue.record("the publication should fail")
            } catch {
                let text = "\(error)"
                #expect(text.contains(replaceFirst ? "may mix two batches" : "nothing was published"), "\(text)")
            }
            publisher.discardAll()
            let names = try FileManager.default.contentsOfDirectory(atPath: pub.path).sorted()
            if replaceFirst {
                #expect(names == [PublicationMarker.fileName, "patient.txt"])
                #expect(try String(contentsOf: pub.appendingPathComponent("patient.txt"), encoding: .utf8) == "new\n")
            } else {
                #expect(names.isEmpty, "\(names)")
                #expect(publisher.finalPaths.isEmpty)
            }
        }
    }
}
