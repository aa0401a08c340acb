import Evidence

/// Everything one run observed, gathered by the orchestrator; the checks are pure functions of it.
public struct Observations: Sendable {
    public var injected: [InjectedPacket]
    /// Tag ids the capture saw arrive, so they reached the kernel (value: seconds since capture start).
    public var kernelIDs: [UInt64: Double]
    /// Tag id → RX queue of the AF_XDP socket that received it.
    public var xskArrivals: [UInt64: Int]
    /// Queues with a socket registered in the XSKMAP.
    public var socketQueues: Set<Int>
    public var queueCount: Int
    public var sessions: [SessionRecord]
    /// The lab's limit for the longest pause of an SSH session, in seconds.
    public var sshMaxStall: Double
    public var sshEnabled: Bool
    public var evidence: KernelEvidence
    /// ARP + ND frames the capture saw: proof that neighbours were re-resolved.
    public var neighbourFrames: Int
    /// Frames the capture lost; non-zero makes every "lost" verdict doubtful.
    public var captureDrops: UInt32
    /// When the sockets were registered in the XSKMAP, in seconds on the clock of `InjectedPacket.sentAt`,
    /// if that happened while traffic flowed (a late `register` step); nil when they were registered before.
    public var socketsRegisteredAt: Double?
    /// What a recovery drill did, when the lab has one.
    public var recovery: RecoveryRecord?
    /// What the load phase sent and where it went, when the lab has one (`traffic.load`).
    public var load: LoadRecord?

    public init(injected: [InjectedPacket], kernelIDs: [UInt64: Double], xskArrivals: [UInt64: Int],
                socketQueues: Set<Int>, queueCount: Int, sessions: [SessionRecord], sshMaxStall: Double,
                sshEnabled: Bool, evidence: KernelEvidence, neighbourFrames: Int, captureDrops: UInt32,
                socketsRegisteredAt: Double? = nil) {
        self.socketsRegisteredAt = socketsRegisteredAt
        self.injected = injected
        self.kernelIDs = kernelIDs
        self.xskArrivals = xskArrivals
        self.socketQueues = socketQueues
        self.queueCount = queueCount
        self.sessions = sessions
        self.sshMaxStall = sshMaxStall
        self.sshEnabled = sshEnabled
        self.evidence = evidence
        self.neighbourFrames = neighbourFrames
        self.captureDrops = captureDrops
    }
}

/// Whether a packet met a registered socket on its queue.
public enum SocketState: Sendable, Equatable {
    /// A socket is registered for the packet's queue.
    case registered
    /// No socket on the queue at all.
    case none
    /// The queue's socket was registered only after the packet was sent (a late `register` step).
    case notYetRegistered
    /// Sent so close to the registration that either fate is right; such packets are not judged.
    case registering
}

extension Observations {
    /// Packets sent within this many seconds of a late registration may meet either state of the slot.
    public static let registrationMargin = 0.05

    public func socketState(of packet: InjectedPacket) -> SocketState {
        guard socketQueues.contains(packet.queue) else { return .none }
        guard let registeredAt = socketsRegisteredAt else { return .registered }
        if packet.sentAt < registeredAt - Self.registrationMargin { return .notYetRegistered }
        if packet.sentAt > registeredAt + Self.registrationMargin { return .registered }
        return .registering
    }
}
