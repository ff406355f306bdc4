import Testing
import Foundation
@testable import CAIR2Kit

/// A batch directory like `convert --out-dir` leaves, with a split part and a
/// compressed output. Returns the files' contents by relative name.
@discardableResult
func makeSampleBatch(at dir: String) throws -> [String: [UInt8]] {
    var files: [String: [UInt8]] = [:]
    files["patient.txt"] = sampleLines(1_200, width: 876, seed: 11)
    files["immunization.txt"] = sampleLines(3_000, width: 264, seed: 12)
    files["comment.txt"] = []
    files["rejects.csv"] = Array("file,line,record_id,field,code,message\nm.csv,7,R7,birth_date,E_DATE,invalid date\n".utf8)
    files["warnings.csv"] = Array("file,line,record_id,field,code,message\n".utf8)
    // The summary lists the batch's outputs and parts: archive refuses files it does not list.
    files["summary.json"] = Array("""
        {"tool": "cair2", "files": [{"output": "patient.txt"}, {"output": "immunization.txt"}, {"output": "comment.txt"}],
         "parts": [{"name": "part-001", "files": [{"output": "part-001/patient.txt"}]},
                   {"name": "part-002", "files": [{"output": "part-002/patient.txt"}, {"output": "part-002/query.txt.zst"}]}]}

        """.utf8)
    files["part-001/patient.txt"] = sampleLines(500, width: 876, seed: 13)
    files["part-002/patient.txt"] = sampleLines(20, width: 876, seed: 14)
    // A compressed output: two frames, as parallel workers write them.
    let c = try ZstdFrameCompressor(level: 1)
    let q1 = sampleLines(40, width: 191, seed: 15), q2 = sampleLines(2, width: 191, seed: 16)
    files["part-002/query.txt.zst"] = try c.compress(q1) + c.compress(q2)
    for (name, bytes) in files {
        let path = dir + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
    return files
}

func readBytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
func writeBytes(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

/// A raw tar member for crafting archives by hand.
struct RawMember {
    var name: String
    var type: UInt8 = UInt8(ascii: "0")
    var data: [UInt8] = []
    var link = ""
}

/// A tar.zst built by hand, so tests can plant what our writer never makes.
func craftArchive(_ members: [RawMember], mtime: Int64 = 1_700_000_000) throws -> [UInt8] {
    var tar = [UInt8]()
    for m in members {
        tar += try TarWriter.header(name: m.name, size: m.data.count, mtime: mtime, typeflag: m.type, linkName: m.link)
        tar += m.data
        tar += [UInt8](repeating: 0, count: (512 - m.data.count % 512) % 512)
    }
    tar += [UInt8](repeating: 0, count: 1024)
    return try ZstdFrameCompressor(level: 1).compress(tar)
}

/// The members of a batch archive with the given manifest, in manifest order.
func membersFor(_ manifest: ArchiveManifest, files: [String: [UInt8]]) -> [RawMember] {
    [RawMember(name: BatchArchive.manifestName, data: manifest.jsonBytes())]
        + manifest.files.map { RawMember(name: $0.name, data: files[$0.name] ?? []) }
}

@Suite struct ArchiveTests {
    let mtime: Int64 = 1_738_324_800 // 2025-01-31T12:00:00Z

    @Test func archiveListsEveryFileWithSizeHashAndRecords() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try makeSampleBatch(at: dir + "/batch")
        let summary = try BatchArchive.archive(directory: dir + "/batch", output: dir + "/B.tar.zst", mtime: mtime)
        let m = summary.manifest
        #expect(m.tool == CAIR2Version.tool && m.version == CAIR2Version.version)
        #expect(m.created == "2025-01-31T12:00:00Z")
        #expect(m.files.map(\.name) == files.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        for f in m.files {
            let bytes = files[f.name]!
            #expect(f.bytes == bytes.count, "\(f.name)")
            #expect(f.sha256 == SHA256.hex(SHA256.hash(bytes)), "\(f.name)")
        }
        let records = Dictionary(uniqueKeysWithValues: m.files.map { ($0.name, $0.records) })
        #expect(records["patient.txt"] == 1_200)
        #expect(records["immunization.txt"] == 3_000)
        #expect(records["comment.txt"] == 0)
        #expect(records["part-001/patient.txt"] == 500)
        #expect(records["part-002/query.txt.zst"] == 42)
        #expect(records["rejects.csv"] == .some(nil))
        #expect(records["summary.json"] == .some(nil))

        var st = stat()
        #expect(stat(dir + "/B.tar.zst", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        #expect(summary.archiveBytes == Int(st.st_size))
        // Only the archive is left beside the batch: the temporary file was renamed.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["B.tar.zst", "batch"])

        let result = try BatchArchive.verify(archive: dir + "/B.tar.zst")
        #expect(result.problems == [])
        #expect(result.isOK)
        #expect(result.filesMatched == files.count)
        #expect(result.manifest == m)
    }

    @Test func sameInputsAndMtimeGiveIdenticalBytes() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try makeSampleBatch(at: dir + "/batch")
        _ = try BatchArchive.archive(directory: dir + "/batch", output: dir + "/a.tar.zst", mtime: mtime)
        // Touching the files (new mtimes on disk) must not matter.
        let later = Date().addingTimeInterval(3600)
        try FileManager.default.setAttributes([.modificationDate: later], ofItemAtPath: dir + "/batch/patient.txt")
        _ = try BatchArchive.archive(directory: dir + "/batch", output: dir + "/b.tar.zst", mtime: mtime)
        _ = try BatchArchive.archive(directory: dir + "/batch", output: dir + "/c.tar.zst", mtime: mtime + 1)
        #expect(try readBytes(dir + "/a.tar.zst") == readBytes(dir + "/b.tar.zst"))
        #expect(try readBytes(dir + "/a.tar.zst") != readBytes(dir + "/c.tar.zst"))
    }

    @Test func systemTarAndZstdOpenTheArchive() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let files = try makeSampleBatch(at: dir + "/batch")
        let summary = try BatchArchive.archive(directory: dir + "/batch", output: dir + "/B.tar.zst", level: 3, mtime: mtime)
        let (t, _, tErr) = try run(["zstd", "-q", "-t", dir + "/B.tar.zst"])
        #expect(t == 0, "zstd -t: \(tErr)")
        let (l, listing, lErr) = try run(["tar", "--zstd", "-tf", dir + "/B.tar.zst"])
        #expect(l == 0, "tar -t: \(lErr)")
        let names = String(decoding: listing, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(names == [BatchArchive.manifestName] + summary.manifest.files.map(\.name))
        try FileManager.default.createDirectory(atPath: dir + "/x", withIntermediateDirectories: false)
        let (x, _, xErr) = try run(["tar", "--zstd", "-xf", dir + "/B.tar.zst", "-C", dir + "/x"])
        #expect(x == 0, "tar -x: \(xErr)")
        #expect(tErr.isEmpty && lErr.isEmpty && xErr.isEmpty, "tar or zstd warned")
        for (name, bytes) in files {
            #expect(try readBytes(dir + "/x/" + name) == bytes, "\(name)")
        }
        let manifest = try JSONDecoder().decode(ArchiveManifest.self, from: Data(contentsOf: URL(fileURLWithPath: dir + "/x/MANIFEST.json")))
        #expect(manifest == summary.manifest)
        // tar keeps the fixed mtime and mode.
        let attrs = try FileManager.default.attributesOfItem(atPath: dir + "/x/patient.txt")
        #expect((attrs[.modificationDate] as? Date)?.timeIntervalSince1970 == Double(mtime))
        #expect((attrs[.posixPermissions] as? Int) == 0o600)
    }

    @Test func outputInsideTheBatchAndOddEntriesAreLeftOut() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try makeSampleBatch(at: dir)
        try FileManager.default.createDirectory(atPath: dir + "/quarantine", withIntermediateDirectories: false)
        try writeBytes([1], dir + "/quarantine/members.csv")
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: "patient.txt")
        try writeBytes([2], dir + "/.hidden")
        // Without --force: refused (files the summary does not list, an archive inside the folder).
        #expect { try BatchArchive.archive(directory: dir, output: dir + "/B.tar.zst", mtime: mtime) } throws: { e in
            (e as? ArchiveError)?.kind == .cannotStart
        }
        let first = try BatchArchive.archive(directory: dir, output: dir + "/B.tar.zst", mtime: mtime, force: true)
        #expect(first.skipped == [".hidden", "link.txt", "quarantine"])
        // Archiving again over the previous archive must not take it in.
        let second = try BatchArchive.archive(directory: dir, output: dir + "/B.tar.zst", mtime: mtime, force: true)
        #expect(second.manifest == first.manifest)
        #expect(!first.manifest.files.contains { $0.name.contains("B.tar.zst") })
    }

    @Test func cannotStartCases() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect { try BatchArchive.archive(directory: dir + "/nope", output: dir + "/B.tar.zst", mtime: mtime) } throws: { e in
            (e as? ArchiveError)?.kind == .cannotStart && "\(e)".contains("nope")
        }
        try makeSampleBatch(at: dir + "/batch")
        try writeBytes(Array("{}".utf8), dir + "/batch/MANIFEST.json")
        #expect { try BatchArchive.archive(directory: dir + "/batch", output: dir + "/B.tar.zst", mtime: mtime) } throws: { e in
            (e as? ArchiveError)?.kind == .cannotStart && "\(e)".contains("MANIFEST.json")
        }
        try FileManager.default.removeItem(atPath: dir + "/batch/MANIFEST.json")
        #expect { try BatchArchive.archive(directory: dir + "/batch", output: dir + "/no/such/B.tar.zst", mtime: mtime) } throws: { e in
            (e as? ArchiveError)?.kind == .cannotStart
        }
        // A corrupt .txt.zst in the batch cannot be counted: refused, nothing published.
        try writeBytes(Array("not zstd".utf8), dir + "/batch/patient.txt.zst")
        #expect { try BatchArchive.archive(directory: dir + "/batch", output: dir + "/B.tar.zst", mtime: mtime) } throws: { e in
            "\(e)".contains("patient.txt.zst")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/B.tar.zst"))
        #expect(throws: ArchiveError.self) { try BatchArchive.verify(archive: dir + "/missing.tar.zst") }
        #expect(throws: ArchiveError.self) { try BatchArchive.verify(archive: dir) }
    }

    // MARK: corruption

    /// Archives a sample batch and returns (dir, archive bytes, files, manifest).
    func sample() throws -> (String, [UInt8], [String: [UInt8]], ArchiveManifest) {
        let dir = try makeTempDir()
        let files = try makeSampleBatch(at: dir + "/batch")
        let s = try BatchArchive.archive(directory: dir + "/batch", output: dir + "/B.tar.zst", mtime: mtime)
        return (dir, try readBytes(dir + "/B.tar.zst"), files, s.manifest)
    }

    func verify(_ bytes: [UInt8], in dir: String) throws -> VerifyResult {
        try writeBytes(bytes, dir + "/check.tar.zst")
        return try BatchArchive.verify(archive: dir + "/check.tar.zst")
    }

    @Test func flippedByteIsCaught() throws {
        let (dir, good, _, _) = try sample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for at in [20, good.count / 3, good.count / 2, good.count - 10, good.count - 2] {
            var bad = good
            bad[at] ^= 0x01
            let r = try verify(bad, in: dir)
            #expect(!r.isOK, "flip at \(at)")
            #expect(r.problems.contains { $0.kind == .corrupt || $0.kind == .altered }, "flip at \(at): \(r.problems)")
            for p in r.problems where p.kind == .corrupt {
                #expect(p.message.contains("corrupt"), "\(p.message)")
            }
        }
    }

    @Test func truncatedArchiveIsCaught() throws {
        let (dir, good, _, _) = try sample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for cut in [good.count / 2, good.count - 1, 3] {
            let r = try verify(Array(good[0..<cut]), in: dir)
            #expect(!r.isOK)
            #expect(r.problems.contains { $0.kind == .corrupt && $0.message.contains("truncated") }, "cut at \(cut): \(r.problems)")
        }
        let empty = try verify([], in: dir)
        #expect(empty.problems.contains { $0.kind == .corrupt && $0.message.contains("truncated") })
        // Files past the cut are named as not reached.
        let half = try verify(Array(good[0..<(good.count / 2)]), in: dir)
        #expect(half.problems.contains { $0.kind == .missing && $0.message.contains("not reached") })
    }

    @Test func manifestThatLiesIsCaught() throws {
        let (dir, _, files, manifest) = try sample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var lie = manifest
        let i = lie.files.firstIndex { $0.name == "patient.txt" }!
        let j = lie.files.firstIndex { $0.name == "rejects.csv" }!
        let k = lie.files.firstIndex { $0.name == "part-002/query.txt.zst" }!
        lie.files[i].bytes += 1
        lie.files[j].sha256 = String(repeating: "0", count: 64)
        lie.files[k].records = 41
        let r = try verify(craftArchive(membersFor(lie, files: files)), in: dir)
        #expect(!r.isOK)
        #expect(r.problems.count == 3, "\(r.problems)")
        #expect(r.problems.contains { $0.kind == .altered && $0.name == "patient.txt" && $0.message.contains("size") })
        #expect(r.problems.contains { $0.kind == .altered && $0.name == "rejects.csv" && $0.message.contains("SHA-256") })
        #expect(r.problems.contains { $0.kind == .altered && $0.name == "part-002/query.txt.zst" && $0.message.contains("record count is 42") })
        #expect(r.filesMatched == files.count - 3)

        // The honest manifest through the same hand-made path passes, so the
        // problems above come from the lies alone.
        #expect(try verify(craftArchive(membersFor(manifest, files: files)), in: dir).isOK)
    }

    @Test func alteredMemberWithHonestLookingManifestIsCaught() throws {
        let (dir, _, files, manifest) = try sample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var changed = files
        changed["immunization.txt"]![100] ^= 0x20 // same size, same lines, different bytes
        let r = try verify(craftArchive(membersFor(manifest, files: changed)), in: dir)
        #expect(r.problems.map(\.kind) == [.altered])
        #expect(r.problems.first?.name == "immunization.txt")
    }

    @Test func missingAndExtraFilesAreCaught() throws {
        let (dir, _, files, manifest) = try sample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var members = membersFor(manifest, files: files).filter { $0.name != "comment.txt" }
        members.append(RawMember(name: "extra.txt", data: Array("x\r\n".utf8)))
        let r = try verify(craftArchive(members), in: dir)
        #expect(r.problems.contains { $0.kind == .missing && $0.name == "comment.txt" })
        #expect(r.problems.contains { $0.kind == .extra && $0.name == "extra.txt" })
        #expect(r.problems.count == 2)

        // No manifest at all.
        let none = try verify(craftArchive(Array(members.dropFirst())), in: dir)
        #expect(none.problems.map(\.kind) == [.manifest])
        #expect(!none.isOK)

        // A manifest that is not first is still read, and reported.
        var moved = membersFor(manifest, files: files)
        moved.append(moved.removeFirst())
        let late = try verify(craftArchive(moved), in: dir)
        #expect(late.problems.map(\.kind) == [.manifest])
        #expect(late.filesMatched == files.count)
    }

    @Test(arguments: ["../x", "/etc/x", "part-001/../../x", "a/.."])
    func unsafeMemberNamesAreRefused(name: String) throws {
        let (dir, _, files, manifest) = try sample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var members = membersFor(manifest, files: files)
        members.append(RawMember(name: name, data: Array("evil".utf8)))
        let r = try verify(craftArchive(members), in: dir)
        #expect(r.problems.count == 1)
        #expect(r.problems.first?.kind == .unsafeName)
        #expect(r.problems.first?.message.contains("refused") == true)
        #expect(r.problems.first?.name == name)
    }

    @Test(arguments: [
        (UInt8(ascii: "2"), "symbolic link"), (UInt8(ascii: "1"), "hard link"), (UInt8(ascii: "3"), "character device"),
        (UInt8(ascii: "4"), "block device"), (UInt8(ascii: "5"), "directory"), (UInt8(ascii: "6"), "FIFO"),
        (UInt8(ascii: "x"), "pax extended header"),
    ])
    func linksDevicesAndPaxHeadersAreRefused(type: UInt8, label: String) throws {
        let (dir, _, files, manifest) = try sample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var members = membersFor(manifest, files: files)
        let hasData = type == UInt8(ascii: "x")
        members.insert(RawMember(name: "patient2.txt", type: type, data: hasData ? Array("30 path=../../etc/passwd\n".utf8) : [],
                                 link: type == UInt8(ascii: "1") || type == UInt8(ascii: "2") ? "/etc/passwd" : ""), at: 2)
        let r = try verify(craftArchive(members), in: dir)
        #expect(r.problems.count == 1, "\(r.problems)")
        #expect(r.problems.first?.kind == .refusedType)
        #expect(r.problems.first?.message.contains(label) == true)
        // The rest of the archive is still checked.
        #expect(r.filesMatched == files.count)
    }

    @Test func duplicateMemberAndTrailingDataAreCaught() throws {
        let (dir, good, files, manifest) = try sample()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var members = membersFor(manifest, files: files)
        members.append(RawMember(name: "patient.txt", data: Array("other".utf8)))
        let r = try verify(craftArchive(members), in: dir)
        #expect(r.problems.map(\.kind) == [.duplicate])

        // A member hidden after the end-of-archive blocks, in a second frame.
        var tail = try TarWriter.header(name: "hidden.txt", size: 3, mtime: 0)
        tail += Array("abc".utf8) + [UInt8](repeating: 0, count: 509)
        let appended = good + (try ZstdFrameCompressor().compress(tail))
        let t = try verify(appended, in: dir)
        #expect(t.problems.map(\.kind) == [.corrupt])
        #expect(t.problems.first?.message.contains("end-of-archive") == true)
    }

    @Test func garbageIsNotAnArchive() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = try verify(Array("this is not an archive\n".utf8), in: dir)
        #expect(r.problems.count == 1)
        #expect(r.problems.first?.kind == .corrupt)
        #expect(r.problems.first?.message.contains("Unknown frame descriptor") == true)
        // A valid zstd stream holding no tar.
        let notTar = try verify(ZstdFrameCompressor().compress(Array(repeating: 65, count: 2000)), in: dir)
        #expect(notTar.problems.first?.kind == .corrupt)
        #expect(notTar.problems.first?.message.contains("checksum") == true)
    }

    // MARK: tar and time details

    @Test func longNamesUseThePrefixAndReadBack() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let long = String(repeating: "d", count: 120) + "/" + String(repeating: "f", count: 90) + ".txt"
        let (prefix, base) = try TarWriter.splitName(long)
        #expect(prefix.count == 120 && base.count == 94)
        #expect(throws: TarError.self) { _ = try TarWriter.splitName(String(repeating: "x", count: 101)) }
        #expect(throws: TarError.self) { _ = try TarWriter.splitName("") }

        var raw = [UInt8]()
        var w = TarWriter(mtime: mtime) { raw.append(contentsOf: $0) }
        try w.addFile(name: long, contents: Array("hello".utf8))
        try w.addFile(name: "empty", contents: [])
        try w.finish()
        #expect(raw.count % 10240 == 0)
        // Our reader, through a source that hands out 1 byte, then 7, ...
        for step in [1, 7, 512, 100_000] {
            var r = TarReader(source: ArraySource(raw, step: step), bufferSize: 512)
            let e1 = try #require(try r.next())
            #expect(e1.name == long && e1.size == 5 && e1.type == .regular && e1.mode == 0o600 && e1.mtime == mtime)
            var b = [UInt8](repeating: 0, count: 3), got = [UInt8]()
            while true {
                let n = try b.withUnsafeMutableBytes { try r.readData(into: $0) }
                if n == 0 { break }
                got += b[0..<n]
            }
            #expect(got == Array("hello".utf8))
            #expect(try r.next()?.name == "empty")
            #expect(try r.next() == nil)
            #expect(try r.trailingNonZeroBytes() == 0)
        }
        // And the system tar.
        try writeBytes(raw, dir + "/t.tar")
        let (s, out, err) = try run(["tar", "-tf", dir + "/t.tar"])
        #expect(s == 0 && err.isEmpty, "\(err)")
        #expect(String(decoding: out, as: UTF8.self) == long + "\nempty\n")
    }

    @Test func readerRecognisesWhatSystemTarWrites() throws {
        let dir = try makeTempDir()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/in/sub", withIntermediateDirectories: true)
        try writeBytes(Array("data".utf8), dir + "/in/f.txt")
        try FileManager.default.createSymbolicLink(atPath: dir + "/in/s", withDestinationPath: "f.txt")
        try FileManager.default.linkItem(atPath: dir + "/in/f.txt", toPath: dir + "/in/h.txt")
        // A path of more than 255 bytes (ustar's limit) in folders of 100.
        let longDir = "sub/" + [String](repeating: String(repeating: "n", count: 100), count: 3).joined(separator: "/")
        try FileManager.default.createDirectory(atPath: dir + "/in/" + longDir, withIntermediateDirectories: true)
        try writeBytes([1], dir + "/in/" + longDir + "/f")
        let (s, _, err) = try run(["tar", "--format=pax", "--sort=name", "-cf", dir + "/t.tar", "-C", dir + "/in", "."])
        #expect(s == 0, "\(err)")
        var r = TarReader(source: ArraySource(try readBytes(dir + "/t.tar")))
        var types: [String: TarEntryType] = [:]
        var sawPax = false
        while let e = try r.next() {
            if e.type == .paxExtended { sawPax = true; continue }
            types[e.name] = e.type
        }
        #expect(types["./"] == .directory)
        #expect(types["./f.txt"] == .regular)
        #expect(types["./h.txt"] == .hardLink)
        #expect(types["./s"] == .symbolicLink)
        #expect(sawPax, "a path of more than 255 bytes needs a pax header")
    }

    @Test func corruptTarHeaderIsReportedByChecksum() throws {
        var raw = try TarWriter.header(name: "a.txt", size: 0, mtime: 0) + [UInt8](repeating: 0, count: 1024)
        raw[3] ^= 0x01
        var r = TarReader(source: ArraySource(raw))
        #expect(throws: TarError.badChecksum(offset: 0)) { _ = try r.next() }
    }

    @Test func timesParseAndFormat() {
        #expect(BatchArchive.parseTime("1738324800") == 1_738_324_800)
        #expect(BatchArchive.parseTime("2025-01-31T12:00:00Z") == 1_738_324_800)
        #expect(BatchArchive.parseTime("2025-01-31T12:00:00") == 1_738_324_800)
        #expect(BatchArchive.parseTime("2025-01-31T04:00:00-08:00") == 1_738_324_800)
        #expect(BatchArchive.parseTime("2025-01-31T13:30+0130") == 1_738_324_800)
        #expect(BatchArchive.parseTime("2025-01-31") == 1_738_281_600)
        #expect(BatchArchive.parseTime("1970-01-01") == 0)
        #expect(BatchArchive.parseTime("2024-02-29") != nil)
        for bad in ["", "2023-02-29", "2025-13-01", "2025-1-31", "1969-12-31", "2025-01-31T25:00", "2025-01-31Tnoon", "-5", "12.5"] {
            #expect(BatchArchive.parseTime(bad) == nil, "\(bad)")
        }
        #expect(BatchArchive.iso8601(0) == "1970-01-01T00:00:00Z")
        #expect(BatchArchive.iso8601(1_738_324_800) == "2025-01-31T12:00:00Z")
        #expect(BatchArchive.iso8601(951_782_400) == "2000-02-29T00:00:00Z")
        // Round trip over a spread of days, against Foundation's calendar.
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = TimeZone(identifier: "UTC")!
        for t in stride(from: Int64(0), to: 8_000_000_000, by: 86_400 * 97 + 3_599) {
            let s = BatchArchive.iso8601(t)
            #expect(BatchArchive.parseTime(s) == t, "\(s)")
            let c = cal.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(t)))
            #expect(s.hasPrefix(String(format: "%04d-%02d-%02d", c.year!, c.month!, c.day!)), "\(s)")
        }
    }

    @Test func lineCounterCountsUnterminatedLastLine() {
        func count(_ s: String, pieces: Int) -> Int {
            var c = LineCounter()
            let b = Array(s.utf8)
            var i = 0
            let step = max(1, b.count / pieces)
            while i < b.count {
                let n = min(step, b.count - i)
                b.withUnsafeBytes { c.add(UnsafeRawBufferPointer(rebasing: $0[i..<(i + n)])) }
                i += n
            }
            return c.records
        }
        for pieces in [1, 3, 100] {
            #expect(count("", pieces: pieces) == 0)
            #expect(count("a\r\nb\r\n", pieces: pieces) == 2)
            #expect(count("a\r\nb", pieces: pieces) == 2)
            #expect(count("\n\n", pieces: pieces) == 2)
        }
    }
}
