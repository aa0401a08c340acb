import Testing
@testable import LabModel

@Suite("requires: what a lab needs from the kernel, else it is skipped")
struct RequirementTests {
    private func yaml(_ requires: String) -> String {
        Fixtures.baseYAML + "\nrequires: \(requires)"
    }

    @Test("no requires key means none")
    func absent() throws {
        #expect(try LabLoader.parse(yaml: Fixtures.baseYAML, path: Fixtures.inlinePath).requires == [])
    }

    @Test("every known name parses, in file order")
    func known() throws {
        let lab = try LabLoader.parse(yaml: yaml("[fexit, netdevsim, kvm, zero-copy, xdp-tracepoints, prog-test-run, bpffs]"),
                                      path: Fixtures.inlinePath)
        #expect(lab.requires == [.fexit, .netdevsim, .kvm, .zeroCopy, .xdpTracepoints, .progTestRun, .bpffs])
    }

    @Test("problems", arguments: [
        ("[fexti]", "15:12: unknown requirement 'fexti'; did you mean 'fexit'?"),
        ("[fexit, fexit]", "15:19: requirement 'fexit' is listed twice"),
        ("fexit", "15:11: requires must be a list such as [fexit, netdevsim], got 'fexit'"),
    ])
    func problems(text: String, expected: String) {
        #expect(onlyProblem(yaml: yaml(text)) == expected)
    }
}
