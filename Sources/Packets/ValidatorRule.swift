/// The rule a validator-port filter must follow, in one place so that planning and verification agree.
extension ParsedFrame {
    /// True when the frame must be claimed: untagged Ethernet, IPv4 (options allowed) or IPv6 without
    /// extension headers, not a fragment, UDP to one of `ports`.
    public func matchesValidatorRule(ports: Set<UInt16>) -> Bool {
        guard vlanIDs.isEmpty, problem == nil, !isFragment, ipProtocol == Transport.udpProtocol,
              let port = destinationPort, ports.contains(port) else { return false }
        switch etherType {
        case FrameBuilder.etherTypeIPv4: return ipVersion == 4
        case FrameBuilder.etherTypeIPv6: return ipVersion == 6 && ipv6ExtensionHeaders.isEmpty
        default: return false
        }
    }
}

/// Ports next to a validator port list but outside it.
public enum NearMissPorts {
    /// One port below and one above each run of consecutive ports, sorted, without duplicates, never 0:
    /// 8002 and 8006 for 8003-8005; with 9000 added also 8999 and 9001. A filter with an off-by-one range
    /// claims them, and so does one that claims everything from the lowest port to the highest.
    public static func around(_ ports: [UInt16]) -> [UInt16] {
        let set = Set(ports)
        var result = Set<UInt16>()
        for port in set {
            if port > 1, !set.contains(port - 1) { result.insert(port - 1) }
            if port < UInt16.max, !set.contains(port + 1) { result.insert(port + 1) }
        }
        return result.sorted()
    }
}
