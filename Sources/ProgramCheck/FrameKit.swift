import Packets

/// The addresses and base frames every corpus case starts from: a peer sending to the stack's host, on
/// the benchmarking ranges only (198.18.0.0/15, 2001:2::/48). Nothing is ever sent; the frames only go
/// through BPF_PROG_TEST_RUN.
struct FrameKit {
    static let peerMAC: [UInt8] = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x02]
    static let stackMAC: [UInt8] = [0x02, 0x00, 0x5E, 0x10, 0x00, 0x01]
    static let broadcastMAC: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
    static let peerIPv4: [UInt8] = [198, 18, 0, 2]
    static let stackIPv4: [UInt8] = [198, 18, 0, 1]
    static let peerIPv6: [UInt8] = [0x20, 0x01, 0x00, 0x02] + [UInt8](repeating: 0, count: 11) + [2]
    static let stackIPv6: [UInt8] = [0x20, 0x01, 0x00, 0x02] + [UInt8](repeating: 0, count: 11) + [1]
    /// The port the peer's side of every flow uses.
    static let peerPort: UInt16 = 40_000
    static let sshPort: UInt16 = 22

    /// Readable in a hex dump: "xdplab check …".
    static func payload(_ count: Int) -> [UInt8] {
        let text = Array("xdplab check ".utf8)
        return (0..<count).map { text[$0 % text.count] }
    }

    var link = FrameBuilder(source: Self.peerMAC, destination: Self.stackMAC)

    init(vlanTags: [VLANTag] = [], minimumLength: Int = 60, destination: [UInt8] = Self.stackMAC) {
        link = FrameBuilder(source: Self.peerMAC, destination: destination, vlanTags: vlanTags, minimumLength: minimumLength)
    }

    static func ipv4Header(options: [UInt8] = []) -> IPv4Header {
        IPv4Header(source: peerIPv4, destination: stackIPv4, identification: 0x5844, options: options)
    }

    static func ipv6Header(_ extensions: [IPv6ExtensionHeader] = []) -> IPv6Header {
        IPv6Header(source: peerIPv6, destination: stackIPv6, extensionHeaders: extensions)
    }

    static func udp(to port: UInt16, from source: UInt16 = peerPort, payload: Int = 16) -> Transport {
        .udp(source: source, destination: port, payload: Self.payload(payload))
    }

    func udp4(to port: UInt16, from source: UInt16 = peerPort, payload: Int = 16, options: [UInt8] = []) -> [UInt8] {
        link.ipv4(Self.ipv4Header(options: options), Self.udp(to: port, from: source, payload: payload))
    }

    func udp6(to port: UInt16, from source: UInt16 = peerPort, payload: Int = 16,
              extensions: [IPv6ExtensionHeader] = []) -> [UInt8] {
        link.ipv6(Self.ipv6Header(extensions), Self.udp(to: port, from: source, payload: payload))
    }

    func tcp4(_ segment: TCPSegment, options: [UInt8] = []) -> [UInt8] {
        link.ipv4(Self.ipv4Header(options: options), .tcp(segment))
    }

    func tcp6(_ segment: TCPSegment, extensions: [IPv6ExtensionHeader] = []) -> [UInt8] {
        link.ipv6(Self.ipv6Header(extensions), .tcp(segment))
    }

    func arp(_ operation: UInt16, trailer: [UInt8] = []) -> [UInt8] {
        let request = operation == ARPMessage.request
        var builder = link
        if request { builder.destination = Self.broadcastMAC }
        return builder.arp(ARPMessage(operation: operation, senderMAC: Self.peerMAC, senderIP: Self.peerIPv4,
                                      targetMAC: request ? [0, 0, 0, 0, 0, 0] : Self.stackMAC, targetIP: Self.stackIPv4),
                           trailer: trailer)
    }

    /// A TCP segment from the peer's port to `port`; `reply` swaps the ports (the server answering).
    static func segment(_ flags: TCPFlags, port: UInt16, reply: Bool = false, payload: [UInt8] = [],
                        options: [UInt8] = []) -> TCPSegment {
        TCPSegment(source: reply ? port : peerPort, destination: reply ? peerPort : port,
                   sequence: reply ? 0x2000_0000 : 0x1000_0000,
                   acknowledgment: flags.contains(.ack) ? (reply ? 0x1000_0001 : 0x2000_0001) : 0,
                   flags: flags, options: options, payload: payload)
    }
}

extension Array where Element == UInt8 {
    /// A copy with one byte replaced, for damaging frames on purpose.
    func setting(_ offset: Int, _ value: UInt8) -> [UInt8] {
        var copy = self
        copy[offset] = value
        return copy
    }

    /// A copy with a big-endian 16-bit field replaced.
    func setting16(_ offset: Int, _ value: UInt16) -> [UInt8] {
        var copy = self
        copy[offset] = UInt8(value >> 8)
        copy[offset + 1] = UInt8(truncatingIfNeeded: value)
        return copy
    }

    /// Recomputes the IPv4 header checksum after a field was changed on purpose.
    func fixingIPv4Checksum(at offset: Int) -> [UInt8] {
        let length = Int(self[offset] & 0xF) * 4
        guard length >= 20, offset + length <= count else { return self }
        var copy = setting16(offset + 10, 0)
        copy = copy.setting16(offset + 10, InternetChecksum.of(copy[offset..<offset + length]))
        return copy
    }

    func loadBE16(at offset: Int) -> UInt16 { UInt16(self[offset]) << 8 | UInt16(self[offset + 1]) }
}
