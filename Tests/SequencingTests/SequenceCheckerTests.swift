import Testing
@testable import Sequencing

@Suite struct SequenceCheckerTests {
    static func arrivals(_ sequences: [UInt64]) -> [SequenceArrival] { sequences.map { SequenceArrival(sequence: $0) } }

    @Test func inOrderRunIsClean() {
        let report = SequenceChecker.check(Self.arrivals(Array(0..<1000)), expected: 0..<1000)
        #expect(report.received == 1000 && report.expected == 1000 && report.distinct == 1000)
        #expect(report.lost == 0 && report.duplicated == 0 && report.outOfOrder == 0)
        #expect(report.discontinuities == 0 && report.gaps.isEmpty)
        #expect(report.isInOrder && report.lossIsWithin(0))
        #expect(report.latency == nil)
    }

    @Test func gapLinesUseThePublishedForm() {
        #expect(SequenceGap(previous: 1_278_788, next: 1_278_853).description == "missed 64 packets between 1278788 and 1278853")
        #expect(SequenceGap(previous: 1_278_855, next: 1_278_840).description == "missed -16 packets between 1278855 and 1278840")
        #expect(SequenceGap(previous: 7, next: 7).missed == -1)
    }

    @Test func plainLossIsLostNotReordered() {
        let sent = Array(UInt64(0)..<100).filter { !(40..<50).contains($0) }
        let report = SequenceChecker.check(Self.arrivals(sent), expected: 0..<100)
        #expect(report.lost == 10)
        #expect(report.outOfOrder == 0 && report.isInOrder)
        #expect(report.gapLines == ["missed 10 packets between 39 and 50"])
        #expect(!report.lossIsWithin(9) && report.lossIsWithin(10))
    }

    @Test func lateArrivalIsNotLost() {
        // 5 overtaken by 6 and 7, then arrives: out of order, nothing lost.
        let report = SequenceChecker.check(Self.arrivals([0, 1, 2, 3, 4, 6, 7, 5, 8, 9]), expected: 0..<10)
        #expect(report.lost == 0)
        #expect(report.outOfOrder == 1)
        #expect(report.duplicated == 0)
        #expect(report.gapLines == ["missed 1 packets between 4 and 6", "missed -3 packets between 7 and 5",
                                    "missed 2 packets between 5 and 8"])
        #expect(!report.isInOrder)
    }

    @Test func duplicatesAreCountedOnce() {
        let report = SequenceChecker.check(Self.arrivals([0, 1, 1, 2, 0, 3]), expected: 0..<4)
        #expect(report.received == 6 && report.distinct == 4)
        #expect(report.duplicated == 2)
        #expect(report.outOfOrder == 0)   // a repeat is a duplicate, not also out of order
        #expect(report.lost == 0)
        #expect(report.discontinuities == 3)
        #expect(!report.isInOrder)
    }

    /// What the buggy ring does after a stall: the writer ran ahead while the poller was stopped, so the
    /// poller reads a slot the writer has just refilled with a newer packet, then the older ones behind it.
    @Test func overwritePatternGivesPositiveThenNegativeGaps() {
        var sequences = Array(UInt64(1_278_725)...1_278_788)          // 64 packets before the stall
        sequences += Array(UInt64(1_278_853)...1_278_855)            // the writer is 64 ahead
        sequences += Array(UInt64(1_278_840)...1_278_852)            // and the slots behind hold older ones
        sequences += Array(UInt64(1_278_856)...1_278_900)
        let report = SequenceChecker.check(Self.arrivals(sequences), expected: 1_278_725..<1_278_901)
        #expect(report.gapLines == ["missed 64 packets between 1278788 and 1278853",
                                    "missed -16 packets between 1278855 and 1278840",
                                    "missed 3 packets between 1278852 and 1278856"])
        #expect(report.outOfOrder == 13)
        #expect(report.lost == 1_278_840 - 1_278_789)
        #expect(report.duplicated == 0)
        #expect(!report.isInOrder)
    }

    @Test func gapListIsCappedButAllAreCounted() {
        let sequences = stride(from: UInt64(0), to: 100, by: 2).map { $0 }
        let report = SequenceChecker.check(Self.arrivals(sequences), expected: 0..<100, gapLimit: 3)
        #expect(report.gaps.count == 3)
        #expect(report.discontinuities == 49)
        #expect(report.lost == 50)
        #expect(report.summaryLines.contains("… 46 more"))
    }

    @Test func withoutAnExpectedRangeLowestToHighestIsExpected() {
        let report = SequenceChecker.check(Self.arrivals([10, 11, 14, 12]))
        #expect(report.expected == 5)
        #expect(report.lost == 1)   // 13
        #expect(report.outOfOrder == 1)
        #expect(report.lowestSequence == 10 && report.highestSequence == 14)
    }

    @Test func arrivalsOutsideTheRangeAreUnexpected() {
        let report = SequenceChecker.check(Self.arrivals([0, 1, 2, 99, 3]), expected: 0..<4)
        #expect(report.unexpected == 1)
        #expect(report.distinct == 4 && report.lost == 0)
        #expect(report.outOfOrder == 1)   // 3 after 99
    }

    @Test func packetsBelowTheFirstArrivalAreTracked() {
        // No range: the bitmap starts at the first arrival, 50; earlier numbers still count and de-duplicate.
        let report = SequenceChecker.check(Self.arrivals([50, 51, 3, 3, 52]))
        #expect(report.duplicated == 1)
        #expect(report.outOfOrder == 1)
        #expect(report.expected == 50 && report.distinct == 4 && report.lost == 46)
    }

    @Test func latencyPercentilesAreNearestRank() {
        let arrivals = (0..<100).map { i in
            SequenceArrival(sequence: UInt64(i), arrivalNanoseconds: 1_000_000 + UInt64(i + 1) * 10, sentNanoseconds: 1_000_000)
        }
        let latency = SequenceChecker.check(arrivals).latency
        #expect(latency?.count == 100)
        #expect(latency?.minimum == 10 && latency?.p50 == 500 && latency?.p90 == 900 && latency?.p99 == 990)
        #expect(latency?.maximum == 1000)
    }

    @Test func unstampedArrivalsGiveNoLatency() {
        let arrivals = [SequenceArrival(sequence: 0, arrivalNanoseconds: 5), SequenceArrival(sequence: 1, sentNanoseconds: 3)]
        #expect(SequenceChecker.check(arrivals).latency == nil)
    }

    @Test func largeRunsStayExact() {
        var checker = SequenceChecker(expected: 0..<1_000_000)
        for sequence in UInt64(0)..<1_000_000 where sequence % 1000 != 999 { checker.record(sequence: sequence) }
        let report = checker.report()
        #expect(report.lost == 1000)
        #expect(report.discontinuities == 999)
    }
}
