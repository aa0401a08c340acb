/// What a receiver got, judged against what was sent.
///
/// Every arrival is exactly one of: in order (higher than every sequence before it), out of order (first
/// time seen, but lower than the highest seen before) or a duplicate (seen before). So
/// `received == inOrder + outOfOrder + duplicated`. A packet is lost only if it never arrives: a late
/// arrival counts as out of order, not as lost.
public struct SequenceReport: Sendable, Hashable {
    /// Arrivals, duplicates included.
    public var received: Int
    /// Packets the sender sent: the expected range's size, or highest - lowest + 1 of what arrived.
    public var expected: Int
    /// Distinct sequence numbers received within the expected range.
    public var distinct: Int
    /// Expected packets that never arrived.
    public var lost: Int
    /// Arrivals whose sequence was seen before.
    public var duplicated: Int
    /// First-time arrivals lower than the highest sequence seen before them.
    public var outOfOrder: Int
    /// Distinct arrivals outside the expected range (another run's packets, a corrupted payload).
    public var unexpected: Int
    /// Consecutive arrival pairs that were not n, n+1; `gaps` holds the first few.
    public var discontinuities: Int
    public var gaps: [SequenceGap]
    public var lowestSequence: UInt64?
    public var highestSequence: UInt64?
    /// Present when arrivals carried both stamps.
    public var latency: LatencySummary?

    /// The gaps as the published experiment printed them: "missed -16 packets between 1278855 and 1278840".
    public var gapLines: [String] { gaps.map(\.description) }

    /// The `in-order` check: nothing arrived out of order or twice.
    public var isInOrder: Bool { outOfOrder == 0 && duplicated == 0 }

    /// The `no-loss` check with a bound: at most `bound` expected packets never arrived.
    public func lossIsWithin(_ bound: Int) -> Bool { lost <= bound }

    public var lossFraction: Double { expected == 0 ? 0 : Double(lost) / Double(expected) }

    /// A few lines for a terminal report.
    public var summaryLines: [String] {
        var lines = ["received \(received) of \(expected) expected: \(lost) lost, \(duplicated) duplicated, "
                     + "\(outOfOrder) out of order, \(discontinuities) discontinuities"]
        if unexpected > 0 { lines.append("\(unexpected) sequence numbers outside the expected range") }
        lines += gapLines
        if discontinuities > gaps.count { lines.append("… \(discontinuities - gaps.count) more") }
        if let latency { lines.append(latency.description) }
        return lines
    }
}
