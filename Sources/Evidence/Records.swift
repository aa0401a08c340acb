/// What traffic put on the wire, and what the SSH-like sessions lived through: the records that the
/// traffic layer produces and the verification layer judges. Kept here so neither depends on the other.

/// One injected, tagged packet and where it was meant to go.
public struct InjectedPacket: Sendable, Codable, Hashable {
    /// The id carried in the packet's `PacketTag`.
    public let id: UInt64
    /// Traffic class name as written in lab files, e.g. "validator-udp4", "arp".
    public let trafficClass: String
    /// The RX queue of the stack's interface the packet was steered to.
    public let queue: Int
    /// Whether the stack's filter must claim it (UDP to a validator port, untagged, unfragmented).
    public let matching: Bool
    /// A one-line description of its headers: "udp 198.18.0.2:40001 > 198.18.0.1:8003".
    public let flow: String
    /// Seconds since the start of traffic when it was sent.
    public let sentAt: Double

    public init(id: UInt64, trafficClass: String, queue: Int, matching: Bool, flow: String, sentAt: Double) {
        self.id = id
        self.trafficClass = trafficClass
        self.queue = queue
        self.matching = matching
        self.flow = flow
        self.sentAt = sentAt
    }
}

/// One SSH-like TCP session, steered to one RX queue, as the client saw it.
public struct SessionRecord: Sendable, Codable, Hashable {
    public let queue: Int
    /// "tcp 198.18.0.2:41022 > 198.18.0.1:22"
    public let flow: String
    public let exchangesPlanned: Int
    public let exchangesCompleted: Int
    /// Longest time, in seconds, between two completed exchanges (or from the start to the first).
    public let longestStall: Double
    /// Seconds since the start of traffic when the session stopped making progress, if it did.
    public let stalledAt: Double?
    /// Why the session ended early, if it did ("connect timed out", "reset by peer", …).
    public let failure: String?
    /// Seconds since the start of traffic when each completed exchange got its answer: the session's timeline.
    public let answeredAt: [Double]
    /// Seconds since the start of traffic when exchange 0 was due, and when the client gave up or finished.
    public let startedAt: Double?
    public let endedAt: Double?
    /// The lab's limit for a pause between answers (`max-stall`), in seconds.
    public let maxStall: Double?

    public init(queue: Int, flow: String, exchangesPlanned: Int, exchangesCompleted: Int,
                longestStall: Double, stalledAt: Double?, failure: String?, answeredAt: [Double] = [],
                startedAt: Double? = nil, endedAt: Double? = nil, maxStall: Double? = nil) {
        self.queue = queue
        self.flow = flow
        self.exchangesPlanned = exchangesPlanned
        self.exchangesCompleted = exchangesCompleted
        self.longestStall = longestStall
        self.stalledAt = stalledAt
        self.failure = failure
        self.answeredAt = answeredAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.maxStall = maxStall
    }

    private enum CodingKeys: String, CodingKey {
        case queue, flow, exchangesPlanned, exchangesCompleted, longestStall, stalledAt, failure, answeredAt, startedAt,
             endedAt, maxStall
    }

    /// Reports written before the timeline fields existed decode with an empty timeline.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(queue: try container.decode(Int.self, forKey: .queue), flow: try container.decode(String.self, forKey: .flow),
                  exchangesPlanned: try container.decode(Int.self, forKey: .exchangesPlanned),
                  exchangesCompleted: try container.decode(Int.self, forKey: .exchangesCompleted),
                  longestStall: try container.decode(Double.self, forKey: .longestStall),
                  stalledAt: try container.decodeIfPresent(Double.self, forKey: .stalledAt),
                  failure: try container.decodeIfPresent(String.self, forKey: .failure),
                  answeredAt: try container.decodeIfPresent([Double].self, forKey: .answeredAt) ?? [],
                  startedAt: try container.decodeIfPresent(Double.self, forKey: .startedAt),
                  endedAt: try container.decodeIfPresent(Double.self, forKey: .endedAt),
                  maxStall: try container.decodeIfPresent(Double.self, forKey: .maxStall))
    }
}

/// What a recovery drill did and saw: the break, every change of the interface's XDP program, the watchdog.
public struct RecoveryRecord: Sendable, Codable, Hashable {
    /// Seconds since the start of traffic when the break happened, and what it was.
    public var breakAt: Double
    /// "attached drop_all (id 52) in place of port_redirect (id 48)", "killed the stack's process group (pid 812)".
    public var breakAction: String
    /// Why the break could not be made, if it could not.
    public var breakError: String?
    /// The lab's bound on the lockout, in seconds after the break.
    public var restoreWithin: Double
    /// Every change of the program attached to the stack's interface during the run, in order.
    public var interfaceChanges: [InterfaceChange]
    /// The program attached when traffic ended ("none" when the interface had none).
    public var finalProgram: String
    /// True when the program that broke the network was still attached at the end.
    public var breakStillAttached: Bool
    /// The watchdog's process; nil when the drill has none.
    public var watchdog: StackProcessRecord?
    /// What the on-failure script did, when it ran.
    public var onFailure: String?

    public init(breakAt: Double, breakAction: String, breakError: String? = nil, restoreWithin: Double,
                interfaceChanges: [InterfaceChange] = [], finalProgram: String = "none", breakStillAttached: Bool = false,
                watchdog: StackProcessRecord? = nil, onFailure: String? = nil) {
        self.breakAt = breakAt
        self.breakAction = breakAction
        self.breakError = breakError
        self.restoreWithin = restoreWithin
        self.interfaceChanges = interfaceChanges
        self.finalProgram = finalProgram
        self.breakStillAttached = breakStillAttached
        self.watchdog = watchdog
        self.onFailure = onFailure
    }

    /// The first change of the interface after the break that was not the break itself: the watchdog's action.
    public var firstActionAfterBreak: InterfaceChange? {
        interfaceChanges.first { $0.at > breakAt && !$0.byBreak }
    }
}

/// The interface's XDP program changed.
public struct InterfaceChange: Sendable, Codable, Hashable {
    /// Seconds since the start of traffic.
    public let at: Double
    /// "drop_all (id 52)", or "none".
    public let program: String
    /// The drill's own break made this change.
    public let byBreak: Bool

    public init(at: Double, program: String, byBreak: Bool) {
        self.at = at
        self.program = program
        self.byBreak = byBreak
    }
}
