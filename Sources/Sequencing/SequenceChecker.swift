/// Judges a receiver's arrivals, fed one by one in the order the receiver saw them.
///
/// Memory: one bit per expected sequence number, plus 8 bytes per latency sample.
public struct SequenceChecker: Sendable {
    public let expectedRange: Range<UInt64>?
    /// How many gaps the report lists one by one (all are counted).
    public let gapLimit: Int

    private var seen: SequenceSet
    private var received = 0
    private var duplicated = 0
    private var outOfOrder = 0
    private var discontinuities = 0
    private var gaps: [SequenceGap] = []
    private var previous: UInt64?
    private var highest: UInt64?
    private var lowest: UInt64?
    private var latencies: [Int64] = []

    /// - Parameter expected: the sequence numbers the sender sent; nil to take lowest...highest of what arrives.
    public init(expected: Range<UInt64>? = nil, gapLimit: Int = 10) {
        expectedRange = expected
        self.gapLimit = gapLimit
        seen = SequenceSet(base: expected?.lowerBound)
    }

    public mutating func record(_ arrival: SequenceArrival) {
        let sequence = arrival.sequence
        received += 1
        if let previous, sequence != previous &+ 1 {
            discontinuities += 1
            if gaps.count < gapLimit { gaps.append(SequenceGap(previous: previous, next: sequence)) }
        }
        previous = sequence
        if !seen.insert(sequence) {
            duplicated += 1
        } else if let top = highest, sequence < top {
            outOfOrder += 1
        }
        highest = max(highest ?? sequence, sequence)
        lowest = min(lowest ?? sequence, sequence)
        if let latency = arrival.latencyNanoseconds { latencies.append(latency) }
    }

    public mutating func record(sequence: UInt64, arrivalNanoseconds: UInt64? = nil, sentNanoseconds: UInt64? = nil) {
        record(SequenceArrival(sequence: sequence, arrivalNanoseconds: arrivalNanoseconds, sentNanoseconds: sentNanoseconds))
    }

    public mutating func record<S: Sequence>(contentsOf arrivals: S) where S.Element == SequenceArrival {
        for arrival in arrivals { record(arrival) }
    }

    public func report() -> SequenceReport {
        let range = expectedRange ?? lowest.map { $0..<(highest! == .max ? .max : highest! + 1) } ?? 0..<0
        let inRange = seen.count(in: range)
        let expected = range.count
        return SequenceReport(received: received, expected: expected, distinct: inRange, lost: expected - inRange,
                              duplicated: duplicated, outOfOrder: outOfOrder, unexpected: seen.count - inRange,
                              discontinuities: discontinuities, gaps: gaps, lowestSequence: lowest,
                              highestSequence: highest, latency: LatencySummary(samples: latencies))
    }

    /// Checks a whole run at once.
    public static func check<S: Sequence>(_ arrivals: S, expected: Range<UInt64>? = nil, gapLimit: Int = 10) -> SequenceReport
    where S.Element == SequenceArrival {
        var checker = SequenceChecker(expected: expected, gapLimit: gapLimit)
        checker.record(contentsOf: arrivals)
        return checker.report()
    }
}
