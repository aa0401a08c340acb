/// One packet as a receiver saw it, in the order it saw them.
public struct SequenceArrival: Sendable, Hashable {
    public var sequence: UInt64
    /// CLOCK_MONOTONIC nanoseconds when it arrived (the XDP program's stamp, or the socket read), if known.
    public var arrivalNanoseconds: UInt64?
    /// CLOCK_MONOTONIC nanoseconds when it was sent, from its payload, if stamped.
    public var sentNanoseconds: UInt64?

    public init(sequence: UInt64, arrivalNanoseconds: UInt64? = nil, sentNanoseconds: UInt64? = nil) {
        self.sequence = sequence
        self.arrivalNanoseconds = arrivalNanoseconds
        self.sentNanoseconds = sentNanoseconds
    }

    /// Arrival minus send time, when both stamps are present. Negative only if the clocks disagree.
    public var latencyNanoseconds: Int64? {
        guard let arrivalNanoseconds, let sentNanoseconds else { return nil }
        return Int64(bitPattern: arrivalNanoseconds &- sentNanoseconds)
    }
}
