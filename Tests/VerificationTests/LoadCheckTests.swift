import Foundation
import Testing
import LabModel
import Evidence
import Reports
import TestSupport
import Verification

@Suite("load-no-loss and the load record in reports")
struct LoadCheckTests {
    /// A validator template on queue 0 (socket), a non-matching one on queue 0 and a validator one on queue 2 (no socket).
    static func record(socketLoss: Int = 0, wrongSide: Int = 0, backlog: Int = 0) -> LoadRecord {
        var toSocket = LoadTemplateRecord(trafficClass: "validator-udp4", queue: 0, matching: true, flow: "udp a > b:8003")
        toSocket.offered = 1000 + backlog
        toSocket.backlogDrops = backlog
        toSocket.socket = 1000 - socketLoss - wrongSide
        toSocket.kernel = wrongSide
        var other = LoadTemplateRecord(trafficClass: "arp", queue: 0, matching: false, flow: "arp")
        other.offered = 1000
        other.kernel = 1000
        var fallback = LoadTemplateRecord(trafficClass: "validator-udp4", queue: 2, matching: true, flow: "udp a > b:8003")
        fallback.offered = 1000
        fallback.kernel = 1000
        let losses = LoadLosses(queues: [LoadQueueLosses(queue: 0, ringFull: 0, fillRingEmpty: UInt64(socketLoss),
                                                         socketDropped: UInt64(socketLoss), xdpDrops: 0)],
                                redirectErrors: socketLoss > 0 ? [LoadRedirectErrors(errno: 12, count: UInt64(socketLoss))] : [],
                                exceptions: 0)
        return LoadRecord(seconds: 2, requestedRate: "max", templates: [toSocket, other, fallback], losses: losses)
    }

    static func judge(_ load: LoadRecord?) -> CheckResult {
        var observations = Scenario().observations
        observations.load = load
        return Verifier.evaluate([CheckRequest(name: .loadNoLoss, expected: .holds)], observations: observations)[0]
    }

    @Test("every copy where it had to go: holds, with the rate and the totals")
    func holds() {
        let result = Self.judge(Self.record())
        #expect(result.held && result.judged)
        #expect(result.detail == "3000 packets in 2.00 s (1500/s, rate max): 1000 to sockets, 2000 to the kernel, 0 lost after XDP")
    }

    @Test("lost copies fail it, and the detail names the counter that rose on their queue")
    func lost() {
        let result = Self.judge(Self.record(socketLoss: 7))
        #expect(!result.held)
        #expect(result.detail.contains("7 lost after XDP"))
        #expect(result.detail.contains("queue 0: 7 lost (fill ring empty 7, socket rx_dropped 7)"))
        #expect(result.detail.contains("xdp_redirect_err: 7 × ENOMEM"))
        var observations = Scenario().observations
        observations.load = Self.record(socketLoss: 7)
        let diagnosis = Verifier.diagnosis(of: [result], observations: observations)
        #expect(diagnosis.contains { $0.hasPrefix("Under load (1500 packets/s), 7 packets that XDP saw were lost on queue 0: "
                                                  + "the socket's fill ring ran empty 7 times") }, "\(diagnosis)")
        #expect(Verifier.diagnosis(of: [Self.judge(Self.record())], observations: observations)
                    .allSatisfy { !$0.hasPrefix("Under load") })
    }

    @Test("a validator copy that reached the kernel instead of its socket fails it")
    func wrongSide() {
        let result = Self.judge(Self.record(wrongSide: 3))
        #expect(!result.held)
        #expect(result.detail.contains("3 packets went to the wrong side"))
    }

    @Test("copies the sender's veth refused never reached XDP: reported, not judged")
    func backlog() {
        let load = Self.record(backlog: 40)
        let result = Self.judge(load)
        #expect(result.held)
        #expect(result.detail.contains("40 refused by the sender's veth"))
        #expect(load.templates[0].lost == 0 && load.offered == 3040)
    }

    @Test("without a load phase the check is not judged")
    func noLoad() {
        #expect(!Self.judge(nil).judged)
    }

    @Test("a report with a load record conforms to the schema and reads back",
          .enabled(if: ReportSchema.validatorAvailable, Comment(rawValue: ReportSchema.missingReason)))
    func schema() throws {
        var observations = Scenario().observations
        observations.load = Self.record(socketLoss: 2, backlog: 5)
        let results = Verifier.evaluate([CheckRequest(name: .loadNoLoss, expected: .violated)], observations: observations)
        let report = LabReport.make(lab: "load", file: "l.yaml", results: results, observations: observations,
                                    diagnosis: [], durationSeconds: 1, captureDirectory: nil)
        let json = JSONReport.render([report])
        let violations = try ReportSchema.violations(of: json)
        #expect(violations.isEmpty, "\(violations.joined(separator: "\n"))")
        let decoded = try JSONDecoder().decode(ReportDocument.self, from: Data(json.utf8))
        #expect(decoded.labs.first?.load == observations.load)
        #expect(TerminalReport.summary([report], color: false)
                    .contains("queue 0: 2005 sent, 998 to its socket, 1000 to the kernel, 2 lost, 5 refused by the sender's veth"))
        let page = HTMLReport.render(report)
        #expect(page.contains("Load phase"))
        #expect(page.contains("<li>queue 0: 2 lost (fill ring empty 2, socket rx_dropped 2)</li>"))
        #expect(!HTMLReport.render(ReportFixtures.passing).contains("Load phase"))
    }
}
