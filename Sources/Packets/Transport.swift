/// What rides on IP: a UDP datagram, a TCP segment, an ICMP message (ICMPv6 under IPv6), or raw bytes.
/// Checksums are filled in when the frame is built, with the right pseudo-header for the IP version.
public enum Transport: Sendable, Hashable {
    case udp(source: UInt16, destination: UInt16, payload: [UInt8])
    case tcp(TCPSegment)
    /// Type, code and the bytes after the checksum field. ICMP under IPv4, ICMPv6 under IPv6.
    case icmp(type: UInt8, code: UInt8, body: [UInt8])
    /// Any protocol number with bytes used as they are (no checksum is touched).
    case raw(protocol: UInt8, bytes: [UInt8])

    public static let udpProtocol: UInt8 = 17
    public static let tcpProtocol: UInt8 = 6
    public static let icmpProtocol: UInt8 = 1
    public static let icmpv6Protocol: UInt8 = 58

    /// The IP protocol / next-header number; ICMP depends on the IP version.
    public func protocolNumber(ipv6: Bool) -> UInt8 {
        switch self {
        case .udp: return Self.udpProtocol
        case .tcp: return Self.tcpProtocol
        case .icmp: return ipv6 ? Self.icmpv6Protocol : Self.icmpProtocol
        case .raw(let proto, _): return proto
        }
    }

    /// The encoded segment; `pseudoHeader` gives the pseudo-header sum for a segment length
    /// (ICMPv4 has none and does not ask).
    func encoded(ipv6: Bool, pseudoHeader: (Int) -> InternetChecksum) -> [UInt8] {
        switch self {
        case .udp(let source, let destination, let payload):
            var bytes: [UInt8] = []
            bytes.appendBE(source)
            bytes.appendBE(destination)
            bytes.appendBE(UInt16(8 + payload.count))
            bytes.appendBE(UInt16(0))
            bytes += payload
            var sum = pseudoHeader(bytes.count)
            sum.add(bytes)
            // RFC 768: a computed zero is sent as all ones, zero meaning "no checksum".
            bytes.storeBE(sum.value == 0 ? 0xFFFF : sum.value, at: 6)
            return bytes
        case .tcp(let segment):
            var bytes = segment.encodedWithoutChecksum()
            var sum = pseudoHeader(bytes.count)
            sum.add(bytes)
            bytes.storeBE(sum.value, at: 16)
            return bytes
        case .icmp(let type, let code, let body):
            var bytes: [UInt8] = [type, code, 0, 0] + body
            var sum = ipv6 ? pseudoHeader(bytes.count) : InternetChecksum()
            sum.add(bytes)
            bytes.storeBE(sum.value, at: 2)
            return bytes
        case .raw(_, let bytes):
            return bytes
        }
    }
}

/// The fields of a TCP segment (RFC 9293); data offset and checksum are computed.
public struct TCPSegment: Sendable, Hashable {
    public var source: UInt16
    public var destination: UInt16
    public var sequence: UInt32
    public var acknowledgment: UInt32
    public var flags: TCPFlags
    public var window: UInt16
    public var urgentPointer: UInt16
    /// Raw option bytes, padded with End-of-Option-List zeros to a multiple of 4.
    public var options: [UInt8]
    public var payload: [UInt8]

    public init(source: UInt16, destination: UInt16, sequence: UInt32 = 0, acknowledgment: UInt32 = 0,
                flags: TCPFlags, window: UInt16 = 64240, urgentPointer: UInt16 = 0, options: [UInt8] = [],
                payload: [UInt8] = []) {
        self.source = source
        self.destination = destination
        self.sequence = sequence
        self.acknowledgment = acknowledgment
        self.flags = flags
        self.window = window
        self.urgentPointer = urgentPointer
        self.options = options
        self.payload = payload
    }

    /// The Maximum Segment Size option (kind 2).
    public static func mssOption(_ mss: UInt16) -> [UInt8] { [2, 4, UInt8(mss >> 8), UInt8(truncatingIfNeeded: mss)] }

    func encodedWithoutChecksum() -> [UInt8] {
        var opts = options
        while opts.count % 4 != 0 { opts.append(0) }
        precondition(opts.count <= 40, "TCP options are at most 40 bytes")
        var bytes: [UInt8] = []
        bytes.appendBE(source)
        bytes.appendBE(destination)
        bytes.appendBE(sequence)
        bytes.appendBE(acknowledgment)
        bytes.append(UInt8((20 + opts.count) / 4) << 4)
        bytes.append(flags.rawValue)
        bytes.appendBE(window)
        bytes.appendBE(UInt16(0))
        bytes.appendBE(urgentPointer)
        return bytes + opts + payload
    }
}

public struct TCPFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)
    public static let urg = TCPFlags(rawValue: 0x20)
    public static let ece = TCPFlags(rawValue: 0x40)
    public static let cwr = TCPFlags(rawValue: 0x80)

    /// tcpdump's letters: "S", "S.", "P.", "R", "F.".
    public var letters: String {
        var text = ""
        if contains(.fin) { text += "F" }
        if contains(.syn) { text += "S" }
        if contains(.rst) { text += "R" }
        if contains(.psh) { text += "P" }
        if contains(.urg) { text += "U" }
        if contains(.ece) { text += "E" }
        if contains(.cwr) { text += "W" }
        if contains(.ack) { text += "." }
        return text.isEmpty ? "none" : text
    }
}
