/// One load template (a class's frame aimed at one RX queue) and how its copies fared during the load phase.
public struct LoadTemplateRecord: Sendable, Codable, Hashable {
    public let trafficClass: String
    public let queue: Int
    /// Whether a validator filter must claim it.
    public let matching: Bool
    /// "udp 198.18.0.2:40001 > 198.18.0.1:8003".
    public let flow: String
    /// Copies handed to the sender's interface.
    public var offered: Int = 0
    /// Copies the sender's veth refused (ENOBUFS: its ring towards the stack was full) and so never reached XDP.
    public var backlogDrops: Int = 0
    /// Copies an AF_XDP socket of the stack read.
    public var socket: Int = 0
    /// Copies the tc ingress tally saw reach the kernel.
    public var kernel: Int = 0

    public init(trafficClass: String, queue: Int, matching: Bool, flow: String) {
        self.trafficClass = trafficClass
        self.queue = queue
        self.matching = matching
        self.flow = flow
    }

    /// Copies that reached the stack's interface, where XDP ran on them.
    public var reachedXDP: Int { offered - backlogDrops }
    /// Copies that reached XDP and then neither a socket nor the kernel.
    public var lost: Int { max(0, reachedXDP - socket - kernel) }
}

/// What a load phase sent and where it went, with the kernel's loss counters over the same span.
public struct LoadRecord: Sendable, Codable, Hashable {
    /// Seconds the sender ran.
    public let seconds: Double
    /// "max" or the lab's packets per second.
    public let requestedRate: String
    public var templates: [LoadTemplateRecord]
    /// Kernel counters of the load phase alone (after minus before).
    public var losses: LoadLosses

    public init(seconds: Double, requestedRate: String, templates: [LoadTemplateRecord], losses: LoadLosses) {
        self.seconds = seconds
        self.requestedRate = requestedRate
        self.templates = templates
        self.losses = losses
    }

    public var offered: Int { templates.reduce(0) { $0 + $1.offered } }
    /// Packets per second that left the sender.
    public var achievedRate: Double { seconds > 0 ? Double(offered) / seconds : 0 }
}

/// Where load-phase frames were dropped, by the kernel's own counters (their increase over the load phase).
public struct LoadLosses: Sendable, Codable, Hashable {
    public var queues: [LoadQueueLosses]
    /// `xdp:xdp_redirect_err` events of the program, by errno.
    public var redirectErrors: [LoadRedirectErrors]
    /// `xdp:xdp_exception` events of the program.
    public var exceptions: UInt64

    public init(queues: [LoadQueueLosses] = [], redirectErrors: [LoadRedirectErrors] = [], exceptions: UInt64 = 0) {
        self.queues = queues
        self.redirectErrors = redirectErrors
        self.exceptions = exceptions
    }

    /// What rose between `before` and `after` (counters that fell, as after a socket was replaced, count 0).
    public static func between(_ before: KernelEvidence, _ after: KernelEvidence, queueCount: Int) -> LoadLosses {
        func rise(_ old: UInt64?, _ new: UInt64?) -> UInt64 { (new ?? 0) > (old ?? 0) ? (new ?? 0) - (old ?? 0) : 0 }
        let queues = (0..<queueCount).map { queue in
            let old = before.sockets[queue], new = after.sockets[queue]
            return LoadQueueLosses(
                queue: queue, ringFull: rise(old?.rxRingFull, new?.rxRingFull),
                fillRingEmpty: rise(old?.rxFillRingEmptyDescs, new?.rxFillRingEmptyDescs),
                socketDropped: rise(old?.rxDropped, new?.rxDropped),
                xdpDrops: rise(before.queueCounters[queue]?["xdp_drops"], after.queueCounters[queue]?["xdp_drops"]))
        }
        var errors: [Int32: UInt64] = [:]
        for entry in after.redirectErrors { errors[entry.errno, default: 0] += entry.count }
        for entry in before.redirectErrors { errors[entry.errno, default: 0] -= min(entry.count, errors[entry.errno] ?? 0) }
        return LoadLosses(queues: queues,
                          redirectErrors: errors.filter { $0.value > 0 }.sorted { $0.key < $1.key }
                              .map { LoadRedirectErrors(errno: $0.key, count: $0.value) },
                          exceptions: rise(before.exceptionTotal, after.exceptionTotal))
    }
}

/// One RX queue's loss counters over a load phase.
public struct LoadQueueLosses: Sendable, Codable, Hashable {
    public let queue: Int
    /// Its socket's `rx_ring_full`: the consumer fell behind.
    public let ringFull: UInt64
    /// Its socket's `rx_fill_ring_empty_descs`: no frame to write into.
    public let fillRingEmpty: UInt64
    /// Its socket's `rx_dropped`.
    public let socketDropped: UInt64
    /// The driver's `xdp_drops`: XDP_DROP and XDP_ABORTED. A failed redirect to a socket does not raise it on veth
    /// (its `xdp_redirect_err` and the socket's counters do).
    public let xdpDrops: UInt64

    public init(queue: Int, ringFull: UInt64, fillRingEmpty: UInt64, socketDropped: UInt64, xdpDrops: UInt64) {
        self.queue = queue
        self.ringFull = ringFull
        self.fillRingEmpty = fillRingEmpty
        self.socketDropped = socketDropped
        self.xdpDrops = xdpDrops
    }
}

/// `xdp:xdp_redirect_err` events with one errno over a load phase.
public struct LoadRedirectErrors: Sendable, Codable, Hashable {
    /// 12 ENOMEM (fill ring empty), 105 ENOBUFS (RX ring full), 22 EINVAL (socket bound elsewhere).
    public let errno: Int32
    public let count: UInt64

    public init(errno: Int32, count: UInt64) {
        self.errno = errno
        self.count = count
    }
}
