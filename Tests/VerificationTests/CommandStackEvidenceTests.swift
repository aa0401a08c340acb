import Evidence
import Testing
@testable import Verification

/// Packets on one queue, sent at the given times, none seen by the kernel.
private func packets(queue: Int, at times: [Double], firstID: UInt64 = 1) -> [InjectedPacket] {
    times.enumerated().map { index, time in
        InjectedPacket(id: firstID + UInt64(index), trafficClass: "validator-udp4", queue: queue, matching: true,
                       flow: "udp #\(firstID + UInt64(index))", sentAt: time)
    }
}

@Suite("A command stack's socket arrivals, from redirect events matched by time")
struct RedirectMatchingTests {
    @Test("each event goes to the packet sent on its queue just before it")
    func matchesByTime() {
        let sent = packets(queue: 0, at: [1.0, 1.05, 1.10])
        // The packet at 1.05 was dropped: no event for it.
        let arrivals = RedirectMatching.arrivals(injected: sent, kernelIDs: [:],
                                                 events: [(1.0002, 0), (1.1001, 0)])
        #expect(arrivals == [1: 0, 3: 0])
    }

    @Test("an event may come just before the send call returned, and late on a busy machine")
    func leadAndLag() {
        let sent = packets(queue: 1, at: [2.0, 3.0])
        let arrivals = RedirectMatching.arrivals(injected: sent, kernelIDs: [:], events: [(1.9995, 1), (3.2, 1)])
        #expect(arrivals == [1: 1, 2: 1])
    }

    @Test("events on another queue, too early or too late, and packets the kernel saw are never matched")
    func unmatched() {
        let sent = packets(queue: 0, at: [1.0, 2.0]) + packets(queue: 1, at: [1.0], firstID: 10)
        let arrivals = RedirectMatching.arrivals(injected: sent, kernelIDs: [2: 2.0],
                                                 events: [(0.5, 0), (1.0001, 2), (1.6, 0), (2.0001, 0)])
        #expect(arrivals.isEmpty, "0.5 precedes every send, key 2 has no packet, 1.6 is past the window, packet 2 reached the kernel")
    }

    @Test("two packets sent together and one event: exactly one counts as arrived")
    func burstCountsExactly() {
        let sent = packets(queue: 0, at: [1.0, 1.00001, 1.00002])
        let arrivals = RedirectMatching.arrivals(injected: sent, kernelIDs: [:], events: [(1.00003, 0), (1.00004, 0)])
        #expect(arrivals.count == 2)
        #expect(Set(arrivals.values) == [0])
    }
}

@Suite("A command stack that exits during the run is named in the diagnosis")
struct StackExitDiagnosisTests {
    @Test("the exit, its time and status, what happened to the packets after it, and the last output")
    func exitNamed() throws {
        var scenario = Scenario()
        scenario.addHealthy("validator-udp4", queues: 0...1)           // before the exit, sent at 0 … 0.4
        scenario.add("validator-udp4", queue: 0, count: 4, fate: .kernel, from: 3)
        scenario.add("validator-udp4", queue: 1, count: 2, fate: .lost, from: 3)
        scenario.evidence.stackProcess = StackProcessRecord(command: ["./stack"], pid: 4242, logPath: "/x/stack.log",
                                                            exitedAt: 2.25, exit: "exited with status 3",
                                                            logTail: ["ready: program id 7", "crash: simulated", ""])
        let sentence = try #require(scenario.diagnosis.first)
        #expect(sentence.hasPrefix("The stack's command (pid 4242) exited with status 3 2.25s into the traffic; after that "
                                   + "6 validator packets on its socket queues reached no socket (4 went to the kernel, 2 were lost)"))
        #expect(sentence.hasSuffix("Its last output: \"crash: simulated\"."))
    }

    @Test("a stack that ran to the end adds nothing")
    func noExit() {
        var scenario = Scenario.healthy
        scenario.evidence.stackProcess = StackProcessRecord(command: ["./stack"], pid: 1, logPath: "/x/stack.log")
        #expect(!scenario.diagnosis.contains { $0.contains("stack's command") })
    }
}
