/// Which lost packets were sent while a fault was in force (the consumer stalled, the program detached, the
/// receiver not yet registered) and which were lost for no such reason: "loss during the stall only" is
/// the second count being zero.
public struct LossAttribution: Sendable, Hashable {
    /// A lost packet sent up to this long after a fault window ended still counts as lost to it: it was on
    /// its way (socket, veth ring, NAPI) while the receiver was still full or away.
    public static let grace: UInt64 = 5_000_000
    /// A lost packet sent up to this long before a fault window began counts too: its send time is stamped when
    /// its batch is built, and on a busy machine the batch can reach XDP after the program was detached.
    public static let lead: UInt64 = 2_000_000

    public var lost: Int
    public var lostDuringFaults: Int
    public var lostOutsideFaults: Int
    /// The first few sequence numbers lost outside every fault window.
    public var firstOutside: [UInt64]

    /// - Parameters:
    ///   - arrivals: what the receiver got, in any order.
    ///   - expected: the sequence numbers sent; `sendTimes[i]` is when `expected.lowerBound + i` went out.
    ///   - faults: fault windows on the send times' clock (CLOCK_MONOTONIC), any order, may overlap.
    public init(arrivals: [SequenceArrival], expected: Range<UInt64>, sendTimes: [UInt64], faults: [StallWindow],
                grace: UInt64 = LossAttribution.grace, lead: UInt64 = LossAttribution.lead, exampleLimit: Int = 10) {
        precondition(sendTimes.count == expected.count, "one send time per expected packet")
        var seen = [UInt64](repeating: 0, count: (expected.count + 63) / 64)
        for arrival in arrivals where expected.contains(arrival.sequence) {
            let offset = Int(arrival.sequence - expected.lowerBound)
            seen[offset >> 6] |= 1 << UInt64(offset & 63)
        }
        let windows = faults.map { StallWindow(start: $0.start > lead ? $0.start - lead : 0, end: $0.end + grace) }
            .sorted { $0.start < $1.start }
        var lost = 0, during = 0
        var examples: [UInt64] = []
        for offset in 0..<expected.count where seen[offset >> 6] & (1 << UInt64(offset & 63)) == 0 {
            lost += 1
            let sent = sendTimes[offset]
            // Windows are few (a handful of faults); a linear look is cheaper than keeping a cursor right.
            if windows.contains(where: { $0.contains(sent) }) {
                during += 1
            } else if examples.count < exampleLimit {
                examples.append(expected.lowerBound + UInt64(offset))
            }
        }
        self.lost = lost
        lostDuringFaults = during
        lostOutsideFaults = lost - during
        firstOutside = examples
    }
}
