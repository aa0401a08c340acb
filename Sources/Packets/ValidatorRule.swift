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
