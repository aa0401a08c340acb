import Sequencing

/// The sizes of one socket's UMEM and rings, and what may stall its drain loop.
public struct XSKSocketOptions: Sendable {
    public var umemFrames: Int
    public var frameSize: Int
    /// Size of the fill and RX rings (a power of two).
    public var ringSize: Int
    /// Frames put on the fill ring at the start.
    public var initialFill: Int
    /// Stalls the drain loop on purpose (sequence labs' fault injection); nil never stalls.
    public var gate: ConsumerGate?

    public init(umemFrames: Int, frameSize: Int, ringSize: Int, initialFill: Int, gate: ConsumerGate? = nil) {
        self.umemFrames = umemFrames
        self.frameSize = frameSize
        self.ringSize = ringSize
        self.initialFill = initialFill
        self.gate = gate
    }
}
