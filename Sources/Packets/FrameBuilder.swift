/// Builds complete Ethernet frames (no FCS) with correct lengths and checksums.
///
/// The builder holds the link layer (MACs, VLAN tags, minimum size); each call adds a network layer
/// and what rides on it. Frames shorter than `minimumLength` are zero-padded, as a NIC pads on the
/// wire; receivers trim the padding by the IP or ARP length.
public struct FrameBuilder: Sendable, Hashable {
    public static let etherTypeIPv4: UInt16 = 0x0800
    public static let etherTypeARP: UInt16 = 0x0806
    public static let etherTypeIPv6: UInt16 = 0x86DD
    public static let etherTypeVLAN: UInt16 = 0x8100
    public static let etherTypeQinQ: UInt16 = 0x88A8

    public var source: [UInt8]
    public var destination: [UInt8]
    /// Outermost first.
    public var vlanTags: [VLANTag]
    /// 60: the Ethernet minimum without the 4-byte FCS.
    public var minimumLength: Int

    public init(source: [UInt8], destination: [UInt8], vlanTags: [VLANTag] = [], minimumLength: Int = 60) {
        precondition(source.count == 6 && destination.count == 6, "MAC addresses are 6 bytes")
        self.source = source
        self.destination = destination
        self.vlanTags = vlanTags
        self.minimumLength = minimumLength
    }

    /// 802.1Q tags with these VLAN ids, outermost first.
    public init(source: [UInt8], destination: [UInt8], vlanIDs: [UInt16]) {
        self.init(source: source, destination: destination, vlanTags: vlanIDs.map { VLANTag(id: $0) })
    }

    /// Any payload behind the MACs, tags and `etherType`.
    public func ethernet(etherType: UInt16, payload: [UInt8]) -> [UInt8] {
        var frame = destination + source
        frame.reserveCapacity(max(minimumLength, 14 + 4 * vlanTags.count + payload.count))
        for tag in vlanTags {
            frame.appendBE(tag.tpid)
            frame.appendBE(UInt16(tag.priority & 7) << 13 | (tag.dropEligible ? 0x1000 : 0) | (tag.id & 0xFFF))
        }
        frame.appendBE(etherType)
        frame += payload
        if frame.count < minimumLength { frame += [UInt8](repeating: 0, count: minimumLength - frame.count) }
        return frame
    }

    /// An ARP message; `trailer` goes right after it, inside what would otherwise be padding.
    public func arp(_ message: ARPMessage, trailer: [UInt8] = []) -> [UInt8] {
        ethernet(etherType: Self.etherTypeARP, payload: message.encoded() + trailer)
    }

    /// An IPv4 packet carrying `transport`.
    public func ipv4(_ header: IPv4Header, _ transport: Transport) -> [UInt8] {
        ethernet(etherType: Self.etherTypeIPv4, payload: Self.ipv4Packet(header, transport))
    }

    /// One datagram cut into fragments: the segment (checksum over the whole of it) is split at the
    /// given offsets into the IP payload, each a multiple of 8. Returns one frame per fragment.
    public func ipv4Fragments(_ header: IPv4Header, _ transport: Transport, splitAt offsets: [Int]) -> [[UInt8]] {
        let proto = transport.protocolNumber(ipv6: false)
        let segment = transport.encoded(ipv6: false) { length in
            InternetChecksum.pseudoHeaderV4(source: header.source, destination: header.destination,
                                            protocol: proto, length: length)
        }
        let bounds = [0] + offsets + [segment.count]
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 } && offsets.allSatisfy { $0 % 8 == 0 },
                     "fragment offsets must rise, be multiples of 8 and lie inside the segment")
        return (0..<bounds.count - 1).map { index in
            var fragmentHeader = header
            fragmentHeader.fragmentOffset = header.fragmentOffset + bounds[index]
            fragmentHeader.moreFragments = index < bounds.count - 2 || header.moreFragments
            let piece = Array(segment[bounds[index]..<bounds[index + 1]])
            let ip = fragmentHeader.encoded(protocol: proto, payloadLength: piece.count) + piece
            return ethernet(etherType: Self.etherTypeIPv4, payload: ip)
        }
    }

    /// An IPv6 packet carrying `transport` behind the header's extension headers.
    public func ipv6(_ header: IPv6Header, _ transport: Transport) -> [UInt8] {
        ethernet(etherType: Self.etherTypeIPv6, payload: Self.ipv6Packet(header, transport))
    }

    /// One IPv6 datagram cut into fragments (RFC 8200 section 4.5): the header's extension headers are the
    /// unfragmentable part, then a Fragment header with `identification`, then a piece of the segment
    /// (checksum over the whole of it), split at the given offsets, each a multiple of 8. One frame per fragment.
    public func ipv6Fragments(_ header: IPv6Header, _ transport: Transport, identification: UInt32,
                              splitAt offsets: [Int]) -> [[UInt8]] {
        let proto = transport.protocolNumber(ipv6: true)
        let segment = transport.encoded(ipv6: true) { length in
            InternetChecksum.pseudoHeaderV6(source: header.source, destination: header.destination,
                                            nextHeader: proto, length: length)
        }
        let bounds = [0] + offsets + [segment.count]
        precondition(zip(bounds, bounds.dropFirst()).allSatisfy { $0 < $1 } && offsets.allSatisfy { $0 % 8 == 0 },
                     "fragment offsets must rise, be multiples of 8 and lie inside the segment")
        return (0..<bounds.count - 1).map { index in
            var fragmentHeader = header
            fragmentHeader.extensionHeaders.append(.fragment(offset: bounds[index], more: index < bounds.count - 2,
                                                             identification: identification))
            let piece = Array(segment[bounds[index]..<bounds[index + 1]])
            return ethernet(etherType: Self.etherTypeIPv6,
                            payload: fragmentHeader.encoded(protocol: proto, payloadLength: piece.count) + piece)
        }
    }

    /// The IPv4 packet alone (header and segment), for callers that frame it themselves.
    public static func ipv4Packet(_ header: IPv4Header, _ transport: Transport) -> [UInt8] {
        let proto = transport.protocolNumber(ipv6: false)
        let segment = transport.encoded(ipv6: false) { length in
            InternetChecksum.pseudoHeaderV4(source: header.source, destination: header.destination,
                                            protocol: proto, length: length)
        }
        return header.encoded(protocol: proto, payloadLength: segment.count) + segment
    }

    /// The IPv6 packet alone. Pseudo-header checksums use the header's destination (no routing header
    /// rewrites it here).
    public static func ipv6Packet(_ header: IPv6Header, _ transport: Transport) -> [UInt8] {
        let proto = transport.protocolNumber(ipv6: true)
        let segment = transport.encoded(ipv6: true) { length in
            InternetChecksum.pseudoHeaderV6(source: header.source, destination: header.destination,
                                            nextHeader: proto, length: length)
        }
        return header.encoded(protocol: proto, payloadLength: segment.count) + segment
    }
}

/// One VLAN tag: TPID 0x8100 for 802.1Q, 0x88A8 for an 802.1ad service tag.
public struct VLANTag: Sendable, Hashable {
    public var tpid: UInt16
    public var id: UInt16
    public var priority: UInt8
    public var dropEligible: Bool

    public init(id: UInt16, priority: UInt8 = 0, dropEligible: Bool = false, tpid: UInt16 = FrameBuilder.etherTypeVLAN) {
        self.tpid = tpid
        self.id = id
        self.priority = priority
        self.dropEligible = dropEligible
    }
}
