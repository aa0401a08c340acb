import Testing
@testable import LabModel

@Suite("stack preflight: checks the program must pass before it is deployed")
struct PreflightTests {
    private func yaml(_ preflight: String) -> String {
        Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003]\n  preflight: \(preflight)")
    }

    @Test("no preflight key means no pre-flight step")
    func absent() throws {
        #expect(try LabLoader.parse(yaml: Fixtures.baseYAML, path: Fixtures.inlinePath).stack.preflight == [])
    }

    @Test("check is the one step there is", arguments: [("[check]", [PreflightStep.check]), ("[]", [])])
    func listed(text: String, expected: [PreflightStep]) throws {
        #expect(try LabLoader.parse(yaml: yaml(text), path: Fixtures.inlinePath).stack.preflight == expected)
    }

    @Test("problems", arguments: [
        ("[chek]", "12:15: unknown pre-flight step 'chek'; did you mean 'check'?"),
        ("[check, check]", "12:22: 'check' appears twice in preflight"),
        ("check", "12:14: preflight must be a list such as [check], got 'check'"),
    ])
    func problems(text: String, expected: String) {
        #expect(onlyProblem(yaml: yaml(text)) == expected)
    }
}
