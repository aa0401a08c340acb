import Foundation
import Testing
import Evidence
import LabModel
import Reports
import TestSupport
import Verification

@Suite("docs/report.schema.json describes the reports xdplab writes",
       .enabled(if: ReportSchema.validatorAvailable, Comment(rawValue: ReportSchema.missingReason)))
struct ReportSchemaTests {
    private func expectValid(_ json: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let violations = try ReportSchema.violations(of: json)
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))", sourceLocation: sourceLocation)
    }

    @Test("a failing lab with offenders and evidence, a passing lab, and one that could not run")
    func fixtures() throws {
        try expectValid(JSONReport.render([ReportFixtures.failing, ReportFixtures.passing, ReportFixtures.broken]))
    }

    @Test("lab-file errors, with problems beyond the first 50 counted")
    func labFileErrors() throws {
        let diagnostics = (1...60).map {
            Diagnostic(location: LabModel.SourceLocation(file: "Labs/big.yaml", line: $0, column: 1), message: "problem \($0)")
        }
        try expectValid(JSONReport.render([], labFileErrors: [LabFileProblems(file: "Labs/big.yaml", diagnostics: diagnostics)]))
    }

    @Test("an interrupted run: the finished lab, then the interrupted one as an error")
    func interrupted() throws {
        let stopped = LabReport.failure(lab: "second", file: "Labs/second.yaml", error: "interrupted by SIGTERM",
                                        kind: .interrupted, durationSeconds: 1.5, startedAt: "2025-05-12T09:30:00Z",
                                        captureDirectory: "Captures/second/run")
        try expectValid(JSONReport.render([ReportFixtures.passing, stopped], context: ReportContext(interruptedBy: "SIGTERM")))
    }

    @Test("a session that never answered: an infinite stall is the string inf")
    func infiniteStall() throws {
        let report = ReportFixtures.infiniteStall
        try expectValid(JSONReport.render([report]))
    }

    @Test("the schema catches a report that breaks it")
    func catchesViolations() throws {
        let text = JSONReport.render([ReportFixtures.broken])
            .replacingOccurrences(of: "\"errorKind\" : \"error\"", with: "\"errorKind\" : \"whatever\"")
            .replacingOccurrences(of: "\"schemaVersion\" : 1", with: "\"schemaVersion\" : 2")
        let violations = try ReportSchema.violations(of: text)
        #expect(violations.contains { $0.hasPrefix("labs/0/errorKind") }, "\(violations)")
        #expect(violations.contains { $0.hasPrefix("schemaVersion") }, "\(violations)")
    }
}
