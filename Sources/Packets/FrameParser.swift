/// Parses Ethernet frames (802.1Q/802.1ad tags, ARP, IPv4 with options and fragments, IPv6 with
/// extension headers, UDP, TCP, ICMP, ICMPv6) into a `ParsedFrame`. Never traps on malformed input:
/// it says why in `problem`. A frame shorter than its IP length fields claim is still read as far as it
/// goes (addresses, ports), so its flow can be named, but no checksum of it is checked.
public enum FrameParser {
    public static func parse(_ frame: [UInt8]) -> ParsedFrame {
        var parser = Parser(bytes: frame)
        parser.parseEthernet()
        parser.result.tag = PacketTag.find(in: frame)
        parser.result.flow = FlowText.describe(parser.result)
        return parser.result
    }

    public static func parse(_ frame: UnsafeRawBufferPointer) -> ParsedFrame {
        parse(Array(frame))
    }
}

private struct Parser {
    let bytes: [UInt8]
    var result: ParsedFrame

    init(bytes: [UInt8]) {
        self.bytes = bytes
        self.result = ParsedFrame(length: bytes.count)
    }

    mutating func stop(_ why: String) { if result.problem == nil { result.problem = why } }

    mutating func parseEthernet() {
        guard bytes.count >= 14 else { return stop("truncated ethernet header") }
        result.destinationMAC = Array(bytes[0..<6])
        result.sourceMAC = Array(bytes[6..<12])
        var offset = 12
        var type = bytes.loadBE16(at: offset)
        while type == FrameBuilder.etherTypeVLAN || type == FrameBuilder.etherTypeQinQ {
            guard bytes.count >= offset + 6 else { return stop("truncated vlan tag") }
            result.vlanIDs.append(bytes.loadBE16(at: offset + 2) & 0xFFF)
            offset += 4
            type = bytes.loadBE16(at: offset)
        }
        result.etherType = type
        offset += 2
        switch type {
        case FrameBuilder.etherTypeARP: parseARP(at: offset)
        case FrameBuilder.etherTypeIPv4: parseIPv4(at: offset)
        case FrameBuilder.etherTypeIPv6: parseIPv6(at: offset)
        default: break
        }
    }

    mutating func parseARP(at offset: Int) {
        guard bytes.count >= offset + 28 else { return stop("truncated arp message") }
        guard bytes.loadBE16(at: offset + 2) == 0x0800, bytes[offset + 4] == 6, bytes[offset + 5] == 4 else {
            return stop("arp for something other than ipv4 over ethernet")
        }
        result.arpOperation = bytes.loadBE16(at: offset + 6)
        result.sourceIP = AddressText.ip(Array(bytes[offset + 14..<offset + 18]))
        result.destinationIP = AddressText.ip(Array(bytes[offset + 24..<offset + 28]))
    }

    mutating func parseIPv4(at offset: Int) {
        result.ipVersion = 4
        result.networkOffset = offset
        guard bytes.count >= offset + 20 else { return stop("truncated ipv4 header") }
        let version = bytes[offset] >> 4
        guard version == 4 else { return stop("ipv4 ethertype with ip version \(version)") }
        let headerLength = Int(bytes[offset] & 0xF) * 4
        guard headerLength >= 20 else { return stop("ipv4 header length \(headerLength)") }
        // The fixed 20 bytes are here: their fields describe the frame even when the options are cut short.
        let totalLength = Int(bytes.loadBE16(at: offset + 2))
        result.ipv4OptionsLength = headerLength - 20
        result.sourceIP = AddressText.ip(Array(bytes[offset + 12..<offset + 16]))
        result.destinationIP = AddressText.ip(Array(bytes[offset + 16..<offset + 20]))
        let proto = bytes[offset + 9]
        result.ipProtocol = proto
        let flagsAndOffset = bytes.loadBE16(at: offset + 6)
        result.moreFragments = flagsAndOffset & 0x2000 != 0
        result.fragmentOffset = Int(flagsAndOffset & 0x1FFF) * 8
        result.isFragment = result.moreFragments || result.fragmentOffset != 0
        if result.isFragment { result.fragmentID = UInt32(bytes.loadBE16(at: offset + 4)) }
        guard bytes.count >= offset + headerLength else { return stop("truncated ipv4 options") }
        if InternetChecksum.of(bytes[offset..<offset + headerLength]) != 0 { result.checksumErrors.append("ipv4") }
        guard totalLength >= headerLength else { return stop("ipv4 total length \(totalLength) below header length") }
        guard result.fragmentOffset == 0 else {
            if bytes.count < offset + totalLength { stop("truncated ipv4 packet") }
            return
        }
        let source = Array(bytes[offset + 12..<offset + 16]), destination = Array(bytes[offset + 16..<offset + 20])
        if bytes.count < offset + totalLength {
            // Cut short: name what the frame still holds (the ports, say), but check no checksum.
            stop("truncated ipv4 packet")
            parseTransport(proto, from: offset + headerLength, to: bytes.count, ipv6: false, verifyChecksum: false) { _ in
                InternetChecksum()
            }
            return
        }
        parseTransport(proto, from: offset + headerLength, to: offset + totalLength, ipv6: false,
                       verifyChecksum: !result.isFragment) { length in
            InternetChecksum.pseudoHeaderV4(source: source, destination: destination, protocol: proto, length: length)
        }
    }

    mutating func parseIPv6(at offset: Int) {
        result.ipVersion = 6
        result.networkOffset = offset
        guard bytes.count >= offset + 40 else { return stop("truncated ipv6 header") }
        let version = bytes[offset] >> 4
        guard version == 6 else { return stop("ipv6 ethertype with ip version \(version)") }
        let claimedEnd = offset + 40 + Int(bytes.loadBE16(at: offset + 4))
        // Cut short: walk what the frame still holds, to name it, but check no checksum.
        if bytes.count < claimedEnd { stop("truncated ipv6 packet") }
        let end = min(claimedEnd, bytes.count)
        let source = Array(bytes[offset + 8..<offset + 24]), destination = Array(bytes[offset + 24..<offset + 40])
        result.sourceIP = AddressText.ip(source)
        result.destinationIP = AddressText.ip(destination)
        var next = bytes[offset + 6]
        var cursor = offset + 40
        while Self.extensionHeaderTypes.contains(next) {
            guard end >= cursor + 8 else { return stop("truncated ipv6 extension header") }
            result.ipv6ExtensionHeaders.append(next)
            let length: Int
            switch next {
            case IPv6ExtensionHeader.fragmentType:
                length = 8
                let field = bytes.loadBE16(at: cursor + 2)
                result.fragmentOffset = Int(field >> 3) * 8
                result.moreFragments = field & 1 != 0
                result.isFragment = result.isFragment || result.moreFragments || result.fragmentOffset != 0
                result.fragmentID = bytes.loadBE32(at: cursor + 4)
            case 51:  // Authentication Header: length in 4-octet units, minus 2
                length = (Int(bytes[cursor + 1]) + 2) * 4
            default:
                length = (Int(bytes[cursor + 1]) + 1) * 8
            }
            guard end >= cursor + length else { return stop("truncated ipv6 extension header") }
            next = bytes[cursor]
            cursor += length
        }
        result.ipProtocol = next
        guard result.fragmentOffset == 0 else { return }
        parseTransport(next, from: cursor, to: end, ipv6: true,
                       verifyChecksum: !result.isFragment && end == claimedEnd) { length in
            InternetChecksum.pseudoHeaderV6(source: source, destination: destination, nextHeader: next, length: length)
        }
    }

    /// Hop-by-hop, routing, fragment, authentication, destination options, mobility, HIP, shim6,
    /// and the two experimental values.
    static let extensionHeaderTypes: Set<UInt8> = [0, 43, 44, 51, 60, 135, 139, 140, 253, 254]

    mutating func parseTransport(_ proto: UInt8, from start: Int, to end: Int, ipv6: Bool, verifyChecksum: Bool,
                                 pseudoHeader: (Int) -> InternetChecksum) {
        let available = end - start
        switch proto {
        case Transport.udpProtocol:
            if available >= 4 {
                result.transportOffset = start
                result.sourcePort = bytes.loadBE16(at: start)
                result.destinationPort = bytes.loadBE16(at: start + 2)
            }
            guard available >= 8 else { return stop("truncated udp header") }
            let udpLength = Int(bytes.loadBE16(at: start + 4))
            guard verifyChecksum else { return }
            guard udpLength >= 8, udpLength <= available else { return stop("udp length \(udpLength) does not fit") }
            let stored = bytes.loadBE16(at: start + 6)
            if !ipv6 && stored == 0 { return }      // IPv4: no checksum
            if !verifies(start, start + udpLength, pseudoHeader) { result.checksumErrors.append("udp") }
        case Transport.tcpProtocol:
            if available >= 4 {
                result.transportOffset = start
                result.sourcePort = bytes.loadBE16(at: start)
                result.destinationPort = bytes.loadBE16(at: start + 2)
            }
            guard available >= 20 else { return stop("truncated tcp header") }
            result.tcpFlags = TCPFlags(rawValue: bytes[start + 13])
            if verifyChecksum && !verifies(start, end, pseudoHeader) { result.checksumErrors.append("tcp") }
        case Transport.icmpProtocol where !ipv6, Transport.icmpv6Protocol where ipv6:
            guard available >= 4 else { return stop("truncated icmp header") }
            result.transportOffset = start
            result.icmpType = bytes[start]
            result.icmpCode = bytes[start + 1]
            if ipv6, bytes[start] == 135 || bytes[start] == 136, available >= 24 {
                result.ndTarget = AddressText.ip(Array(bytes[start + 8..<start + 24]))
            }
            if verifyChecksum {
                let ok = ipv6 ? verifies(start, end, pseudoHeader) : InternetChecksum.of(bytes[start..<end]) == 0
                if !ok { result.checksumErrors.append(ipv6 ? "icmp6" : "icmp") }
            }
        default:
            break
        }
    }

    func verifies(_ start: Int, _ end: Int, _ pseudoHeader: (Int) -> InternetChecksum) -> Bool {
        var sum = pseudoHeader(end - start)
        sum.add(bytes[start..<end])
        return sum.verifies
    }
}
