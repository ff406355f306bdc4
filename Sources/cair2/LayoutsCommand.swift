import ArgumentParser
import CAIR2Core

struct LayoutsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "layouts",
        abstract: "Print a layout table (field, start, length, requirement, code set) from the layout data.")

    @Argument(help: "One of: \(LayoutKind.allCases.map(\.rawValue).joined(separator: ", ")). All when omitted.")
    var kind: String?

    func run() throws {
        let kinds: [LayoutKind]
        if let kind {
            guard let k = LayoutKind(rawValue: kind) else {
                throw ValidationError("unknown layout '\(kind)'; expected one of \(LayoutKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            kinds = [k]
        } else {
            kinds = LayoutKind.allCases
        }
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
