/// One-way latency percentiles (arrival stamp minus send stamp), nanoseconds, nearest rank.
public struct LatencySummary: Sendable, Hashable, CustomStringConvertible {
    public var count: Int
    public var minimum: Int64
    public var p50: Int64
    public var p90: Int64
    public var p99: Int64
    public var maximum: Int64

    /// nil when there is no sample.
    public init?(samples: [Int64]) {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        count = sorted.count
        minimum = sorted[0]
        p50 = Percentile.nearestRank(50, of: sorted)
        p90 = Percentile.nearestRank(90, of: sorted)
        p99 = Percentile.nearestRank(99, of: sorted)
        maximum = sorted[sorted.count - 1]
    }

    public var description: String {
        "latency p50 \(DurationText.nanoseconds(p50)), p90 \(DurationText.nanoseconds(p90)), "
            + "p99 \(DurationText.nanoseconds(p99)), max \(DurationText.nanoseconds(maximum)) (\(count) samples)"
    }
}
