import Testing
import Evidence
import LabModel
import Verification

@Suite("ssh-survives and no-xdp-exceptions")
struct SessionAndExceptionCheckTests {
    @Test("ssh-survives passes with a summary of exchanges and stalls")
    func sessionsSurvive() {
        let result = Scenario.healthy.evaluate(.sshSurvives)
        #expect(result.passed)
        #expect(result.detail == "2 sessions completed 60 of 60 exchanges, longest stall 0.2s (limit 2s); "
                + "neighbours were re-resolved meanwhile (12 ARP/ND frames of the hosts' own)")
    }

    @Test("surviving sessions without any neighbour resolution say that expiry was not exercised")
    func sessionsSurviveWithoutResolution() {
        var scenario = Scenario.healthy
        scenario.neighbourFrames = 0
        let result = scenario.evaluate(.sshSurvives)
        #expect(result.held)
        #expect(result.detail.hasSuffix("so neighbour expiry was not exercised"))
    }

    @Test("a stall over the limit or missing exchanges break ssh-survives; the detail names the session")
    func sessionsStall() {
        var scenario = Scenario()
        scenario.addSessions(stall: 11.6, completed: 12, failure: "connect timed out", queues: [2])
        scenario.addSessions(queues: [0])
        scenario.add("arp", queue: 2, count: 4, fate: .lost)
        scenario.neighbourFrames = 3
        let result = scenario.evaluate(.sshSurvives)
        #expect(!result.held && result.judged)
        #expect(result.detail.contains("1 of 2 sessions did not survive"))
        #expect(result.detail.contains("queue 2, tcp 198.18.0.2:41002 > 198.18.0.1:22: 12 of 30 exchanges, stalled at 3.5s, longest stall 11.6s (limit 2s), ended: connect timed out"))
        #expect(result.detail.contains("the capture saw 3 ARP/ND frames of the hosts' own; 4 of 4 injected ARP/ND packets were lost"))
        #expect(scenario.evaluate(.sshSurvives, expected: .violated).passed)
    }

    @Test("a stall just over the limit counts even when every exchange completed")
    func stallOnly() {
        var scenario = Scenario()
        scenario.addSessions(stall: 2.01)
        #expect(!scenario.evaluate(.sshSurvives).held)
        scenario.sessions = []
        scenario.addSessions(stall: 2.0)
        #expect(scenario.evaluate(.sshSurvives).held)
    }

    @Test("without SSH traffic ssh-survives cannot be judged and never passes")
    func noSSH() {
        var scenario = Scenario.healthy
        scenario.sshEnabled = false
        scenario.sessions = []
        for expected in [Outcome.holds, .violated] {
            let result = scenario.evaluate(.sshSurvives, expected: expected)
            #expect(!result.held && !result.judged && !result.passed)
            #expect(result.detail == "no SSH sessions in this lab's traffic")
        }
    }

    @Test("SSH planned but no records is a failure")
    func noRecords() {
        var scenario = Scenario()
        scenario.sshEnabled = true
        let result = scenario.evaluate(.sshSurvives)
        #expect(!result.held && result.judged)
    }

    @Test("no-xdp-exceptions names every kind of event, including illegal actions")
    func exceptions() {
        var scenario = Scenario.healthy
        scenario.evidence = KernelEvidence(
            tracepointsAttached: true,
            exceptions: [ExceptionCount(action: 0xFFFF_FFFE, count: 60), ExceptionCount(action: 0, count: 3)],
            redirectErrors: [RedirectErrorCount(errno: 22, mapIndex: 0, count: 40)],
            sockets: [0: SocketStatistics(rxDropped: 1200, rxFillRingEmptyDescs: 1200), 1: SocketStatistics()],
            queueCounters: [2: ["xdp_drops": 60]])
        let result = scenario.evaluate(.noXDPExceptions)
        #expect(!result.held && !result.passed)
        #expect(result.detail.hasPrefix("63 xdp_exception events, 40 xdp_redirect_err events, 60 veth xdp_drops, 1200 packets dropped by AF_XDP sockets:"))
        #expect(result.detail.contains("xdp_exception: 3 events with action 0 (XDP_ABORTED)"))
        #expect(result.detail.contains("xdp_exception: 60 events with action 4294967294 (-2), not a valid XDP action: the kernel treats it as XDP_ABORTED"))
        #expect(result.detail.contains("xdp_redirect_err: 40 × EINVAL on key 0"))
        #expect(result.detail.contains("socket on queue 0: rx_dropped 1200, rx_fill_ring_empty_descs 1200"))
        #expect(!result.detail.contains("socket on queue 1"))
        #expect(result.detail.contains("veth xdp_drops on queue 2: 60"))
        #expect(scenario.evaluate(.noXDPExceptions, expected: .violated).passed)
    }

    @Test("socket drops alone break no-xdp-exceptions")
    func socketDropsOnly() {
        var scenario = Scenario.healthy
        scenario.evidence.sockets = [1: SocketStatistics(rxDropped: 5, rxRingFull: 5)]
        let result = scenario.evaluate(.noXDPExceptions)
        #expect(!result.held)
        #expect(result.detail.contains("socket on queue 1: rx_dropped 5, rx_ring_full 5"))
    }

    @Test("without tracepoints a clean run is undecided, a run with drops still fails")
    func withoutTracepoints() {
        var scenario = Scenario.healthy
        scenario.evidence = KernelEvidence(tracepointsAttached: false, gaps: ["tracepoints unavailable: EPERM"])
        let undecided = scenario.evaluate(.noXDPExceptions)
        #expect(!undecided.judged && !undecided.passed)
        #expect(undecided.detail.contains("tracepoints unavailable: EPERM"))
        scenario.evidence.queueCounters = [1: ["xdp_drops": 2]]
        let failed = scenario.evaluate(.noXDPExceptions)
        #expect(failed.judged && !failed.held)
        #expect(failed.detail.contains("tracepoints were not attached"))
    }
}
