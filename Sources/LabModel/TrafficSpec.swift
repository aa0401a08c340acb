/// The traffic a lab injects towards the stack, and the SSH-like sessions that must survive it.
public struct TrafficSpec: Sendable, Equatable {
    /// The host that sends; the far end of the stack's link.
    public var from: String
    /// Seconds. Sessions run this long; packets are spread over it.
    public var duration: Double
    /// Each round sends each class once on each queue.
    public var rounds: Int
    /// In the order of `TrafficClass.allCases`, whatever order the file used.
    public var classes: [TrafficClass]
    /// nil when the file says `ssh: off`.
    public var ssh: SSHSpec?
    /// Sequenced traffic instead of packet classes (`sequence:`); a sequence lab sends nothing else, so then
    /// `classes` is empty and `ssh` nil.
    public var sequence: SequenceSpec?
    /// A load phase after the paced classes (`load:`); nil: none.
    public var load: LoadSpec?
    /// Whether the paced traffic needs the machine to itself when labs run in parallel (`timing: sensitive`).
    public var timing: TrafficTiming = .tolerant

    public init(from: String, duration: Double = 5, rounds: Int = 5,
                classes: [TrafficClass] = TrafficClass.allCases, ssh: SSHSpec? = .standard, sequence: SequenceSpec? = nil,
                load: LoadSpec? = nil) {
        self.from = from
        self.load = load
        self.duration = duration
        self.rounds = rounds
        self.classes = classes
        self.ssh = ssh
        self.sequence = sequence
    }

    /// Sequenced traffic from `from` and nothing else.
    public static func sequence(from: String, _ sequence: SequenceSpec) -> TrafficSpec {
        TrafficSpec(from: from, classes: [], ssh: nil, sequence: sequence)
    }
}

/// How the paced traffic shares the machine with other labs of an `xdplab run --jobs N` (`traffic.timing`).
public enum TrafficTiming: String, CaseIterable, Sendable {
    /// Frames are paced far apart; other labs' traffic beside it changes nothing.
    case tolerant
    /// The traffic runs while no other lab builds or tears down and no other timing-sensitive phase runs.
    case sensitive
}

/// SSH-like TCP sessions: one request/response exchange per `interval`, which must never stall
/// for longer than `maxStall` (both in seconds).
public struct SSHSpec: Sendable, Equatable {
    public var port: UInt16
    public var interval: Double
    public var maxStall: Double

    public init(port: UInt16 = 22, interval: Double = 0.2, maxStall: Double = 2) {
        self.port = port
        self.interval = interval
        self.maxStall = maxStall
    }

    /// Port 22, an exchange every 200ms, at most 2s between exchanges.
    public static let standard = SSHSpec()
}

/// The kinds of packet a lab can inject. Only the validator-port UDP classes may be claimed by the stack;
/// every other class must reach the kernel.
public enum TrafficClass: String, CaseIterable, Sendable {
    case validatorUDP4 = "validator-udp4"
    case validatorUDP6 = "validator-udp6"
    case otherUDP4 = "other-udp4"
    case otherUDP6 = "other-udp6"
    case udpFromValidatorPort = "udp-from-validator-port"
    case tcpValidatorPorts = "tcp-validator-ports"
    case icmpEcho = "icmp-echo"
    case icmpv6Echo = "icmpv6-echo"
    case arp
    case ndp
    case ipv4Options = "ipv4-options"
    case ipv4Fragments = "ipv4-fragments"
    case ipv6ExtHeaders = "ipv6-ext-headers"
    case ipv6Fragments = "ipv6-fragments"
    case vlanTagged = "vlan-tagged"
    /// 802.1ad service tag outside an 802.1Q tag.
    case qinq
    /// Frames that end inside a header their length fields say is longer.
    case truncated
}
