/// A lab file, resolved and checked: every value here is valid and every default is filled in.
/// Other layers build their work from this and never look at YAML.
public struct Lab: Sendable, Equatable {
    /// The `lab:` name; safe to use in namespace names and folder names.
    public var name: String
    public var description: String?
    /// The lab file, absolute and standardized.
    public var path: String
    public var topology: Topology
    public var stack: StackSpec
    public var traffic: TrafficSpec
    public var expectations: [Expectation]
    /// A recovery drill, when the lab declares one.
    public var recovery: RecoverySpec?
    /// What the lab needs beyond the basics; a missing one skips the lab (`requires:`).
    public var requires: [Requirement] = []
    /// The kernels the lab runs on when `xdplab run` is given no `--kernel` (`kernels:`): `host`, a series such as
    /// `6.1`, or an exact version. Empty: the host only.
    public var kernels: [String] = []

    public init(name: String, description: String?, path: String, topology: Topology,
                stack: StackSpec, traffic: TrafficSpec, expectations: [Expectation], recovery: RecoverySpec? = nil) {
        self.recovery = recovery
        self.name = name
        self.description = description
        self.path = path
        self.topology = topology
        self.stack = stack
        self.traffic = traffic
        self.expectations = expectations
    }
}

/// The hosts (one network namespace each) and the links between them.
public struct Topology: Sendable, Equatable {
    /// In file order.
    public var hosts: [String]
    /// In file order; automatic addresses depend on it.
    public var links: [Link]
    public var neighbour: NeighbourTiming

    public init(hosts: [String], links: [Link], neighbour: NeighbourTiming = .standard) {
        self.hosts = hosts
        self.links = links
        self.neighbour = neighbour
    }
}

/// What a link is made of (`kind:`).
public enum LinkKind: String, Sendable, Equatable, CaseIterable {
    /// A veth pair, the default: native XDP and per-queue XDP counters.
    case veth
    /// Two netdevsim ports, one device each, linked peer to peer (`/sys/bus/netdevsim/link_device`, Linux 6.9+).
    /// Only generic XDP sees their packets before 6.17; AF_XDP is copy mode only. Implies `requires: [netdevsim]`.
    case netdevsim
}

/// One link between two hosts. Both ends get `queues` RX and `queues` TX queues.
public struct Link: Sendable, Equatable {
    public var a: Endpoint
    public var b: Endpoint
    public var queues: Int
    public var kind: LinkKind

    public init(a: Endpoint, b: Endpoint, queues: Int = 1, kind: LinkKind = .veth) {
        self.a = a
        self.b = b
        self.queues = queues
        self.kind = kind
    }

    /// The end on `host` with `interface`, if this link has one.
    public func endpoint(host: String, interface: String) -> Endpoint? {
        [a, b].first { $0.host == host && $0.interface == interface }
    }

    /// The end that is not `endpoint`.
    public func otherEnd(of endpoint: Endpoint) -> Endpoint { endpoint == a ? b : a }
}

/// One end of a link: an interface in a host, with one address of each family.
public struct Endpoint: Sendable, Hashable {
    public var host: String
    public var interface: String
    public var ipv4: IPv4CIDR
    public var ipv6: IPv6CIDR

    public init(host: String, interface: String, ipv4: IPv4CIDR, ipv6: IPv6CIDR) {
        self.host = host
        self.interface = interface
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }

    /// "validator:eth0", as lab files write it.
    public var name: String { "\(host):\(interface)" }
}

/// Neighbour (ARP / ND) timing for every lab namespace, in seconds. Short values make stale
/// neighbour entries re-probe within a run, so labs see ARP and ND traffic while the stack is live.
public struct NeighbourTiming: Sendable, Equatable {
    /// `base_reachable_time_ms`.
    public var reachableTime: Double
    /// `delay_first_probe_time`.
    public var delayProbe: Double
    /// `retrans_time_ms`.
    public var retransmit: Double

    public init(reachableTime: Double = 1, delayProbe: Double = 0.5, retransmit: Double = 0.2) {
        self.reachableTime = reachableTime
        self.delayProbe = delayProbe
        self.retransmit = retransmit
    }

    /// 1s, 500ms, 200ms: what a lab gets without a `neighbour:` block.
    public static let standard = NeighbourTiming()
}
