import Testing
import Evidence
import Verification
import Reports

@Suite("lab report values")
struct LabReportTests {
    @Test("packet counts per class and in total; both counts as xsk and is flagged")
    func counts() {
        let report = ReportFixtures.failing
        #expect(report.packets == PacketCounts(injected: 9, kernel: 2, xsk: 5, lost: 2, both: 1))
        #expect(report.classes.map(\.trafficClass) == ["validator-udp4", "arp", "other-udp4"])
        #expect(report.classes[0] == ClassSummary(trafficClass: "validator-udp4", injected: 6, kernel: 0, xsk: 4, lost: 2))
        #expect(report.classes[2] == ClassSummary(trafficClass: "other-udp4", injected: 1, kernel: 0, xsk: 1, lost: 0))
    }

    @Test("a lab passes only when it has checks and every one came out as expected")
    func passed() {
        #expect(!ReportFixtures.failing.passed)
        #expect(ReportFixtures.passing.passed)
        let empty = LabReport.make(lab: "x", file: "x.yaml", results: [], observations: Scenario().observations,
                                   diagnosis: [], durationSeconds: 0, captureDirectory: nil)
        #expect(!empty.passed)
    }
}
