/// The action an XDP program returned for one tagged frame, as an fexit program on it saw (xdpdump-style), and
/// for XDP_REDIRECT what the kernel made of the redirect.
public struct PacketVerdict: Sendable, Codable, Hashable {
    /// The id in the frame's `PacketTag`.
    public let id: UInt64
    /// The raw return value: 0 ABORTED, 1 DROP, 2 PASS, 3 TX, 4 REDIRECT; anything else is illegal and the kernel
    /// treats it as ABORTED.
    public let action: UInt32
    /// The RX queue the program ran on (`ctx->rx_queue_index`).
    public let queue: Int
    /// For XDP_REDIRECT: the map key the redirect went to (for an XSKMAP, the socket's slot); nil when the
    /// redirect tracepoint did not report it.
    public var redirectKey: Int32?
    /// For XDP_REDIRECT: 0 when the frame went into the target, else the positive errno of the failure
    /// (22 EINVAL: socket bound elsewhere, 12 ENOMEM: fill ring empty, 105 ENOBUFS: RX ring full).
    public var redirectErrno: Int32?

    public init(id: UInt64, action: UInt32, queue: Int, redirectKey: Int32? = nil, redirectErrno: Int32? = nil) {
        self.id = id
        self.action = action
        self.queue = queue
        self.redirectKey = redirectKey
        self.redirectErrno = redirectErrno
    }

    public static let aborted: UInt32 = 0, drop: UInt32 = 1, pass: UInt32 = 2, tx: UInt32 = 3, redirect: UInt32 = 4

    /// The XDP actions by value; any other value is illegal (the kernel treats it as XDP_ABORTED).
    public static let actionNames: [UInt32: String] = [
        aborted: "XDP_ABORTED", drop: "XDP_DROP", pass: "XDP_PASS", tx: "XDP_TX", redirect: "XDP_REDIRECT",
    ]

    /// "XDP_PASS", "XDP_REDIRECT", "illegal 7", "illegal -2".
    public static func name(of action: UInt32) -> String {
        // Programs return an int: an illegal value is usually a negative error code that reached the return.
        actionNames[action] ?? "illegal \(Int32(bitPattern: action))"
    }

    /// The verdict with its redirect target: "XDP_PASS", "XDP_REDIRECT to key 1",
    /// "XDP_REDIRECT to key 0, failed: EINVAL", "illegal 7 (treated as XDP_ABORTED)".
    public var text: String {
        var text = Self.name(of: action)
        if action > Self.redirect { text += " (treated as XDP_ABORTED)" }
        guard action == Self.redirect else { return text }
        if let key = redirectKey { text += " to key \(key)" }
        if let errno = redirectErrno, errno != 0 { text += ", failed: \(Self.errnoName(errno))" }
        return text
    }

    /// Whether the kernel itself dropped the frame after this verdict: DROP, ABORTED, an illegal value, or a
    /// redirect that failed. (XDP_TX sends it back out, so it reaches neither the kernel nor a socket either.)
    public var endsBeforeKernelAndSockets: Bool {
        action == Self.aborted || action == Self.drop || action == Self.tx || action > Self.redirect
            || (action == Self.redirect && (redirectErrno ?? 0) != 0)
    }

    /// "EINVAL" for the errors an XDP redirect or an AF_XDP step returns; "errno N" for others.
    public static func errnoName(_ errno: Int32) -> String { errnoNames[errno] ?? "errno \(errno)" }

    private static let errnoNames: [Int32: String] = [
        1: "EPERM", 2: "ENOENT", 6: "ENXIO", 7: "E2BIG", 12: "ENOMEM", 14: "EFAULT", 16: "EBUSY", 19: "ENODEV",
        22: "EINVAL", 28: "ENOSPC", 95: "EOPNOTSUPP", 100: "ENETDOWN", 105: "ENOBUFS",
    ]
}

/// The per-packet verdicts of one run, or why there are none.
public struct VerdictEvidence: Sendable, Codable, Hashable {
    /// Why no verdicts were recorded ("fexit on XDP programs is refused by this kernel: …"); nil when they were.
    public var unavailable: String?
    /// The program the recorder was attached to: "port_redirect (id 41)".
    public var program: String?
    /// One per tagged frame the program ran on, in the order recorded.
    public var verdicts: [PacketVerdict]
    /// Records lost because the ring buffer was full: that many frames have no verdict.
    public var overflows: UInt64
    /// Whether the program on the interface changed while recording, so later frames met a program without the
    /// recorder (a replacement or a drill's break).
    public var programChanged: Bool

    public init(unavailable: String? = nil, program: String? = nil, verdicts: [PacketVerdict] = [], overflows: UInt64 = 0,
                programChanged: Bool = false) {
        self.unavailable = unavailable
        self.program = program
        self.verdicts = verdicts
        self.overflows = overflows
        self.programChanged = programChanged
    }

    /// Verdicts could not be recorded here, for `reason`.
    public static func unavailable(_ reason: String) -> VerdictEvidence { VerdictEvidence(unavailable: reason) }

    /// The first verdict of each tag id (a frame is seen once; a duplicate would be a resend).
    public var byID: [UInt64: PacketVerdict] {
        Dictionary(verdicts.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
