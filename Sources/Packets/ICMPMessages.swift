/// Ready-made ICMP and ICMPv6 messages, as `Transport.icmp` values.
extension Transport {
    /// ICMP echo request (type 8) or reply (type 0), RFC 792.
    public static func icmpEcho(reply: Bool = false, identifier: UInt16, sequence: UInt16, payload: [UInt8]) -> Transport {
        .icmp(type: reply ? 0 : 8, code: 0, body: echoBody(identifier, sequence, payload))
    }

    /// ICMPv6 echo request (type 128) or reply (type 129), RFC 4443.
    public static func icmpv6Echo(reply: Bool = false, identifier: UInt16, sequence: UInt16, payload: [UInt8]) -> Transport {
        .icmp(type: reply ? 129 : 128, code: 0, body: echoBody(identifier, sequence, payload))
    }

    /// Neighbor Solicitation (type 135, RFC 4861 section 4.3). Send with hop limit 255.
    public static func neighborSolicitation(target: [UInt8], options: [NDOption]) -> Transport {
        precondition(target.count == 16, "targets are IPv6 addresses")
        return .icmp(type: 135, code: 0, body: [0, 0, 0, 0] + target + options.flatMap { $0.encoded() })
    }

    /// Neighbor Advertisement (type 136, RFC 4861 section 4.4). Send with hop limit 255; `solicited`
    /// must be false when sent to a multicast address.
    public static func neighborAdvertisement(target: [UInt8], router: Bool = false, solicited: Bool, override: Bool,
                                             options: [NDOption]) -> Transport {
        precondition(target.count == 16, "targets are IPv6 addresses")
        let flags: UInt8 = (router ? 0x80 : 0) | (solicited ? 0x40 : 0) | (override ? 0x20 : 0)
        return .icmp(type: 136, code: 0, body: [flags, 0, 0, 0] + target + options.flatMap { $0.encoded() })
    }

    private static func echoBody(_ identifier: UInt16, _ sequence: UInt16, _ payload: [UInt8]) -> [UInt8] {
        var body: [UInt8] = []
        body.appendBE(identifier)
        body.appendBE(sequence)
        return body + payload
    }
}

/// A neighbour-discovery option (RFC 4861 section 4.6): type, then data padded to whole 8-octet units.
public struct NDOption: Sendable, Hashable {
    public var type: UInt8
    public var data: [UInt8]

    public init(type: UInt8, data: [UInt8]) {
        self.type = type
        self.data = data
    }

    public static func sourceLinkLayerAddress(_ mac: [UInt8]) -> NDOption { NDOption(type: 1, data: mac) }
    public static func targetLinkLayerAddress(_ mac: [UInt8]) -> NDOption { NDOption(type: 2, data: mac) }
    /// Type 253, reserved for experiments (RFC 4727): receivers must skip it, so it can carry a tag.
    public static func experimental(_ data: [UInt8]) -> NDOption { NDOption(type: 253, data: data) }

    func encoded() -> [UInt8] {
        let units = (2 + data.count + 7) / 8
        let bytes = [type, UInt8(units)] + data
        return bytes + [UInt8](repeating: 0, count: units * 8 - bytes.count)
    }
}
