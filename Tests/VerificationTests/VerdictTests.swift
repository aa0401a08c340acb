import Foundation
import Testing
import Evidence
import LabModel
import Reports
import TestSupport
import Verification

/// Per-packet XDP verdicts joined to packet fates: the disagreements, the lost packets named by verdict, the
/// reports. No kernel: the verdicts are written by hand as the fexit recorder would record them.
@Suite("per-packet XDP verdicts")
struct VerdictTests {
    /// The scenario's packets with the verdict `verdict(packet)` gives each (nil: none recorded).
    private func withVerdicts(_ scenario: Scenario, _ verdict: (InjectedPacket) -> PacketVerdict?) -> Scenario {
        var copy = scenario
        copy.evidence.verdicts = VerdictEvidence(program: "prog (id 7)", verdicts: scenario.injected.compactMap(verdict))
        return copy
    }

    /// What a correct program returns: redirect matching packets on socket queues, pass the rest.
    private func correct(_ scenario: Scenario) -> (InjectedPacket) -> PacketVerdict? {
        { packet in
            packet.matching && scenario.socketQueues.contains(packet.queue)
                ? PacketVerdict(id: packet.id, action: PacketVerdict.redirect, queue: packet.queue,
                                redirectKey: Int32(packet.queue), redirectErrno: 0)
                : PacketVerdict(id: packet.id, action: PacketVerdict.pass, queue: packet.queue)
        }
    }

    @Test("verdicts that fit where every packet went: no disagreement, no diagnosis sentence")
    func agreeing() throws {
        let scenario = withVerdicts(.healthy, correct(.healthy))
        let join = try #require(VerdictJoin(scenario.observations))
        #expect(join.rows.count == scenario.injected.count)
        #expect(join.disagreements.isEmpty)
        #expect(VerdictDiagnosis.sentences(scenario.observations).isEmpty)
    }

    @Test("each kind of disagreement is found, and only where verdict and fate contradict")
    func disagreements() {
        let pass = PacketVerdict(id: 1, action: PacketVerdict.pass, queue: 0)
        let redirect = PacketVerdict(id: 1, action: PacketVerdict.redirect, queue: 0, redirectKey: 0, redirectErrno: 0)
        let failed = PacketVerdict(id: 1, action: PacketVerdict.redirect, queue: 1, redirectKey: 0, redirectErrno: 22)
        let aborted = PacketVerdict(id: 1, action: PacketVerdict.aborted, queue: 0)
        let illegal = PacketVerdict(id: 1, action: 7, queue: 0)
        #expect(VerdictJoin.disagreement(pass, .kernel) == nil)
        #expect(VerdictJoin.disagreement(pass, .lost) == .passNotSeenByKernel)
        #expect(VerdictJoin.disagreement(pass, .xsk(queue: 0)) == .passNotSeenByKernel)
        #expect(VerdictJoin.disagreement(redirect, .xsk(queue: 0)) == nil)
        #expect(VerdictJoin.disagreement(redirect, .lost) == .redirectNotReceived)
        #expect(VerdictJoin.disagreement(redirect, .kernel) == .redirectNotReceived)
        #expect(VerdictJoin.disagreement(failed, .lost) == nil)
        #expect(VerdictJoin.disagreement(failed, .xsk(queue: 1)) == .droppedButSeen)
        #expect(VerdictJoin.disagreement(aborted, .lost) == nil)
        #expect(VerdictJoin.disagreement(aborted, .kernel) == .droppedButSeen)
        #expect(VerdictJoin.disagreement(illegal, .both(queue: 0)) == .droppedButSeen)
    }

    @Test("verdict texts name the action, the redirect's key and its failure")
    func texts() {
        #expect(PacketVerdict(id: 1, action: 2, queue: 0).text == "XDP_PASS")
        #expect(PacketVerdict(id: 1, action: 4, queue: 0, redirectKey: 1, redirectErrno: 0).text == "XDP_REDIRECT to key 1")
        #expect(PacketVerdict(id: 1, action: 4, queue: 2, redirectKey: 0, redirectErrno: 22).text
                == "XDP_REDIRECT to key 0, failed: EINVAL")
        #expect(PacketVerdict(id: 1, action: 9, queue: 0).text == "illegal 9 (treated as XDP_ABORTED)")
        #expect(PacketVerdict(id: 1, action: UInt32(bitPattern: -2), queue: 0).text == "illegal -2 (treated as XDP_ABORTED)")
    }

    @Test("a program that redirects to key 0 from every queue: each lost packet is named with its verdict")
    func lostPacketsNamed() throws {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 0, count: 3, fate: .xsk(queue: 0))
        scenario.add("validator-udp4", queue: 1, count: 3, fate: .lost)
        scenario.add("validator-udp4", queue: 2, count: 3, fate: .lost)
        scenario.add("arp", queue: 2, count: 2, fate: .kernel)
        scenario = withVerdicts(scenario) { packet in
            packet.matching ? PacketVerdict(id: packet.id, action: 4, queue: packet.queue, redirectKey: 0,
                                            redirectErrno: packet.queue == 0 ? 0 : 22)
                : PacketVerdict(id: packet.id, action: 2, queue: packet.queue)
        }
        let sentences = VerdictDiagnosis.sentences(scenario.observations)
        let lost = try #require(sentences.first { $0.hasPrefix("Lost packets") })
        #expect(lost.contains("validator-udp4 on queues 1, 2: 6 lost — program returned XDP_REDIRECT to key 0, failed: EINVAL"))
        #expect(!sentences.contains { $0.hasPrefix("Verdict and observation disagree") })

        let check = scenario.evaluate(.matchingReachXSK)
        #expect(check.offenders.count == 3)
        #expect(check.offenders.allSatisfy { $0.verdict == "XDP_REDIRECT to key 0, failed: EINVAL" })
        #expect(check.detail.contains("program returned XDP_REDIRECT to key 0, failed: EINVAL"))
    }

    @Test("a PASS the kernel never saw and a DROP that reached it are findings, with examples")
    func disagreementsInDiagnosis() throws {
        var scenario = Scenario()
        scenario.add("other-udp4", queue: 2, count: 4, fate: .lost)
        scenario.add("arp", queue: 3, count: 2, fate: .kernel)
        scenario = withVerdicts(scenario) { packet in
            PacketVerdict(id: packet.id, action: packet.trafficClass == "arp" ? PacketVerdict.drop : PacketVerdict.pass,
                          queue: packet.queue)
        }
        let sentences = VerdictDiagnosis.sentences(scenario.observations)
        let passed = try #require(sentences.first { $0.contains("returned XDP_PASS but the kernel's tap never saw them") })
        #expect(passed.hasPrefix("Verdict and observation disagree for 4 packets"))
        #expect(passed.contains("#1 other-udp4 on queue 2: XDP_PASS, observed: lost"))
        #expect(sentences.contains { $0.contains("disagree for 2 packets") && $0.contains("ends the frame in XDP") })
        let summary = try #require(VerdictSummary(scenario.observations))
        #expect(summary.disagreements.map(\.disagreement) == [.passNotSeenByKernel, .passNotSeenByKernel,
                                                               .passNotSeenByKernel, .passNotSeenByKernel,
                                                               .droppedButSeen, .droppedButSeen])
    }

    @Test("packets without a verdict are counted, lost ones as never seen by the program")
    func missingVerdicts() throws {
        var scenario = Scenario()
        scenario.add("other-udp4", queue: 0, count: 3, fate: .kernel)
        scenario.add("other-udp4", queue: 1, count: 2, fate: .lost)
        scenario = withVerdicts(scenario) { $0.queue == 0 ? PacketVerdict(id: $0.id, action: 2, queue: 0) : nil }
        let sentences = VerdictDiagnosis.sentences(scenario.observations)
        #expect(sentences.contains("2 packets have no recorded XDP verdict (2 of them lost: the program never ran on them, "
                                   + "or the recorder missed them)."))
        #expect(sentences.contains { $0.contains("other-udp4 on queue 1: 2 lost — no verdict recorded") })
        let summary = try #require(VerdictSummary(scenario.observations))
        #expect(summary.recorded == 3 && summary.missing == 2)
    }

    @Test("where fexit is refused, the report says so once and judges nothing by verdicts")
    func unavailable() throws {
        var scenario = Scenario.healthy
        scenario.evidence.verdicts = .unavailable("fexit on the XDP program is refused by this kernel: Operation not permitted (EPERM)")
        #expect(VerdictJoin(scenario.observations) == nil)
        #expect(VerdictDiagnosis.sentences(scenario.observations).isEmpty)
        let report = LabReport.make(lab: "gate", file: "gate.yaml", results: [], observations: scenario.observations,
                                    diagnosis: [], durationSeconds: 1, captureDirectory: nil)
        let text = TerminalReport.summary([report], color: false)
        #expect(text.components(separatedBy: "verdicts unavailable").count == 2)
        #expect(text.contains("per-packet XDP verdicts unavailable: fexit on the XDP program is refused by this kernel: "
                              + "Operation not permitted (EPERM)"))
        #expect(report.evidence?.verdicts == nil, "the raw verdicts are carried once, in the report's verdicts")
        #expect(HTMLReport.render(report).contains("per-packet XDP verdicts unavailable"))
    }

    @Test("a report with verdicts: terminal counts per class, JSON round trip, schema, HTML")
    func reports() throws {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 1, count: 2, fate: .lost)
        scenario.add("other-udp4", queue: 0, count: 2, fate: .kernel)
        scenario = withVerdicts(scenario) { packet in
            packet.matching ? PacketVerdict(id: packet.id, action: 0, queue: packet.queue)
                : PacketVerdict(id: packet.id, action: 2, queue: packet.queue)
        }
        let observations = scenario.observations
        let report = LabReport.make(lab: "buggy", file: "buggy.yaml", results: [], observations: observations,
                                    diagnosis: Verifier.diagnosis(of: [], observations: observations), durationSeconds: 1,
                                    captureDirectory: nil)
        let text = TerminalReport.summary([report], color: false)
        #expect(text.contains("per-packet XDP verdicts (fexit on prog (id 7)): 4 of 4 packets"))
        #expect(text.contains("validator-udp4: 2 × XDP_ABORTED"))
        #expect(text.contains("other-udp4: 2 × XDP_PASS"))
        let json = JSONReport.render([report])
        let decoded = try JSONReport.decode(json).labs[0]
        #expect(decoded.verdicts == report.verdicts)
        if ReportSchema.validatorAvailable {
            let violations = try ReportSchema.violations(of: json)
            #expect(violations.isEmpty, "\(violations)")
        }
        let page = HTMLReport.render(report)
        #expect(page.contains("#1 validator-udp4 on queue 1: lost: program returned XDP_ABORTED"))
    }
}
