import Testing
@testable import LabModel

@Suite("Diagnostics print in the compiler style, in file order")
struct DiagnosticTests {
    @Test("sorted by line, then column; ties keep their order")
    func sorting() {
        func at(_ line: Int, _ column: Int, _ message: String) -> Diagnostic {
            Diagnostic(location: SourceLocation(file: "lab.yaml", line: line, column: column), message: message)
        }
        let error = LabFileError(diagnostics: [at(9, 2, "c"), at(3, 7, "b"), at(3, 1, "a"), at(9, 2, "d")])
        #expect(error.diagnostics.map(\.message) == ["a", "b", "c", "d"])
        #expect(error.description == """
            lab.yaml:3:1: error: a
            lab.yaml:3:7: error: b
            lab.yaml:9:2: error: c
            lab.yaml:9:2: error: d
            """)
        #expect(SourceLocation(file: "x.yaml", line: 1, column: 2).description == "x.yaml:1:2")
    }

    @Test("suggestions catch typos, not unrelated words")
    func suggestions() {
        #expect(Suggestion.closest(to: "queue", among: ["between", "queues", "addresses"]) == "queues")
        #expect(Suggestion.closest(to: "form", among: ["from", "duration"]) == "from")
        #expect(Suggestion.closest(to: "reachable_time", among: ["reachable-time", "retransmit"]) == "reachable-time")
        #expect(Suggestion.closest(to: "colour", among: ["from", "duration", "rounds", "classes", "ssh"]) == nil)
    }
}
