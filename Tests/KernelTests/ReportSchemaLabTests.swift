import Foundation
import Testing
import LabModel
import Orchestrator
import Reports
import TestSupport

/// Reports of real runs against docs/report.schema.json: what the pure fixtures cannot promise, such as every key
/// the kernel evidence, a command stack's process or a sequence lab's summary brings.
@Suite("Reports of real lab runs conform to docs/report.schema.json", .serialized,
       Probe.needs(tools: ["ip", "clang"], to: "build xdplab-<run>-* namespaces and load XDP"),
       .enabled(if: ReportSchema.validatorAvailable, Comment(rawValue: ReportSchema.missingReason)))
struct ReportSchemaLabTests {
    private func expectConforming(_ lab: Lab) throws {
        let captures = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let report = run(lab, captures: captures).report
        #expect(report.error == nil, "\(report.error ?? "")")
        let rendered = JSONReport.render([report], context: ReportContext())
        let violations = try ReportSchema.violations(of: rendered)
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
        // The run folder's own report.json, as written during the run.
        let folder = try #require(report.captureDirectory)
        let written = try String(contentsOfFile: "\(folder)/report.json", encoding: .utf8)
        let writtenViolations = try ReportSchema.violations(of: written)
        #expect(writtenViolations.isEmpty, "\(writtenViolations.joined(separator: "\n"))")
        #expect(leftovers(of: report).isEmpty)
    }

    @Test("the gate lab: checks, packets by class, sessions, the built-in stack's evidence")
    func gate() throws {
        var lab = try LabLoader.load(path: Repository.gateLab)
        lab.traffic.duration = 2
        lab.traffic.rounds = 1
        try expectConforming(lab)
    }

    @Test("the AF_XDP sequence gate: pacing, latency, receiver counters")
    func sequence() throws {
        try expectConforming(try LabLoader.load(path: Repository.root.appendingPathComponent("Labs/gate/sequence-afxdp.yaml").path))
    }
}
