/// The rows of the verdict table: what kind of traffic a case is. Sweeps are classes of their own.
public enum CaseClass: String, CaseIterable, Sendable, Comparable {
    case ssh = "ssh-tcp"
    case tcpValidatorPort = "tcp-validator-port"
    case udpValidatorPort = "udp-validator-port"
    case udpOtherPort = "udp-other-port"
    case ipv4Options = "ipv4-options"
    case ipv4Fragment = "ipv4-fragment"
    case ipv6ExtensionHeaders = "ipv6-extension-headers"
    case otherIPProtocol = "other-ip-protocol"
    case icmp = "icmp"
    case icmpv6 = "icmpv6"
    case neighbourDiscovery = "neighbour-discovery"
    case arp = "arp"
    case vlan = "vlan-802.1q"
    case qinq = "qinq"
    case otherEtherType = "other-ethertype"
    case malformed = "malformed"
    case runt = "runt"
    case truncated = "truncated"
    case sweepUDP4 = "sweep-udp4-ports"
    case sweepUDP6 = "sweep-udp6-ports"
    case sweepEtherType = "sweep-ethertypes"

    public var isSweep: Bool { self == .sweepUDP4 || self == .sweepUDP6 || self == .sweepEtherType }

    private var order: Int { Self.allCases.firstIndex(of: self)! }
    public static func < (a: CaseClass, b: CaseClass) -> Bool { a.order < b.order }
}
