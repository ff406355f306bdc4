// Loading the CDC vaccine code tables (PRODUCT.md §3b) from a folder given with `--code-tables DIR`.

import CAIR2Core
import FoundationEssentials

extension VaccineCodeTables {
    /// Reads the five CDC files (and the placeholder-name list when the folder has one) from `directory`.
    /// A missing or unreadable file, or one without its columns, throws `CAIR2Error.usage` (exit 2) naming it.
    public static func load(directory: String) throws -> VaccineCodeTables {
        var isDir = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDir), isDir else {
            throw CAIR2Error.usage("--code-tables \(directory): not a folder (it must hold "
                                   + CodeTableFile.cdc.map(\.rawValue).joined(separator: ", ") + ")")
        }
        var files: [CodeTableFile: [UInt8]] = [:]
        for f in CodeTableFile.allCases {
            let path = directory.appendingPath(f.rawValue)
            let exists = FileManager.default.fileExists(atPath: path)
            if f == .placeholders && !exists { continue }
            guard exists else { throw CAIR2Error.usage("\(path): code table missing (--code-tables needs the CDC file \(f.rawValue))") }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CAIR2Error.usage("\(path): cannot read the code table")
            }
            guard data.count <= 64 << 20 else { throw CAIR2Error.usage("\(path): code table larger than 64 MiB") }
            files[f] = [UInt8](data)
        }
        do {
            return try VaccineCodeTables(files: files, source: directory)
        } catch {
            throw CAIR2Error.usage("\(directory.appendingPath(error.file)): malformed code table: \(error.message)")
        }
    }
}
