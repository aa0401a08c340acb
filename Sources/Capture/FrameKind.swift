/// The little the capture needs to know about a frame: is it ARP or IPv6 neighbour discovery.
/// A few fixed offsets on purpose; full parsing belongs to the Packets layer.
enum FrameKind: Equatable {
    case arp, neighbourDiscovery, other

    static let etherTypeARP: UInt16 = 0x0806
    static let etherTypeIPv6: UInt16 = 0x86DD
    static let vlanTypes: Set<UInt16> = [0x8100, 0x88A8]
    static let icmpv6: UInt8 = 58
    /// Router solicitation, router advertisement, neighbour solicitation, neighbour advertisement.
    static let neighbourDiscoveryTypes: ClosedRange<UInt8> = 133...136

    /// Classifies an Ethernet frame, looking through up to two VLAN tags.
    static func of(_ frame: UnsafeBufferPointer<UInt8>) -> FrameKind {
        func u16(_ at: Int) -> UInt16? {
            at + 1 < frame.count ? UInt16(frame[at]) << 8 | UInt16(frame[at + 1]) : nil
        }
        var typeOffset = 12
        for _ in 0..<2 {
            guard let type = u16(typeOffset), vlanTypes.contains(type) else { break }
            typeOffset += 4
        }
        guard let etherType = u16(typeOffset) else { return .other }
        let payload = typeOffset + 2
        switch etherType {
        case etherTypeARP:
            return .arp
        case etherTypeIPv6:
            // Next header directly ICMPv6 (ND never carries extension headers), type right after the fixed header.
            let nextHeader = payload + 6, icmpType = payload + 40
            guard icmpType < frame.count, frame[nextHeader] == icmpv6,
                  neighbourDiscoveryTypes.contains(frame[icmpType]) else { return .other }
            return .neighbourDiscovery
        default:
            return .other
        }
    }
}
