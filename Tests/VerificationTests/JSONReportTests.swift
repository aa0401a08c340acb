import Foundation
import Testing
import Evidence
import Verification
import LabModel
import Reports

@Suite("JSON report")
struct JSONReportTests {
    private func parse(_ text: String) throws -> [[String: Any]] {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8))
        let top = try #require(object as? [String: Any])
        return try #require(top["labs"] as? [[String: Any]])
    }

    @Test("parses back with JSONSerialization and carries the required keys")
    func requiredKeys() throws {
        let labs = try parse(JSONReport.render([ReportFixtures.failing, ReportFixtures.passing, ReportFixtures.broken]))
        #expect(labs.count == 3)
        let lab = labs[0]
        for key in ["lab", "file", "passed", "checks", "packets", "classes", "diagnosis", "durationSeconds",
                    "captureDirectory", "evidence", "sessions", "error"] {
            #expect(lab.keys.contains(key), "lab key \(key)")
        }
        #expect(lab["lab"] as? String == "fallback <abort> & co")
        #expect(lab["passed"] as? Bool == false)
        #expect(lab["error"] is NSNull)
        let checks = try #require(lab["checks"] as? [[String: Any]])
        #expect(checks.count == 3)
        for check in checks {
            for key in ["name", "passed", "detail", "expected", "held"] { #expect(check.keys.contains(key), "check key \(key)") }
        }
        #expect(checks[0]["name"] as? String == "failed-redirects-pass")
        #expect(checks[0]["passed"] as? Bool == false)
        #expect(checks[0]["expected"] as? String == "holds")
        #expect((checks[0]["detail"] as? String)?.contains("validator-udp4 on queue 2: 2 of 2 lost") == true)
        let offenders = try #require(checks[0]["offenders"] as? [[String: Any]])
        #expect((offenders.first?["observedFate"] as? [String: Any])?["fate"] as? String == "lost")
        let packets = try #require(lab["packets"] as? [String: Any])
        #expect(packets["injected"] as? Int == 9)
        #expect(packets["kernel"] as? Int == 2)
        #expect(packets["xsk"] as? Int == 5)
        #expect(packets["lost"] as? Int == 2)
        let broken = labs[2]
        #expect(broken["passed"] as? Bool == false)
        #expect((broken["error"] as? String)?.hasPrefix("missing capability") == true)
    }

    @Test("decodes back into the same reports")
    func roundTrip() throws {
        let reports = [ReportFixtures.failing, ReportFixtures.passing, ReportFixtures.broken]
        let context = ReportContext(startedAt: Date(timeIntervalSince1970: 1_700_000_000), hostname: "ci-runner-7")
        let problems = [LabFileProblems(file: "Labs/bad.yaml", problems: [.init(line: 3, column: 1, message: "a tab")])]
        let decoded = try JSONReport.decode(JSONReport.render(reports, labFileErrors: problems, context: context))
        #expect(decoded == ReportDocument(labs: reports, labFileErrors: problems, context: context))
        #expect(decoded.labs == reports)
    }

    @Test("the document says its schema version, xdplab's version, when and where it ran, and whether it was interrupted")
    func documentKeys() throws {
        let context = ReportContext(startedAt: Date(timeIntervalSince1970: 1_700_000_000), hostname: "ci-runner-7",
                                    interruptedBy: "SIGTERM")
        let object = try JSONSerialization.jsonObject(with: Data(JSONReport.render([ReportFixtures.passing], context: context).utf8))
        let top = try #require(object as? [String: Any])
        #expect(Set(top.keys) == ["schemaVersion", "xdplabVersion", "startedAt", "hostname", "interruptedBy", "labs", "labFileErrors", "kernels"])
        #expect(top["schemaVersion"] as? Int == 1)
        #expect(top["xdplabVersion"] as? String == XDPLabVersion.current)
        #expect(top["startedAt"] as? String == "2023-11-14T22:13:20Z")
        #expect(top["hostname"] as? String == "ci-runner-7")
        #expect(top["interruptedBy"] as? String == "SIGTERM")
        #expect((top["labFileErrors"] as? [Any])?.isEmpty == true)
        let plain = try #require(try JSONSerialization.jsonObject(with: Data(JSONReport.render([]).utf8)) as? [String: Any])
        #expect(plain["interruptedBy"] is NSNull)
    }

    @Test("a lab file's problems: the first 50 at their line and column, then how many more")
    func labFileErrors() throws {
        let diagnostics = (1...120).map {
            Diagnostic(location: SourceLocation(file: "Labs/big.yaml", line: $0, column: 3), message: "unknown check 'c\($0)'")
        }
        let problems = LabFileProblems(file: "Labs/big.yaml", diagnostics: diagnostics)
        #expect(problems.problems.count == 50)
        #expect(problems.more == 70)
        #expect(problems.lines.first == "Labs/big.yaml:1:3: error: unknown check 'c1'")
        #expect(problems.lines.last == "… and 70 more problems in Labs/big.yaml")
        let document = try JSONReport.decode(JSONReport.render([], labFileErrors: [problems]))
        #expect(document.labFileErrors == [problems])
    }

    @Test("an infinite stall does not break the JSON")
    func infiniteStall() throws {
        let report = ReportFixtures.infiniteStall
        let labs = try parse(JSONReport.render([report]))
        #expect(labs.count == 1)
    }
}
