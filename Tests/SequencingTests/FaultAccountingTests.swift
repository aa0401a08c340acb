import Testing
@testable import Sequencing

@Suite("fault accounting: the consumer gate and loss attribution")
struct FaultAccountingTests {
    @Test("an open gate lets the consumer through at once and records nothing")
    func openGate() {
        let gate = ConsumerGate()
        gate.holdIfStalled()
        #expect(gate.windows().isEmpty && !gate.isHolding)
    }

    @Test("a stall holds the consumer until it is over and is recorded as one window at least that long")
    func stall() throws {
        // Long enough that a test thread descheduled on a busy machine still finds the stall due.
        let gate = ConsumerGate()
        let before = MonotonicClock.now()
        gate.stall(for: 100_000_000)
        gate.holdIfStalled()
        let after = MonotonicClock.now()
        let windows = gate.windows()
        try #require(windows.count == 1)
        let window = windows[0]
        #expect(window.start >= before && window.end <= after)
        #expect(after - before >= 100_000_000, "the consumer was let go before the stall ended")
        gate.holdIfStalled()
        #expect(gate.windows().count == 1, "a stall is taken once")
    }

    @Test("a shorter stall never cuts a longer one short; stop ends a stall early")
    func overlappingStalls() {
        let gate = ConsumerGate()
        let before = MonotonicClock.now()
        gate.stall(for: 100_000_000)
        gate.stall(for: 1_000)
        gate.holdIfStalled()
        #expect(MonotonicClock.now() - before >= 100_000_000)
        gate.stall(for: 60_000_000_000)
        gate.holdIfStalled { true }
        let windows = gate.windows()
        #expect(windows.count == 2)
        #expect(windows.count == 2 && windows[1].end - windows[1].start < 60_000_000_000, "stop did not end the stall")
    }

    @Test("lost packets are split by whether a fault window (plus grace) covered their send time")
    func attribution() {
        let sendTimes = (0..<10).map { UInt64($0) * 10_000_000 }   // one packet every 10 ms
        let arrivals = [0, 1, 2, 5, 6, 8].map { SequenceArrival(sequence: UInt64($0)) }
        // 3 and 4 lost inside the window 25 ms…45 ms; 7 lost outside; 9 lost inside the grace after 82 ms.
        let windows = [StallWindow(start: 25_000_000, end: 45_000_000), StallWindow(start: 80_000_000, end: 82_000_000)]
        let split = LossAttribution(arrivals: arrivals, expected: 0..<10, sendTimes: sendTimes, faults: windows,
                                    grace: 10_000_000, lead: 0)
        #expect(split.lost == 4 && split.lostDuringFaults == 3 && split.lostOutsideFaults == 1)
        #expect(split.firstOutside == [7])
        let none = LossAttribution(arrivals: arrivals, expected: 0..<10, sendTimes: sendTimes, faults: [], grace: 0)
        #expect(none.lost == 4 && none.lostOutsideFaults == 4 && none.firstOutside == [3, 4, 7, 9])
    }

    @Test("a packet lost just before a window began counts to it; one lost earlier does not")
    func leadBeforeTheWindow() {
        let sendTimes: [UInt64] = [10_000_000, 47_000_000, 49_000_000]
        let window = StallWindow(start: 50_000_000, end: 60_000_000)
        let split = LossAttribution(arrivals: [], expected: 0..<3, sendTimes: sendTimes, faults: [window], grace: 0,
                                    lead: 2_000_000)
        #expect(split.lostDuringFaults == 1 && split.firstOutside == [0, 1])
        let none = LossAttribution(arrivals: [], expected: 0..<3, sendTimes: sendTimes, faults: [window], grace: 0, lead: 0)
        #expect(none.lostDuringFaults == 0)
    }

    @Test("arrivals outside the expected range and duplicates do not hide a loss")
    func strayArrivals() {
        let arrivals = [0, 0, 2, 99].map { SequenceArrival(sequence: UInt64($0)) }
        let split = LossAttribution(arrivals: arrivals, expected: 0..<3, sendTimes: [1, 2, 3], faults: [])
        #expect(split.lost == 1 && split.firstOutside == [1])
    }
}
