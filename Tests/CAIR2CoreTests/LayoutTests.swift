import Testing
@testable import CAIR2Core

@Suite struct LayoutTests {
    @Test(arguments: [
        (LayoutKind.patient, 876, 877), (.immunization, 264, 264), (.comment, 54, 54),
        (.query, 191, 192), (.patientReturn, 190, 191), (.immunizationReturn, 61, 62),
    ])
    func startsAreContiguousAndWidthsMatchTheContract(kind: LayoutKind, width: Int, printed: Int) {
        let layout = kind.layout
        var next = 1
        for f in layout.fields {
            #expect(f.start == next, "\(kind.rawValue).\(f.name) starts at \(f.start), expected \(next)")
            next = f.start + f.length
        }
        #expect(layout.dataWidth == width)
        #expect(next - 1 == width)
        #expect(layout.statedTotal == printed)
        #expect(layout.statedTotal - layout.dataWidth <= 1)
    }

    @Test func columnNamesAreUniqueAndCanonical() {
        for layout in Layouts.all {
            let names = layout.columns.map(\.name)
            #expect(Set(names).count == names.count, "\(layout.kind)")
        }
        #expect(Layouts.query.fields.first?.name == "patient_type")
        #expect(Layouts.query.fields[1].name == "hp_member_id")
        #expect(Layouts.patient.columns.count == 42)
        #expect(Layouts.immunization.columns.count == 17)
    }
}
