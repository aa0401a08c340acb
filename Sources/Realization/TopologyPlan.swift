/// What to build, in the realization layer's own terms (the orchestrator derives it from a lab file).
public struct TopologyPlan: Sendable {
    public struct LinkEnd: Sendable, Hashable {
        public var host: String
        public var interface: String
        /// CIDR strings, "198.18.0.1/24" and "2001:2::1/64".
        public var ipv4: String
        public var ipv6: String
        public init(host: String, interface: String, ipv4: String, ipv6: String) {
            self.host = host
            self.interface = interface
            self.ipv4 = ipv4
            self.ipv6 = ipv6
        }
    }

    /// What a link is made of.
    public enum LinkKind: Sendable {
        /// A veth pair created inside the namespaces.
        case veth
        /// Two netdevsim devices of one port each, linked peer to peer.
        case netdevsim
    }

    public struct Link: Sendable {
        public var a: LinkEnd
        public var b: LinkEnd
        public var queues: Int
        public var kind: LinkKind
        public init(a: LinkEnd, b: LinkEnd, queues: Int, kind: LinkKind = .veth) {
            self.a = a
            self.b = b
            self.queues = queues
            self.kind = kind
        }
    }

    /// Neighbour (ARP/ND) timing for every lab interface, in seconds: short, so a program that breaks
    /// neighbour resolution shows within seconds instead of after the default ~30 s.
    public struct NeighbourTiming: Sendable {
        public var reachableTime: Double
        public var delayProbe: Double
        public var retransmit: Double
        public init(reachableTime: Double, delayProbe: Double, retransmit: Double) {
            self.reachableTime = reachableTime
            self.delayProbe = delayProbe
            self.retransmit = retransmit
        }
    }

    public var lab: String
    public var hosts: [String]
    public var links: [Link]
    public var neighbour: NeighbourTiming

    public init(lab: String, hosts: [String], links: [Link], neighbour: NeighbourTiming) {
        self.lab = lab
        self.hosts = hosts
        self.links = links
        self.neighbour = neighbour
    }
}
