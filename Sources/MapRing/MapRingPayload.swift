/// One slot's content as the poller took it out of the ring, kept when `Options.keepPayloads` is set.
public struct MapRingPayload: Sendable, Hashable {
    /// The poller's read index when it took the slot (0 for the first packet consumed).
    public var readIndex: UInt64
    /// CLOCK_MONOTONIC nanoseconds when the XDP program saw the packet.
    public var arrivalNanoseconds: UInt64
    /// The first payload bytes, at most `MapRingLayout.slotDataCapacity`.
    public var bytes: [UInt8]
}
