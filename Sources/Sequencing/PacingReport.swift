/// How closely a run kept its pace, from the times its packets actually went out.
public struct PacingReport: Sendable, Hashable, CustomStringConvertible {
    public var packets: Int
    /// The interval asked for; nil for "as fast as possible".
    public var intendedInterval: UInt64?
    /// Mean time between consecutive sends, nanoseconds.
    public var meanInterval: Double
    public var minimumInterval: UInt64
    public var maximumInterval: UInt64
    /// 99th percentile of |interval - reference| in nanoseconds, where the reference is the intended
    /// interval, or the mean one when there was none.
    public var p99Jitter: UInt64
    /// Packets per second over the whole run.
    public var rate: Double

    /// nil when fewer than two send times were given: there is no interval to judge.
    public init?(sendTimes: [UInt64], intendedInterval: UInt64?) {
        guard sendTimes.count >= 2 else { return nil }
        let intervals = zip(sendTimes.dropFirst(), sendTimes).map { $0 >= $1 ? $0 - $1 : 0 }
        let span = intervals.reduce(0, +)
        packets = sendTimes.count
        self.intendedInterval = intendedInterval
        meanInterval = Double(span) / Double(intervals.count)
        minimumInterval = intervals.min()!
        maximumInterval = intervals.max()!
        let reference = intendedInterval.map { Double($0) } ?? meanInterval
        let deviations = intervals.map { UInt64(abs(Double($0) - reference).rounded()) }.sorted()
        p99Jitter = Percentile.nearestRank(99, of: deviations)
        rate = span == 0 ? 0 : Double(intervals.count) * 1e9 / Double(span)
    }

    public init?(sendTimes: [UInt64], schedule: PacedSchedule) {
        self.init(sendTimes: sendTimes, intendedInterval: schedule.interval)
    }

    public var description: String {
        let target = intendedInterval.map { " (target \(DurationText.nanoseconds($0)))" } ?? " (as fast as possible)"
        return "sent \(packets) packets, mean interval \(DurationText.nanoseconds(Int64(meanInterval.rounded())))\(target), "
            + "p99 jitter \(DurationText.nanoseconds(p99Jitter)), \(DecimalText.fixed(rate, digits: 0)) packets/s"
    }
}
