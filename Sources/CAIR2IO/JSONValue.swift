// Reading a JSON document whose shape is checked by hand, for messages that name the offending key: the mapping
// file (`--map`) and the summary.json of an earlier run. `JSONDecoder` (FoundationEssentials) does the parsing:
// UTF-8, UTF-16 or UTF-32 with or without a byte order mark, a comma after the last member accepted.

import FoundationEssentials

/// A JSON value read by `JSONDecoder`. Numbers keep the text the tool uses where a string is expected (see
/// `stringOrNumberText`).
package enum JSONValue: Decodable, Equatable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    /// The document in `bytes`, whose top level must be an object or an array; nil when it is not JSON. A key
    /// given twice keeps its first value (`JSONDecoder`'s rule).
    package static func parse(_ bytes: [UInt8]) -> JSONValue? {
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(bytes)) else { return nil }
        switch value {
        case .object, .array: return value
        default: return nil
        }
    }

    package init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let i = try? c.decode(Int64.self) {
            self = .number(String(i))
        } else if let u = try? c.decode(UInt64.self) {
            self = .number(String(u))
        } else if let d = try? c.decode(Double.self) {
            self = .number(d.description)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    /// A value where a string is expected: a string as is; a number as its value's text (a whole number as
    /// digits: `1`, `1.0` and `1e0` are all `1`; any other as Swift prints the `Double`: `1.5`, `1e-07`);
    /// `true` and `false` as `1` and `0`; nil for anything else.
    package var stringOrNumberText: String? {
        switch self {
        case .string(let s): return s
        case .bool(let b): return b ? "1" : "0"
        case .number(let text): return text
        default: return nil
        }
    }

    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }

    package var objectValue: [String: JSONValue]? {
        if case .object(let o) = self { return o }
        return nil
    }

    package var arrayValue: [JSONValue]? {
        if case .array(let a) = self { return a }
        return nil
    }

    /// An object whose values are all strings.
    package var stringDictionary: [String: String]? {
        guard let o = objectValue else { return nil }
        let strings = o.compactMapValues(\.stringValue)
        return strings.count == o.count ? strings : nil
    }

    /// An array of strings only.
    package var stringArray: [String]? {
        guard let a = arrayValue else { return nil }
        let strings = a.compactMap(\.stringValue)
        return strings.count == a.count ? strings : nil
    }

    /// An array of objects only.
    package var objectArray: [[String: JSONValue]]? {
        guard let a = arrayValue else { return nil }
        let objects = a.compactMap(\.objectValue)
        return objects.count == a.count ? objects : nil
    }
}
