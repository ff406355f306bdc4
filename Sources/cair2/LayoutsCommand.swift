import ArgumentParser
import CAIR2Core

struct LayoutsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layouts",
        abstract: "Print a layout table (field, start, length, requirement, code set) from the layout data.",
        discussion: """
            One table per layout, printed from the same data the converter, decoder and validator use. \
            The field names are the canonical CSV column names (your extract's header, or the targets \
            of a --map file). Starts are 1-based; R/SE is the spec's requirement (R required, SE strongly encouraged, \
            * at least one of the vaccine codes, blank optional); the default fills a blank cell.

            Examples:
              cair2 layouts patient
              cair2 layouts immunization | grep -i date
              cair2 layouts            # all six layouts
            """)

    @Argument(help: "One of: \(LayoutKind.allCases.map(\.rawValue).joined(separator: ", ")). All when omitted.", completion: .list(LayoutKind.allCases.map(\.rawValue)))
    var kind: String?

    func validate() throws {
        if let kind, LayoutKind(rawValue: kind) == nil {
            throw ValidationError("unknown layout '\(kind)'; expected one of \(LayoutKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let kinds = kind.map { [LayoutKind(rawValue: $0)!] } ?? LayoutKind.allCases
        for k in kinds {
            let l = k.layout
            print("\(k.rawValue): \(l.dataWidth) characters (the spec prints \(l.statedTotal)), then CR LF")
            print(pad("field", 24) + pad("start", 7) + pad("length", 8) + pad("R/SE", 6) + pad("default", 9) + pad("class", 14) + "code set")
            for f in l.fields {
                print(pad(f.name, 24) + pad(String(f.start), 7) + pad(String(f.length), 8) + pad(f.requirement.rawValue, 6)
                      + pad(f.defaultValue ?? "", 9) + pad(f.valueClass.rawValue, 14) + (f.codeSet?.rawValue ?? ""))
            }
            print("")
        }
    }

    private func pad(_ s: String, _ n: Int) -> String {
        s.count >= n ? s + " " : s + String(repeating: " ", count: n - s.count)
    }
}
