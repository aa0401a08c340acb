import Testing
@testable import Packets

@Suite("Internet checksum")
struct ChecksumTests {
    @Test("RFC 1071 section 3 example: sum ddf2, checksum 220d")
    func rfc1071Example() {
        let bytes: [UInt8] = [0x00, 0x01, 0xF2, 0x03, 0xF4, 0xF5, 0xF6, 0xF7]
        #expect(InternetChecksum.of(bytes) == 0x220D)
        #expect(Reference.checksum(bytes) == 0x220D)
    }

    @Test("A textbook IPv4 header checks to b861")
    func textbookIPv4Header() {
        let header: [UInt8] = [0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0x00, 0x00,
                               0xC0, 0xA8, 0x00, 0x01, 0xC0, 0xA8, 0x00, 0xC7]
        #expect(InternetChecksum.of(header) == 0xB861)
    }

    @Test("Odd lengths pad with a zero byte, split or whole")
    func oddLength() {
        let bytes: [UInt8] = [0x12, 0x34, 0x56]
        #expect(InternetChecksum.of(bytes) == Reference.checksum(bytes))
        var split = InternetChecksum()
        split.add([0x12, 0x34] as [UInt8])
        split.add([0x56] as [UInt8])
        #expect(split.value == Reference.checksum(bytes))
    }

    @Test("Built headers carry the values an independent calculation gives")
    func knownPacketValues() {
        let link = FrameBuilder(source: TestAddresses.senderMAC, destination: TestAddresses.receiverMAC)
        let v4 = IPv4Header(source: TestAddresses.senderV4, destination: TestAddresses.receiverV4, identification: 0x1234)
        let udp = link.ipv4(v4, .udp(source: 40001, destination: 8003, payload: Array("hi".utf8)))
        // Values from a separate Python computation of the same packet.
        #expect(udp.loadBE16(at: 14 + 10) == 0xDC73)        // IPv4 header checksum
        #expect(udp.loadBE16(at: 14 + 20 + 6) == 0x4FC4)    // UDP checksum

        let tcp = link.ipv4(IPv4Header(source: TestAddresses.senderV4, destination: TestAddresses.receiverV4),
                            .tcp(TCPSegment(source: 40001, destination: 8003, sequence: 1, flags: .syn)))
        #expect(tcp.loadBE16(at: 14 + 20 + 16) == 0x6D44)

        let icmp = link.ipv4(IPv4Header(source: TestAddresses.senderV4, destination: TestAddresses.receiverV4),
                             .icmpEcho(identifier: 0x5844, sequence: 7, payload: Array("abc".utf8)))
        #expect(icmp.loadBE16(at: 14 + 20 + 2) == 0xDB51)

        let icmp6 = link.ipv6(IPv6Header(source: TestAddresses.senderV6, destination: TestAddresses.receiverV6),
                              .icmpv6Echo(identifier: 0x5844, sequence: 7, payload: Array("abc".utf8)))
        #expect(icmp6.loadBE16(at: 14 + 40 + 2) == 0x2303)
    }

    @Test("A UDP checksum that computes to zero is sent as ffff")
    func udpZeroBecomesAllOnes() {
        // Find a payload whose checksum field computes to zero, then check the builder wrote ffff.
        let link = FrameBuilder(source: TestAddresses.senderMAC, destination: TestAddresses.receiverMAC)
        let header = IPv4Header(source: TestAddresses.senderV4, destination: TestAddresses.receiverV4)
        let base = link.ipv4(header, .udp(source: 1, destination: 2, payload: [0, 0]))
        let stored = base.loadBE16(at: 14 + 20 + 6)
        // Adding `stored` as payload word turns the sum to all ones, so the computed checksum is 0.
        let zeroing = link.ipv4(header, .udp(source: 1, destination: 2, payload: [UInt8(stored >> 8), UInt8(stored & 0xFF)]))
        #expect(zeroing.loadBE16(at: 14 + 20 + 6) == 0xFFFF)
        #expect(FrameParser.parse(zeroing).checksumErrors.isEmpty)
    }
}
