/// One frame an AF_XDP socket of the stack received.
public struct ReceivedFrame: Sendable, Hashable {
    /// The packet's tag id (`PacketTag.find`), nil for untagged frames.
    public let id: UInt64?
    /// The RX queue of the socket that received it.
    public let queue: Int
    /// The sequence number of a sequenced packet (`SequencePayload` at the start of its UDP payload).
    public let sequence: UInt64?
    /// CLOCK_MONOTONIC nanoseconds: the sequenced packet's send stamp, if it carries one.
    public let sentNanoseconds: UInt64?
    /// CLOCK_MONOTONIC nanoseconds when the poller took it off the RX ring.
    public let arrivalNanoseconds: UInt64

    public init(id: UInt64?, queue: Int, arrivalNanoseconds: UInt64, sequence: UInt64? = nil,
                sentNanoseconds: UInt64? = nil) {
        self.id = id
        self.queue = queue
        self.sequence = sequence
        self.sentNanoseconds = sentNanoseconds
        self.arrivalNanoseconds = arrivalNanoseconds
    }
}
