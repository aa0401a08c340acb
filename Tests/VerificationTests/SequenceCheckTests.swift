import Foundation
import Testing
import Evidence
import LabModel
import Reports
import Sequencing
import Verification

/// Observations of a sequence run built by hand: `sent` packets, one every millisecond from t = 1 s, of which
/// the receiver got `arrived` in that order.
private struct SequenceScenario {
    var sent = 100
    var arrived: [UInt64] = Array(0..<100)
    var bound: LossBound = .packets(0)
    var faults: [StallWindow] = []
    var evidence: ReceiverEvidence = .none
    var receiver: SequenceReceiverKind = .afXDP

    static let start: UInt64 = 1_000_000_000
    static func sendTime(_ sequence: Int) -> UInt64 { start + UInt64(sequence) * 1_000_000 }

    var observations: SequenceObservations {
        let arrivals = arrived.map { SequenceArrival(sequence: $0, arrivalNanoseconds: Self.sendTime(Int($0)) + 5_000,
                                                      sentNanoseconds: Self.sendTime(Int($0))) }
        let expected = 0..<UInt64(sent)
        return SequenceObservations(
            receiver: receiver, report: SequenceChecker.check(arrivals, expected: expected), sent: sent, lossBound: bound,
            attribution: LossAttribution(arrivals: arrivals, expected: expected,
                                         sendTimes: (0..<sent).map(Self.sendTime), faults: faults),
            faults: faults.map { FaultRecord(what: "consumer stalled", from: Double($0.start - Self.start) / 1e9,
                                             until: Double($0.end - Self.start) / 1e9) },
            reachedKernel: 0, evidence: evidence)
    }

    func evaluate(_ name: String, expected: Outcome = .holds) -> CheckResult {
        SequenceVerifier.evaluate([CheckRequest(name: CheckName(rawValue: name)!, expected: expected)],
                                  observations: observations)[0]
    }
}

@Suite("sequence checks: in-order and no-loss")
struct SequenceCheckTests {
    @Test("a perfect run holds both")
    func perfect() {
        let scenario = SequenceScenario()
        let order = scenario.evaluate("in-order"), loss = scenario.evaluate("no-loss")
        #expect(order.passed && order.held && order.detail == "all 100 arrivals came in the order sent, without a gap")
        #expect(loss.passed && loss.detail == "lost 0 of 100 sent")
    }

    @Test("loss alone keeps the order; no-loss fails with the count and where the loss fell")
    func lossKeepsOrder() {
        var scenario = SequenceScenario()
        scenario.arrived = Array(0..<40) + Array(60..<100)
        let order = scenario.evaluate("in-order")
        #expect(order.held)
        #expect(order.detail == "all 80 arrivals came in the order sent, 1 gap where packets were lost: "
                + "missed 20 packets between 39 and 60")
        let loss = scenario.evaluate("no-loss")
        #expect(!loss.held && !loss.passed)
        #expect(loss.detail == "lost 20 of 100 sent (20.00%)\n  lost, e.g. #40, #41, #42, #43, #44, #45, #46, #47, #48, #49")
    }

    @Test("reordering violates in-order and lists the gaps as the published experiment printed them")
    func reordering() {
        var scenario = SequenceScenario()
        scenario.arrived = Array(0..<10) + Array(20..<30) + Array(10..<20) + Array(30..<100)
        let order = scenario.evaluate("in-order", expected: .violated)
        #expect(!order.held && order.passed)
        #expect(order.detail == """
            10 of 100 arrivals came out of order and 0 twice; 3 discontinuities, the first:
              missed 10 packets between 9 and 20
              missed -20 packets between 29 and 10
              missed 10 packets between 19 and 30
            """)
        #expect(scenario.evaluate("no-loss").held, "a late packet is out of order, not lost")
    }

    @Test("a duplicate violates in-order")
    func duplicate() {
        var scenario = SequenceScenario()
        scenario.arrived = Array(0..<50) + [49] + Array(50..<100)
        #expect(!scenario.evaluate("in-order").held)
    }

    @Test("numeric bounds: packets and a share of what was sent")
    func bounds() {
        var scenario = SequenceScenario()
        scenario.arrived = Array(0..<95)
        scenario.bound = .packets(5)
        #expect(scenario.evaluate("no-loss").held)
        scenario.bound = .packets(4)
        #expect(!scenario.evaluate("no-loss").held)
        scenario.bound = .fraction(0.05)
        let share = scenario.evaluate("no-loss")
        #expect(share.held)
        #expect(share.detail.hasPrefix("lost 5 of 100 sent (5.00%), at most 5 allowed (max-loss 5%)"))
        scenario.bound = .fraction(0.049)
        #expect(!scenario.evaluate("no-loss").held)
    }

    @Test("during-faults: loss while the consumer was stalled is allowed, loss outside is not")
    func duringFaults() {
        var scenario = SequenceScenario()
        scenario.bound = .duringFaults
        // Stalled from packet 30's send time to packet 50's; 40..<55 lost: 50..<55 within the grace after the stall.
        scenario.faults = [StallWindow(start: SequenceScenario.sendTime(30), end: SequenceScenario.sendTime(50))]
        scenario.arrived = Array(0..<40) + Array(55..<100)
        let inside = scenario.evaluate("no-loss")
        #expect(inside.held)
        #expect(inside.detail == """
            lost 15 of 100 sent (15.00%), every one sent while a fault was in force (max-loss during-faults)
              faults: consumer stalled 0.030s–0.050s
            """)
        scenario.arrived = Array(0..<40) + Array(55..<90)
        let outside = scenario.evaluate("no-loss")
        #expect(!outside.held)
        #expect(outside.detail.contains("10 of them outside every fault"))
        #expect(outside.detail.contains("lost outside the faults, e.g. #90, #91, #92"))
    }

    @Test("nothing received or nothing sent cannot be judged, and never passes")
    func undecided() {
        var scenario = SequenceScenario()
        scenario.arrived = []
        let order = scenario.evaluate("in-order", expected: .violated)
        #expect(!order.judged && !order.passed)
        scenario.sent = 0
        let loss = scenario.evaluate("no-loss")
        #expect(!loss.judged && !loss.passed)
        let other = scenario.evaluate("ssh-survives")
        #expect(!other.judged && other.detail.contains("needs packet classes"))
    }

    @Test("diagnosis names the overwrite bug from the ring's own counters")
    func overwriteDiagnosis() {
        var scenario = SequenceScenario()
        scenario.receiver = .mapRing
        scenario.arrived = Array(0..<10) + Array(20..<30) + Array(10..<20)
        scenario.evidence = .mapRing(MapRingState(writeIndex: 100, stored: 64, fullDrops: 36, contentionDrops: 0,
                                                  consumed: 30, occupied: 8, ringSize: 64))
        let results = SequenceVerifier.evaluate([CheckRequest(name: .inOrder, expected: .violated)],
                                                observations: scenario.observations)
        let sentences = SequenceVerifier.diagnosis(of: results, observations: scenario.observations)
        #expect(sentences.count == 2)
        #expect(sentences[0].hasPrefix("The map ring's write index ran ahead of what it stored: write_index 100 = stored 64 + 36 slots skipped"))
        #expect(sentences[0].contains("leave the write index where it was"))
        #expect(sentences[1].hasPrefix("8 of the ring's 64 slots still held packets after the run"))
    }

    @Test("diagnosis reads the AF_XDP socket's and the UDP socket's counters")
    func socketDiagnosis() {
        var scenario = SequenceScenario()
        scenario.evidence = .afXDP(SocketStatistics(rxDropped: 7, rxRingFull: 3, rxFillRingEmptyDescs: 4))
        let xsk = SequenceVerifier.diagnosis(of: [], observations: scenario.observations)
        #expect(xsk.count == 2 && xsk[0].contains("rx_ring_full") && xsk[1].contains("rx_fill_ring_empty_descs"))
        scenario.receiver = .udpSocket
        scenario.evidence = .udpSocket(counters: ["RcvbufErrors": 12, "NoPorts": 0])
        #expect(SequenceVerifier.diagnosis(of: [], observations: scenario.observations)
                == ["12 datagrams were dropped because the socket's receive buffer was full (Udp RcvbufErrors): its reader fell behind."])
    }

    @Test("the summary goes into all three reports and survives JSON")
    func summaryInReports() throws {
        var scenario = SequenceScenario()
        scenario.arrived = Array(0..<10) + Array(20..<30) + Array(10..<20) + Array(30..<90)
        scenario.bound = .duringFaults
        scenario.faults = [StallWindow(start: SequenceScenario.sendTime(85), end: SequenceScenario.sendTime(95))]
        let observations = scenario.observations
        let results = SequenceVerifier.evaluate([CheckRequest(name: .inOrder, expected: .violated),
                                                 CheckRequest(name: .noLoss, expected: .holds)], observations: observations)
        let pacing = PacingReport(sendTimes: (0..<100).map(SequenceScenario.sendTime), intendedInterval: 1_000_000)
        let summary = SequenceSummary(observations: observations, flow: "udp 198.18.0.2:40000 > 198.18.0.1:8003 on queue 1",
                                      pacing: pacing, ringSamples: "run.ring.csv", ringPicture: "run.ring.svg")
        #expect(summary.lines == [
            "sequence: 100 packets, udp 198.18.0.2:40000 > 198.18.0.1:8003 on queue 1 → af-xdp",
            "pacing: mean interval 1 ms (target 1 ms), p99 jitter 0 ns, 1000 packets/s",
            "received 90: 10 lost, 0 duplicated, 10 out of order, 3 discontinuities",
            "lost while a fault was in force: 10, outside: 0",
            "  missed 10 packets between 9 and 20",
            "  missed -20 packets between 29 and 10",
            "  missed 10 packets between 19 and 30",
            "latency p50 5 µs, p90 5 µs, p99 5 µs, max 5 µs (90 samples)",
            "faults: consumer stalled 0.085s–0.095s",
            "ring watch: run.ring.csv",
            "ring picture: run.ring.svg",
        ])
        let report = LabReport(lab: "sequence", file: "Labs/sequence.yaml", passed: results.allSatisfy(\.passed),
                               checks: results, packets: PacketCounts(injected: 100, kernel: 0, xsk: 90, lost: 10),
                               classes: [], diagnosis: [], durationSeconds: 1, captureDirectory: nil, evidence: nil,
                               sessions: [], error: nil, sequence: summary)
        #expect(report.passed)
        let json = JSONReport.render([report])
        #expect(try JSONReport.decode(json).labs == [report])
        #expect(json.contains("\"outOfOrder\" : 10"))
        let terminal = TerminalReport.summary([report], color: false)
        #expect(terminal.contains("  received 90: 10 lost, 0 duplicated, 10 out of order, 3 discontinuities\n"))
        #expect(terminal.contains("      10 of 90 arrivals came out of order"))
        let junit = JUnitReport.render([report])
        #expect(junit.contains("sequence: 100 packets, udp 198.18.0.2:40000 &gt; 198.18.0.1:8003 on queue 1 → af-xdp"))
    }
}
