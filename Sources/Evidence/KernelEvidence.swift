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
    /// Successful `xdp:xdp_redirect` events of the program under test, by map key; recorded only for stacks whose
    /// sockets xdplab does not own (empty otherwise).
    public var redirects: [RedirectCount] = []
    /// XDP_STATISTICS of each AF_XDP socket, by the RX queue it is bound to.
    public var sockets: [Int: SocketStatistics]
    /// The driver's per-RX-queue counters with the `rx_queue_N_` prefix removed, e.g. `queueCounters[2]?["xdp_drops"]`.
    public var queueCounters: [Int: [String: UInt64]]
    /// What could not be read, in words ("tracepoints unavailable: …"), so a report can say the evidence is partial.
    public var gaps: [String]
    /// XDP programs that replaced one another on the interface during start-up, in order: a second loader's
    /// plain attach silently takes the first program's place.
    public var replacements: [ProgramReplacement]
    /// How packets that reached a socket were told apart from lost ones.
    public var socketArrivals: SocketArrivalEvidence = .ownSockets
    /// For a command stack: whether fexit on its XDP program (which could read each frame and verdict) loads here,
    /// in words: "loads" or why not ("refused: Operation not permitted (EPERM)"); nil when not probed.
    public var fexitProbe: String?
    /// A command stack's process: how it was started and whether it ended during the run; nil for the built-in stack.
    public var stackProcess: StackProcessRecord?
    /// Each tagged frame's XDP verdict, from fexit on the stack's program, or why there are none; nil when not
    /// attempted (sequence labs).
    public var verdicts: VerdictEvidence?

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

    /// This evidence with the counters (events, socket statistics, queue counters) as `earlier` had them: what a
    /// run's paced part is judged on when a load phase followed it.
    public func counters(from earlier: KernelEvidence) -> KernelEvidence {
        var copy = self
        copy.exceptions = earlier.exceptions
        copy.redirectErrors = earlier.redirectErrors
        copy.redirects = earlier.redirects
        copy.sockets = earlier.sockets
        copy.queueCounters = earlier.queueCounters
        return copy
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

/// `xdp:xdp_redirect` fired `count` times for this map key: for an XSKMAP, a frame went into the socket at that
/// key, which must be bound to the frame's own RX queue.
public struct RedirectCount: Sendable, Codable, Hashable {
    public let mapIndex: Int32
    public let count: UInt64

    public init(mapIndex: Int32, count: UInt64) {
        self.mapIndex = mapIndex
        self.count = count
    }
}

/// One successful redirect, as the tracepoint saw it.
public struct RedirectEvent: Sendable, Codable, Hashable {
    /// Seconds on CLOCK_MONOTONIC, the clock traffic times are taken on.
    public let at: Double
    public let programID: UInt32
    public let mapIndex: Int32

    public init(at: Double, programID: UInt32, mapIndex: Int32) {
        self.at = at
        self.programID = programID
        self.mapIndex = mapIndex
    }
}

/// Where the per-packet "reached its AF_XDP socket" verdicts come from.
public enum SocketArrivalEvidence: String, Sendable, Codable, Hashable {
    /// xdplab's own sockets read each frame's tag: exact.
    case ownSockets = "own-sockets"
    /// The stack's sockets are not xdplab's: each `xdp:xdp_redirect` event of the program on a queue was matched by
    /// time to a packet sent to that queue that the kernel did not see. Counts per queue are exact; which of two
    /// packets sent close together arrived is inferred.
    case redirectEventsByTime = "redirect-events-by-time"

    /// One sentence for reports.
    public var text: String {
        switch self {
        case .ownSockets: return "xdplab's own AF_XDP sockets read each packet's tag"
        case .redirectEventsByTime:
            return "the stack's sockets are its own: xdp:xdp_redirect events of its program, per RX queue, matched by "
                + "time to the packets sent there that the kernel did not see"
        }
    }

    /// The sentence with what the fexit probe found.
    public func text(fexitProbe: String?) -> String {
        guard self == .redirectEventsByTime, let fexitProbe else { return text }
        return text + "; fexit on its program, which could read each frame, " + (fexitProbe == "loads"
            ? "loads on this kernel and records each packet's verdict" : "is \(fexitProbe) on this kernel")
    }
}

/// A command stack's process, as the run saw it.
public struct StackProcessRecord: Sendable, Codable, Hashable {
    public let command: [String]
    public let pid: Int32
    /// Its output, in the run folder.
    public let logPath: String
    /// Seconds since the start of traffic when it ended by itself, negative if before; nil if it ran to the end.
    public var exitedAt: Double?
    /// "exited with status 3", "killed by SIGSEGV"; nil if it ran to the end.
    public var exit: String?
    /// Its last lines of output, when it ended early.
    public var logTail: [String]

    public init(command: [String], pid: Int32, logPath: String, exitedAt: Double? = nil, exit: String? = nil,
                logTail: [String] = []) {
        self.command = command
        self.pid = pid
        self.logPath = logPath
        self.exitedAt = exitedAt
        self.exit = exit
        self.logTail = logTail
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
    /// Ports the replaced program claimed, which nothing claims any more (known for the built-in stack only).
    public let orphanedPorts: [UInt16]
    /// Seconds since the start of traffic, when it happened while the run watched (a command stack); nil for the
    /// built-in stack's start-up.
    public let at: Double?

    public init(replaced: String, replacedBy: String, orphanedPorts: [UInt16], at: Double? = nil) {
        self.at = at
        self.replaced = replaced
        self.replacedBy = replacedBy
        self.orphanedPorts = orphanedPorts
    }
}
