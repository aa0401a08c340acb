/// A load phase (`traffic.load`): after the paced classes, every class is sent again as fast as the machine
/// allows, or at `rate`, across the queues, for `duration` seconds while the stack runs.
public struct LoadSpec: Sendable, Equatable {
    /// Seconds of load.
    public var duration: Double
    /// Packets per second over all queues; nil: as fast as the sender can (`rate: max`).
    public var rate: Int?

    public init(duration: Double = 3, rate: Int? = nil) {
        self.duration = duration
        self.rate = rate
    }

    /// "max" or the rate as a number.
    public var rateText: String { rate.map(String.init) ?? "max" }
}
