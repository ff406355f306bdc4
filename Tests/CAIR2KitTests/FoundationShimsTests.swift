@testable import CAIR2Kit
import Foundation
import Testing

/// The library imports FoundationEssentials, not Foundation (issue 19: no ICU in the static binary). What it
/// rebuilt of Foundation must give what Foundation gave; the tests may import Foundation and compare.
@Suite struct FoundationShimsTests {
    static let documents = [
        "{}", "[]", "\u{FEFF}{\"a\":\"x\"}", "{\"a\":\"\\u00e9\\ud83d\\ude00\\n\\/\"}",
        "{\"a\":null}", "[1]", " {\"a\":\"b\"} ", "{\"a\":\"b\"} x", "{\"a\":[\"x\",1, true, false]}", "{\"a\":01}",
        "{\"a\":1.}", "{\"a\":.5}", "{\"a\":-}", "{\"a\":+1}", "{\"a\":1,}", "[1,]", "{\"a\":1,,}", "{\"a\" 1}",
        "{'a':1}", "{\"a\":\"\t\"}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}", "{\"a\":\"\\x\"}", "\"str\"", "1",
        "{\"a\":NaN}", "{\"a\":tru}", "[[[[]]]]", "\n\r\t{}\n", "{\"a\":1e5,\"b\":-1.5E-3,\"c\":0,\"d\":-0}",
        "{\"\":\"\"}", "{\"a\":\"\\u0000\"}", "{\"defaults\": {\"x\": 1.0}, \"values\": {\"y\": {\"1\": 2}},}",
    ] + ["1", "1.0", "1.5", "0.1", "1e2", "1E2", "-0", "-0.0", "12345678901234567890", "9223372036854775808",
         "-9223372036854775809", "18446744073709551616", "1.7976931348623157e308", "0.30000000000000004", "1e-7",
         "5e-324", "2.5e15", "1e16", "1e21", "1e400", "0.12345678901234567", "1.7969313486231573e08", "12.50"]
        .map { "{\"k\": \($0)}" }

    /// A number by value, to 12 digits (JSONSerialization made a Decimal of a number of more than 17 digits, a
    /// little off the Double nearest the text; JSONDecoder reads -0.0 as the whole number 0).
    static func value(_ d: Double) -> String { String(format: "%.12g", d + 0.0) }

    /// True when some `"name":` occurs twice in the (UTF-8) text: a rough test, enough for these documents.
    static func repeatsAKey(_ bytes: [UInt8]) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        var keys: [String] = []
        var i = text.startIndex
        while let open = text[i...].firstIndex(of: "\""), let close = text[text.index(after: open)...].firstIndex(of: "\"") {
            let after = text[text.index(after: close)...].drop { $0 == " " }
            if after.first == ":" { keys.append(String(text[open...close])) }
            i = text.index(after: close)
        }
        return Set(keys).count != keys.count
    }

    static func foundation(_ bytes: [UInt8]) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) else { return "nil" }
        func render(_ o: Any) -> String {
            if let d = o as? [String: Any] { return "{" + d.keys.sorted().map { "\($0)=" + render(d[$0]!) }.joined(separator: ",") + "}" }
            if let a = o as? [Any] { return "[" + a.map(render).joined(separator: ",") + "]" }
            if let s = o as? String { return "s:" + s }
            if o is NSNull { return "null" }
            // Numbers by value (JSONValue keeps a whole number's digits, and prints others as a Double).
            if let n = o as? NSNumber { return "n:" + value(n.doubleValue) }
            return "?"
        }
        return render(object)
    }

    static func ours(_ bytes: [UInt8]) -> String {
        guard let value = JSONValue.parse(bytes) else { return "nil" }
        func render(_ v: JSONValue) -> String {
            switch v {
            case .object(let d): return "{" + d.keys.sorted().map { "\($0)=" + render(d[$0]!) }.joined(separator: ",") + "}"
            case .array(let a): return "[" + a.map(render).joined(separator: ",") + "]"
            case .string(let s): return "s:" + s
            case .null: return "null"
            case .bool(let b): return "n:" + Self.value(b ? 1 : 0)
            case .number(let text): return "n:" + (Double(text).map(Self.value) ?? "?")
            }
        }
        return render(value)
    }

    /// JSONValue (JSONDecoder underneath) reads what JSONSerialization read, and refuses what it refused, to the
    /// same tree and number values: the documents above, in UTF-16 and UTF-32 too, and 20,000 edits of them (a
    /// fixed seed).
    @Test func jsonValueReadsWhatJSONSerializationRead() {
        var differences: [String] = []
        func compare(_ bytes: [UInt8]) {
            let a = Self.foundation(bytes), b = Self.ours(bytes)
            // A key given twice: JSONSerialization kept the last value, JSONDecoder keeps the first (tested above).
            if a != b && a != "nil" && b != "nil" && Self.repeatsAKey(bytes) { return }
            if a != b && differences.count < 10 { differences.append("\(String(decoding: bytes, as: UTF8.self).debugDescription): \(a) vs \(b)") }
        }
        for d in Self.documents {
            compare(Array(d.utf8))
            for encoding in [String.Encoding.utf16LittleEndian, .utf16BigEndian, .utf16, .utf32LittleEndian, .utf32BigEndian] {
                // A UTF-32 byte order mark (FF FE 00 00) is one thing JSONDecoder does not read; nor does the tool.
                if encoding == .utf32LittleEndian && d.hasPrefix("\u{FEFF}") { continue }
                if let data = d.data(using: encoding) { compare(Array(data)) }
            }
        }
        var state: UInt64 = 0x2545F4914F6CDD1D
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        let alphabet = Array("{}[],:\"\\ a1-.eE0tfnu/\t".utf8) + [0xC3, 0xA9, 0xFF]
        for _ in 0..<20_000 {
            var bytes = Array(Self.documents[next(Self.documents.count)].utf8)
            for _ in 0...next(3) {
                let at = next(bytes.count + 1)
                switch next(3) {
                case 0: bytes.insert(alphabet[next(alphabet.count)], at: at)
                case 1 where at < bytes.count: bytes.remove(at: at)
                default: if at < bytes.count { bytes[at] = alphabet[next(alphabet.count)] }
                }
            }
            compare(bytes)
        }
        #expect(differences.isEmpty, "\(differences)")
        let deep = Array((String(repeating: "[", count: 513) + String(repeating: "]", count: 513)).utf8)
        #expect(JSONValue.parse(deep) == nil && Self.foundation(deep) == "nil")
    }

    /// The text a number gives where the mapping file expects a string, and the two rules JSONDecoder sets: a key
    /// given twice keeps its first value; the top level is an object or an array.
    @Test func numbersWhereStringsAreExpectedAndDuplicateKeys() {
        let cases: [(String, String)] = [
            ("1", "1"), ("1.0", "1"), ("1e2", "100"), ("-0", "0"), ("1.5", "1.5"), ("0.1", "0.1"), ("1e-7", "1e-07"),
            ("12.50", "12.5"), ("18446744073709551615", "18446744073709551615"), ("-9223372036854775808", "-9223372036854775808"),
            ("true", "1"), ("false", "0"), ("\"x\"", "x"),
        ]
        for (json, text) in cases {
            #expect(JSONValue.parse(Array("{\"k\": \(json)}".utf8))?.objectValue?["k"]?.stringOrNumberText == text, "\(json)")
        }
        #expect(JSONValue.parse(Array("{\"k\": null}".utf8))?.objectValue?["k"]?.stringOrNumberText == nil)
        #expect(JSONValue.parse(Array("{\"a\":\"x\",\"a\":\"y\"}".utf8))?.objectValue?["a"] == .string("x"))
        #expect(JSONValue.parse(Array("\"top\"".utf8)) == nil && JSONValue.parse(Array("1".utf8)) == nil)
    }

    @Test func printfGivesWhatStringFormatGave() {
        for format in ["%.2f s", "%.1f KiB", "%.1f MiB", "%.2f GiB", "%.4g", "%g", "%5.1f%%"] {
            for v in [0.0, 1.0 / 3, 2.5, 0.125, 1234567.891, 1e-7, 99.95, -0.0, 1e300, .nan, .infinity, 0.0712, 100.0] {
                #expect(String(printf: format, v) == String(format: format, v), "\(format) \(v)")
            }
        }
        let long = String(printf: "%300.1f", 1.5)
        #expect(long.count == 300 && long.hasSuffix(" 1.5"))
    }

    @Test func trimmingWhitespaceIsTrimmingCharactersInWhitespaces() {
        for v in UInt32(0)...0xFFFF {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = String(u) + "x" + String(u) + "y" + String(u)
            #expect(s.trimmingWhitespace() == s.trimmingCharacters(in: .whitespaces), "U+\(String(v, radix: 16))")
        }
        for s in ["", " ", " \t\u{3000}", "a", " a b ", "\n a \n"] {
            #expect(s.trimmingWhitespace() == s.trimmingCharacters(in: .whitespaces), "\(s.debugDescription)")
        }
    }

    @Test func appendingPathComponentIsNSStrings() {
        for d in ["", "/", "a", "a/", "a//", "/x/y", "./t", "t/.", "//"] {
            for c in ["cvx.csv", "/b", "b/"] {
                #expect(d.appendingPath(c) == (d as NSString).appendingPathComponent(c), "\(d) + \(c)")
            }
        }
    }

    @Test func fileManagerErrorsReadAsLocalizedDescription() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cair2-shims-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("f")
        FileManager.default.createFile(atPath: file.path, contents: Data())
        for path in [dir.appendingPathComponent("missing").path, file.path, String(repeating: "a", count: 5000)] {
            do {
                _ = try FileManager.default.contentsOfDirectory(atPath: path)
                Issue.record("\(path) listed")
            } catch {
                #expect(foundationErrorText(error) == error.localizedDescription)
            }
        }
        for code in [4, 256, 257, 260, 513, 640, 642] {
            let e = CocoaError(CocoaError.Code(rawValue: code))
            #expect(foundationErrorText(e) == e.localizedDescription, "\(code)")
        }
    }

    /// Four threads add under the lock and broadcast; a fifth waits until all is added.
    @Test func conditionLockHandsOffBetweenThreads() {
        let lock = ConditionLock()
        final class Box: @unchecked Sendable { var value = 0 }  // read and written under `lock`
        let box = Box()
        let group = DispatchGroup()
        for _ in 0..<4 {
            DispatchQueue.global().async(group: group) {
                for _ in 0..<1000 { lock.lock(); box.value += 1; lock.broadcast(); lock.unlock() }
            }
        }
        DispatchQueue.global().async(group: group) {
            lock.lock()
            while box.value < 4000 { lock.wait() }
            lock.unlock()
        }
        group.wait()
        #expect(box.value == 4000)
    }
}
