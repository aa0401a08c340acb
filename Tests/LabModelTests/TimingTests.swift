import Foundation
import Testing
@testable import LabModel

@Suite("traffic.timing: which labs need the machine to themselves in a parallel run")
struct TimingTests {
    static func lab(_ line: String) -> String {
        Fixtures.base(replacing: "  from: peer", with: "  from: peer\n" + line)
    }

    @Test("tolerant by default; timing: sensitive is declared; a load phase makes a lab sensitive but not its paced part")
    func resolves() throws {
        let plain = try LabLoader.parse(yaml: Fixtures.baseYAML, path: Fixtures.inlinePath)
        #expect(plain.traffic.timing == .tolerant && !plain.isTimingSensitive)
        let declared = try LabLoader.parse(yaml: Self.lab("  timing: sensitive"), path: Fixtures.inlinePath)
        #expect(declared.traffic.timing == .sensitive && declared.pacedTrafficIsTimingSensitive && declared.isTimingSensitive)
        let load = try LabLoader.parse(yaml: Self.lab("  load: {rate: max}"), path: Fixtures.inlinePath)
        #expect(load.isTimingSensitive && !load.pacedTrafficIsTimingSensitive)
    }

    @Test("a command stack whose traffic starts at attach races its own registration, so its paced traffic is sensitive")
    func atAttach() throws {
        let yaml = Fixtures.base(replacing: "  program: ../programs/port_redirect.bpf.c",
                                 with: "  command: [../programs/run-me.sh]\n  traffic-starts: at-attach")
        let lab = try LabLoader.parse(yaml: yaml, path: Fixtures.inlinePath)
        #expect(lab.pacedTrafficIsTimingSensitive && lab.traffic.timing == .tolerant)
    }

    @Test("an unknown timing is an error at its value that lists the choices")
    func unknown() {
        let problem = onlyProblem(yaml: Self.lab("  timing: strict"))
        #expect(problem.hasPrefix("14:11: unknown timing 'strict'"))
        #expect(problem.contains("sensitive"))
    }
}
