import Testing
@testable import Sequencing

@Suite struct PacedScheduleTests {
    @Test func intervalByCountGivesFixedOffsets() {
        let schedule = PacedSchedule(pacing: .interval(nanoseconds: 1_000), extent: .count(4))
        #expect(schedule.plannedCount == 4)
        #expect(schedule.deadlines(start: 10_000) == [10_000, 11_000, 12_000, 13_000])
        #expect(schedule.deadline(ofPacket: 4, start: 0) == nil)
        #expect(schedule.isFinished(sent: 4, start: 0, now: 0))
        #expect(!schedule.isFinished(sent: 3, start: 0, now: .max))
    }

    @Test func intervalByDurationRoundsUp() {
        let schedule = PacedSchedule(pacing: .interval(nanoseconds: 300), extent: .duration(nanoseconds: 1_000))
        #expect(schedule.plannedCount == 4)   // at 0, 300, 600, 900
        #expect(schedule.deadlines(start: 0) == [0, 300, 600, 900])
    }

    @Test func asFastAsPossibleForADurationEndsByTheClock() {
        let schedule = PacedSchedule(pacing: .asFastAsPossible, extent: .duration(nanoseconds: 5_000))
        #expect(schedule.plannedCount == nil && schedule.deadlines(start: 0) == nil)
        #expect(schedule.deadline(ofPacket: 1_000_000, start: 7) == 7)
        #expect(!schedule.isFinished(sent: 1_000_000, start: 100, now: 5_099))
        #expect(schedule.isFinished(sent: 0, start: 100, now: 5_100))
    }

    @Test func zeroIntervalIsAsFastAsPossible() {
        let schedule = PacedSchedule(pacing: .interval(nanoseconds: 0), extent: .count(3))
        #expect(schedule.interval == nil)
        #expect(schedule.deadlines(start: 5) == [5, 5, 5])
    }

    @Test func runSendsEachPacketOnceNeverBeforeItsDeadline() {
        var sent: [Int] = []
        var early: [Int] = []
        let schedule = PacedSchedule(pacing: .interval(nanoseconds: 20_000), extent: .count(50))
        let start = MonotonicClock.now()
        let times = schedule.run(start: start) { index in
            sent.append(index)
            if MonotonicClock.now() < schedule.deadline(ofPacket: index, start: start)! { early.append(index) }
        }
        #expect(sent == Array(0..<50))
        #expect(early.isEmpty)
        #expect(times.count == 50)
        #expect(zip(times.dropFirst(), times).allSatisfy { $0 >= $1 })
    }

    @Test func pacingReportFromSendTimes() throws {
        let times: [UInt64] = [0, 1_000, 2_000, 3_500, 4_500, 5_500]   // intervals 1000 ×4 and one 1500
        let report = try #require(PacingReport(sendTimes: times, intendedInterval: 1_000))
        #expect(report.packets == 6)
        #expect(report.meanInterval == 1_100)
        #expect(report.minimumInterval == 1_000 && report.maximumInterval == 1_500)
        #expect(report.p99Jitter == 500)
        #expect(report.description == "sent 6 packets, mean interval 1.1 µs (target 1 µs), p99 jitter 500 ns, 909091 packets/s")
        #expect(PacingReport(sendTimes: [5], intendedInterval: nil) == nil)
    }

    @Test func jitterWithoutATargetIsAroundTheMean() throws {
        let report = try #require(PacingReport(sendTimes: [0, 100, 300, 400], intendedInterval: nil))
        #expect(report.p99Jitter == 67)   // intervals 100, 200, 100 around 133.3
    }
}

@Suite struct StallPlanTests {
    @Test func onceCoversItsWindowOnly() {
        let plan = StallPlan.once(at: 1_000, for: 500)
        #expect(plan.stallEnd(at: 999) == nil)
        #expect(plan.stallEnd(at: 1_000) == 1_500)
        #expect(plan.stallEnd(at: 1_499) == 1_500)
        #expect(plan.stallEnd(at: 1_500) == nil)
    }

    @Test func periodicRepeats() {
        let plan = StallPlan.periodic(every: 1_000, for: 100, firstAt: 250)
        #expect(plan.stallEnd(at: 249) == nil)
        #expect(plan.stallEnd(at: 250) == 350)
        #expect(plan.stallEnd(at: 2_300) == 2_350)
        #expect(plan.stallEnd(at: 2_350) == nil)
        #expect(plan.windows(before: 2_300).map(\.start) == [250, 1_250, 2_250])
    }

    @Test func overlappingWindowsEndAtTheLatest() {
        let plan = StallPlan(windows: [StallWindow(start: 0, end: 100), StallWindow(start: 50, end: 300)])
        #expect(plan.stallEnd(at: 60) == 300)
        #expect(StallPlan.none.isEmpty && StallPlan.none.stallEnd(at: 0) == nil)
    }
}

@Suite struct StallPlanWindowTests {
    @Test func windowAtGivesTheCoveringWindow() {
        let plan = StallPlan(windows: [StallWindow(start: 100, duration: 50)], periodic: .init(every: 1_000, duration: 10, firstAt: 120))
        #expect(plan.window(at: 99) == nil)
        #expect(plan.window(at: 110) == StallWindow(start: 100, end: 150))
        #expect(plan.window(at: 125) == StallWindow(start: 100, end: 150))   // the periodic one ends earlier
        #expect(plan.window(at: 1_125) == StallWindow(start: 1_120, end: 1_130))
        #expect(plan.window(at: 1_130) == nil)
    }
}
