import Foundation
import Testing
@testable import ProgramCheck

/// The minimal program of docs/program-contract.md keeps the contract it illustrates, with the tutorial lab's ports
/// and queue count.
@Suite("check on the kernel: the documented minimal program", .enabled(if: KernelProbe.ready, KernelProbe.reason))
struct ExampleProgramTests {
    @Test("Examples/program/minimal_xdp.bpf.c passes the whole matrix on three queues, ports 9000-9001 and 9100")
    func minimalProgramPasses() throws {
        let isolation = KernelProbe.isolation("minimal")
        let program = CheckFixtures.repository.appendingPathComponent("Examples/program/minimal_xdp.bpf.c").path
        let report = try ProgramCheck.check(program: program,
                                            options: CheckOptions(ports: [9000, 9001, 9100], queues: 3, isolation: isolation))
        #expect(KernelProbe.noLeftovers(isolation))
        #expect(report.passed, "violations: \(report.violations.map { "\($0.caseName) \($0.state.name) \($0.verdict.name)" })")
        #expect(report.complete, "notes: \(report.notes)")
        #expect(report.lint.count == 1 && report.lint.first?.fallsBackToPass == true)
    }
}
