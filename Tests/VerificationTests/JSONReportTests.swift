import Foundation
import Testing
import Evidence
import Verification
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
        let decoded = try JSONDecoder().decode([String: [LabReport]].self, from: Data(JSONReport.render(reports).utf8))
        #expect(decoded["labs"] == reports)
    }

    @Test("an infinite stall does not break the JSON")
    func infiniteStall() throws {
        var scenario = Scenario()
        scenario.addSessions(stall: .infinity, completed: 0)
        let observations = scenario.observations
        let results = Verifier.evaluate([CheckRequest(name: "ssh-survives", expected: .holds)], observations: observations)
        let report = LabReport.make(lab: "stall", file: "s.yaml", results: results, observations: observations,
                                    diagnosis: [], durationSeconds: 1, captureDirectory: nil)
        let labs = try parse(JSONReport.render([report]))
        #expect(labs.count == 1)
    }
}
