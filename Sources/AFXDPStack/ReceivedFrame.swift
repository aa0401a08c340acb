/// One frame an AF_XDP socket of the stack received.
public struct ReceivedFrame: Sendable, Hashable {
    /// The packet's tag id (`PacketTag.find`), nil for untagged frames.
    public let id: UInt64?
    /// The RX queue of the socket that received it.
    public let queue: Int
    /// Seconds on CLOCK_MONOTONIC when the poller took it off the RX ring.
    public let arrival: Double
    public let length: Int

    public init(id: UInt64?, queue: Int, arrival: Double, length: Int) {
        self.id = id
        self.queue = queue
        self.arrival = arrival
        self.length = length
    }
}
