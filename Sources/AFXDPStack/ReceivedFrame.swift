/// One frame an AF_XDP socket of the stack received.
public struct ReceivedFrame: Sendable, Hashable {
    /// The packet's tag id (`PacketTag.find`), nil for untagged frames.
    public let id: UInt64?
    /// The RX queue of the socket that received it.
    public let queue: Int
    /// Seconds on CLOCK_MONOTONIC when the poller took it off the RX ring.
    public let arrival: Double
    public let length: Int
    /// The sequence number of a sequenced packet (`SequencePayload` at the start of its UDP payload).
    public let sequence: UInt64?
    /// CLOCK_MONOTONIC nanoseconds: the sequenced packet's send stamp, if it carries one.
    public let sentNanoseconds: UInt64?
    /// CLOCK_MONOTONIC nanoseconds when the poller took it off the RX ring (`arrival`, finer).
    public let arrivalNanoseconds: UInt64

    public init(id: UInt64?, queue: Int, arrival: Double, length: Int, sequence: UInt64? = nil,
                sentNanoseconds: UInt64? = nil, arrivalNanoseconds: UInt64? = nil) {
        self.id = id
        self.queue = queue
        self.arrival = arrival
        self.length = length
        self.sequence = sequence
        self.sentNanoseconds = sentNanoseconds
        self.arrivalNanoseconds = arrivalNanoseconds ?? UInt64(max(arrival, 0) * 1e9)
    }
}
