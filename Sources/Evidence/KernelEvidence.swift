/// What the kernel itself reported about the stack during a run: the tracepoint events of the program under
/// test, each AF_XDP socket's XDP_STATISTICS and the driver's per-queue XDP counters. The stack layer reads it;
/// the verification layer uses it to explain where packets went.
public struct KernelEvidence: Sendable, Codable, Hashable {
    /// Whether the tracepoint counters were attached for the whole run. When false, zero events prove nothing.
    public var tracepointsAttached: Bool
    /// `xdp:xdp_exception` events of the program under test, one entry per raw action value.
    public var exceptions: [ExceptionCount]
    /// `xdp:xdp_redirect_err` events of the program under test, one entry per (errno, map key).
    public var redirectErrors: [RedirectErrorCount]
    /// XDP_STATISTICS of each AF_XDP socket, by the RX queue it is bound to.
    public var sockets: [Int: SocketStatistics]
    /// The driver's per-RX-queue counters with the `rx_queue_N_` prefix removed, e.g. `queueCounters[2]?["xdp_drops"]`.
    public var queueCounters: [Int: [String: UInt64]]
    /// What could not be read, in words ("tracepoints unavailable: …"), so a report can say the evidence is partial.
    public var gaps: [String]
    /// XDP programs that replaced one another on the interface during start-up, in order: a second loader's
    /// plain attach silently takes the first program's place.
    public var replacements: [ProgramReplacement]

    public init(tracepointsAttached: Bool = false, exceptions: [ExceptionCount] = [],
                redirectErrors: [RedirectErrorCount] = [], sockets: [Int: SocketStatistics] = [:],
                queueCounters: [Int: [String: UInt64]] = [:], gaps: [String] = [],
                replacements: [ProgramReplacement] = []) {
        self.replacements = replacements
        self.tracepointsAttached = tracepointsAttached
        self.exceptions = exceptions
        self.redirectErrors = redirectErrors
        self.sockets = sockets
        self.queueCounters = queueCounters
        self.gaps = gaps
    }

    public var exceptionTotal: UInt64 { exceptions.reduce(0) { $0 + $1.count } }
    public var redirectErrorTotal: UInt64 { redirectErrors.reduce(0) { $0 + $1.count } }

    /// One per-queue counter summed over all queues, e.g. `queueTotal("xdp_drops")`.
    public func queueTotal(_ counter: String) -> UInt64 {
        queueCounters.values.reduce(0) { $0 + ($1[counter] ?? 0) }
    }
}

/// `xdp:xdp_exception` fired `count` times with this raw action (0 is XDP_ABORTED; values above 4 are illegal
/// and the kernel treats them as XDP_ABORTED).
public struct ExceptionCount: Sendable, Codable, Hashable {
    public let action: UInt32
    public let count: UInt64

    public init(action: UInt32, count: UInt64) {
        self.action = action
        self.count = count
    }
}

/// `xdp:xdp_redirect_err` fired `count` times with this error on this map key (for an XSKMAP, the key the
/// program asked for, not necessarily the queue the packet arrived on).
public struct RedirectErrorCount: Sendable, Codable, Hashable {
    /// Positive errno: 22 EINVAL (socket bound elsewhere), 12 ENOMEM (fill ring empty), 105 ENOBUFS (RX ring full), …
    public let errno: Int32
    public let mapIndex: Int32
    public let count: UInt64

    public init(errno: Int32, mapIndex: Int32, count: UInt64) {
        self.errno = errno
        self.mapIndex = mapIndex
        self.count = count
    }
}

/// One AF_XDP socket's `struct xdp_statistics` (getsockopt SOL_XDP / XDP_STATISTICS).
public struct SocketStatistics: Sendable, Codable, Hashable {
    public var rxDropped: UInt64
    public var rxInvalidDescs: UInt64
    public var txInvalidDescs: UInt64
    public var rxRingFull: UInt64
    public var rxFillRingEmptyDescs: UInt64
    public var txRingEmptyDescs: UInt64

    public init(rxDropped: UInt64 = 0, rxInvalidDescs: UInt64 = 0, txInvalidDescs: UInt64 = 0,
                rxRingFull: UInt64 = 0, rxFillRingEmptyDescs: UInt64 = 0, txRingEmptyDescs: UInt64 = 0) {
        self.rxDropped = rxDropped
        self.rxInvalidDescs = rxInvalidDescs
        self.txInvalidDescs = txInvalidDescs
        self.rxRingFull = rxRingFull
        self.rxFillRingEmptyDescs = rxFillRingEmptyDescs
        self.txRingEmptyDescs = txRingEmptyDescs
    }
}

/// One XDP program taking another's place on the stack's interface.
public struct ProgramReplacement: Sendable, Codable, Hashable {
    /// "port_redirect (id 41) of the socket on queue 0"
    public let replaced: String
    public let replacedBy: String
    /// Ports the replaced program claimed, which nothing claims any more.
    public let orphanedPorts: [UInt16]

    public init(replaced: String, replacedBy: String, orphanedPorts: [UInt16]) {
        self.replaced = replaced
        self.replacedBy = replacedBy
        self.orphanedPorts = orphanedPorts
    }
}
