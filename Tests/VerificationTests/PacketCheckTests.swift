import Testing
import Evidence
import LabModel
import Verification

@Suite("packet checks")
struct PacketCheckTests {
    @Test("a healthy run passes all five checks with one-line summaries")
    func healthyRunPasses() {
        let scenario = Scenario.healthy
        let five = CheckName.allCases.filter { $0 != .recovers && $0 != .loadNoLoss && !$0.needsSequence }
        let results = Verifier.evaluate(five.map { CheckRequest(name: $0, expected: .holds) },
                                        observations: scenario.observations)
        #expect(results.map(\.name) == five.map(\.rawValue))
        #expect(results.allSatisfy { $0.passed && $0.held && $0.judged && $0.offenders.isEmpty })
        #expect(results.allSatisfy { !$0.detail.contains("\n") })
        #expect(results[0].detail == "80 non-matching packets, all reached the kernel")
        #expect(results[1].detail == "20 validator packets on queues without a registered socket (queues 2, 3), all passed to the kernel")
        #expect(results[2].detail == "20 validator packets on queues with a registered socket (queues 0, 1), all reached the socket on their queue")
        #expect(Verifier.diagnosis(of: results, observations: scenario.observations).isEmpty)
    }

    @Test("expecting a violation inverts the verdict, both ways")
    func violatedExpectationInverts() {
        let healthy = Scenario.healthy.evaluate(.nonMatchingReachKernel, expected: .violated)
        #expect(healthy.held && !healthy.passed)

        var broken = Scenario.healthy
        broken.add("arp", queue: 2, fate: .lost)
        let result = broken.evaluate(.nonMatchingReachKernel, expected: .violated)
        #expect(!result.held && result.passed)
    }

    @Test("non-matching packets lost: grouped by class and queue, with flows and the queue's veth drops")
    func nonMatchingLost() {
        var scenario = Scenario.healthy
        scenario.add("arp", queue: 2, count: 4, fate: .lost)
        scenario.add("vlan-tagged", queue: 3, count: 2, fate: .xsk(queue: 3))
        scenario.evidence.queueCounters = [2: ["xdp_drops": 4, "xdp_packets": 30], 0: ["xdp_drops": 9]]
        let result = scenario.evaluate(.nonMatchingReachKernel)
        #expect(!result.held && !result.passed)
        #expect(result.detail.hasPrefix("6 of 86 non-matching packets did not go where they had to:"))
        #expect(result.detail.contains("arp on queue 2: 4 of 9 lost — expected the kernel (not a validator packet, XDP must pass it), "
            + "observed: lost; e.g. #121 arp 198.18.0.2 > 198.18.0.1 #121, #122 arp 198.18.0.2 > 198.18.0.1 #122\n"))
        #expect(result.detail.contains("vlan-tagged on queue 3: 2 of 7 wrong — expected the kernel (not a validator packet, XDP must pass it), observed: the AF_XDP socket on queue 3"))
        #expect(result.detail.contains("veth xdp_drops on queue 2: 4"))
        #expect(!result.detail.contains("veth xdp_drops on queue 0"), "only the offenders' queues")
        #expect(result.offenders.count == 6)
        #expect(result.offenders[0] == Offender(id: 121, trafficClass: "arp", queue: 2, flow: "arp 198.18.0.2 > 198.18.0.1 #121",
                                                expectedFate: "the kernel (not a validator packet, XDP must pass it)", observedFate: .lost))
        #expect(result.offenders[5].observedFate == .xsk(queue: 3))
    }

    @Test("failed redirects lost on socketless queues: the detail names the fallback and the abort events")
    func failedRedirectsAborted() {
        var scenario = Scenario()
        scenario.addHealthy("validator-udp4", queues: 0...1)
        scenario.add("validator-udp4", queue: 2, count: 20, fate: .lost)
        scenario.add("validator-udp4", queue: 3, count: 20, fate: .lost)
        scenario.evidence.exceptions = [ExceptionCount(action: 0, count: 40)]
        let result = scenario.evaluate(.failedRedirectsPass)
        #expect(!result.held)
        #expect(result.detail.contains("validator-udp4 on queue 2: 20 of 20 lost — expected the kernel (no socket on queue 2, the fallback must pass them), observed: lost"))
        #expect(result.detail.contains("udp 198.18.0.2:40011 > 198.18.0.1:8003"))
        #expect(result.detail.contains("xdp_exception: 40 events with action 0 (XDP_ABORTED)"))
        #expect(scenario.evaluate(.matchingReachXSK).passed, "queues with sockets are fine")
    }

    @Test("matching packets delivered to another queue's socket are a violation")
    func wrongQueue() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 0, count: 3, fate: .xsk(queue: 0))
        scenario.add("validator-udp4", queue: 1, count: 3, fate: .xsk(queue: 0))
        let result = scenario.evaluate(.matchingReachXSK)
        #expect(!result.held)
        #expect(result.detail.contains("validator-udp4 on queue 1: 3 of 3 wrong — expected the AF_XDP socket on queue 1, observed: the AF_XDP socket on queue 0"))
        #expect(result.offenders.map(\.observedFate) == Array(repeating: .xsk(queue: 0), count: 3))
        #expect(scenario.diagnosis.contains { $0.contains("another queue") && $0.contains("1 → 0") })
    }

    @Test("queues lost alike are merged into one line; partly lost queues stay apart")
    func mergedQueues() {
        var scenario = Scenario()
        for queue in 0...3 { scenario.add("arp", queue: queue, count: 5, fate: .lost) }
        scenario.add("ndp", queue: 0, count: 2, fate: .kernel)
        scenario.add("ndp", queue: 0, count: 3, fate: .lost)
        scenario.add("ndp", queue: 1, count: 5, fate: .lost)
        let detail = scenario.evaluate(.nonMatchingReachKernel).detail
        #expect(detail.contains("  arp on queues 0–3: 20 of 20 lost — expected the kernel"))
        #expect(detail.contains("  ndp on queue 0: 3 of 5 lost"))
        #expect(detail.contains("  ndp on queue 1: 5 of 5 lost"))
        #expect(detail.split(separator: "\n").count == 5)
    }

    @Test("a packet seen by both the kernel and a socket is flagged")
    func bothIsAViolation() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 0, count: 2, fate: .both(queue: 0))
        let result = scenario.evaluate(.matchingReachXSK)
        #expect(!result.held)
        #expect(result.detail.contains("observed: both the kernel and the AF_XDP socket on queue 0"))
    }

    @Test("mixed fates in one group are counted per fate")
    func mixedFates() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 0, count: 3, fate: .lost)
        scenario.add("validator-udp4", queue: 0, count: 2, fate: .kernel)
        scenario.add("validator-udp4", queue: 0, count: 1, fate: .xsk(queue: 0))
        let result = scenario.evaluate(.matchingReachXSK)
        #expect(result.detail.contains("validator-udp4 on queue 0: 5 of 6 wrong — expected the AF_XDP socket on queue 0, observed: 3 lost, 2 the kernel"))
    }

    @Test("no packets in scope: the check is not judged and never passes")
    func emptyScope() {
        var scenario = Scenario()
        scenario.socketQueues = [0, 1, 2, 3]
        scenario.addHealthy("validator-udp4")
        for expected in [Outcome.holds, .violated] {
            let result = scenario.evaluate(.failedRedirectsPass, expected: expected)
            #expect(!result.judged && !result.passed)
            #expect(result.detail.contains("no validator packets on queues without a registered socket"))
        }
    }

    @Test("offenders are capped, the detail still counts all of them")
    func offenderLimit() {
        var scenario = Scenario()
        scenario.add("other-udp4", queue: 0, count: 150, fate: .lost)
        let result = scenario.evaluate(.nonMatchingReachKernel)
        #expect(result.offenders.count == Verifier.offenderLimit)
        #expect(result.detail.contains("150 of 150 non-matching packets"))
    }

    @Test("capture drops are called out: lost may not mean lost")
    func captureDrops() {
        var scenario = Scenario.healthy
        scenario.captureDrops = 7
        #expect(scenario.evaluate(.nonMatchingReachKernel).detail.contains("capture incomplete: it dropped 7 frames"))
        #expect(scenario.diagnosis.contains { $0.contains("The capture dropped 7 frames") })
    }

    @Test("a sequence check in a packet-class lab fails, whatever was expected")
    func sequenceCheckInPacketLab() {
        let results = Verifier.evaluate([CheckRequest(name: .inOrder, expected: .violated)],
                                        observations: Scenario.healthy.observations)
        #expect(results.count == 1)
        #expect(!results[0].passed && !results[0].judged)
        #expect(results[0].detail.contains("\"in-order\" needs traffic.sequence"))
        #expect(results[0].detail.contains("ssh-survives"))
    }
}
