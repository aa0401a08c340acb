import Testing
@testable import Packets

@Suite("Frame builders and the parser")
struct FrameRoundTripTests {
    let link = FrameBuilder(source: TestAddresses.senderMAC, destination: TestAddresses.receiverMAC)
    var v4: IPv4Header { IPv4Header(source: TestAddresses.senderV4, destination: TestAddresses.receiverV4, identification: 77) }
    var v6: IPv6Header { IPv6Header(source: TestAddresses.senderV6, destination: TestAddresses.receiverV6) }

    @Test("UDP over IPv4: fields, flow, tag, padding to 60 bytes")
    func udp4() {
        let frame = link.ipv4(v4, .udp(source: 40001, destination: 8003, payload: PacketTag.bytes(id: 42)))
        #expect(frame.count == 60)
        let parsed = FrameParser.parse(frame)
        #expect(parsed.destinationMAC == TestAddresses.receiverMAC && parsed.sourceMAC == TestAddresses.senderMAC)
        #expect(parsed.etherType == 0x0800 && parsed.ipVersion == 4 && parsed.ipProtocol == 17)
        #expect(parsed.sourcePort == 40001 && parsed.destinationPort == 8003)
        #expect(parsed.tag == 42)
        #expect(parsed.checksumErrors.isEmpty && parsed.problem == nil)
        #expect(parsed.flow == "udp 198.18.0.2:40001 > 198.18.0.1:8003")
        #expect(parsed.matchesValidatorRule(ports: [8003]))
        #expect(!parsed.matchesValidatorRule(ports: [8004]))
    }

    @Test("IPv4 options move the UDP header and keep the rule matching")
    func ipv4Options() {
        var header = v4
        header.options = IPv4Option.noOperation + IPv4Option.experimental([0x1F])   // 4 bytes after padding
        let frame = link.ipv4(header, .udp(source: 40001, destination: 8004, payload: PacketTag.bytes(id: 5)))
        #expect(frame[14] == 0x46)                              // IHL 6
        #expect(frame.loadBE16(at: 14 + 24 + 2) == 8004)        // port behind the options
        let parsed = FrameParser.parse(frame)
        #expect(parsed.ipv4OptionsLength == 4 && parsed.destinationPort == 8004 && parsed.checksumErrors.isEmpty)
        #expect(parsed.matchesValidatorRule(ports: [8004]))
        #expect(Reference.verifies(Array(frame[14..<38])))
    }

    @Test("Fragments: one checksum over the datagram, offsets and flags per piece, no ports later")
    func ipv4Fragments() {
        let payload = PacketTag.bytes(id: 1) + PacketTag.bytes(id: 2)
        let pieces = link.ipv4Fragments(v4, .udp(source: 40001, destination: 8002, payload: payload), splitAt: [24])
        #expect(pieces.count == 2)
        let first = FrameParser.parse(pieces[0]), later = FrameParser.parse(pieces[1])
        #expect(first.isFragment && first.moreFragments && first.fragmentOffset == 0 && first.destinationPort == 8002)
        #expect(later.isFragment && !later.moreFragments && later.fragmentOffset == 24 && later.destinationPort == nil)
        #expect(first.tag == 1 && later.tag == 2)
        #expect(first.fragmentID == 77 && later.fragmentID == 77)
        #expect(!first.matchesValidatorRule(ports: [8002]))
        // Reassemble by hand and check the UDP checksum over the whole datagram.
        let datagram = Array(pieces[0][34..<58]) + Array(pieces[1][34..<50])
        let pseudo = Reference.pseudoV4(source: pieces[0][26..<30], destination: pieces[0][30..<34], proto: 17, length: datagram.count)
        #expect(Reference.verifies(pseudo + datagram))
        #expect(later.flow == "udp 198.18.0.2 > 198.18.0.1 frag id 77 offset 24")
    }

    @Test("IPv6 extension headers are walked, padded to 8 bytes and named")
    func ipv6Extensions() {
        var header = v6
        header.extensionHeaders = [.hopByHop(), .destinationOptions(options: [0x1E, 1, 0xAA])]
        let frame = link.ipv6(header, .udp(source: 40001, destination: 8002, payload: PacketTag.bytes(id: 9)))
        #expect(frame[14 + 6] == 0)                            // next header: hop-by-hop
        #expect(frame[14 + 40] == 60 && frame[14 + 41] == 0)   // then destination options, 8 bytes
        #expect(frame[14 + 48] == 17)
        let parsed = FrameParser.parse(frame)
        #expect(parsed.ipv6ExtensionHeaders == [0, 60] && parsed.ipProtocol == 17 && parsed.destinationPort == 8002)
        #expect(parsed.checksumErrors.isEmpty && parsed.tag == 9)
        #expect(!parsed.matchesValidatorRule(ports: [8002]))
        #expect(parsed.flow == "udp [2001:2::2]:40001 > [2001:2::1]:8002 ext hop-by-hop,dest-options")
    }

    @Test("IPv6 fragments: a Fragment header per piece, one checksum over the datagram, ports in the first only")
    func ipv6Fragments() {
        let payload = PacketTag.bytes(id: 1) + PacketTag.bytes(id: 2)
        let pieces = link.ipv6Fragments(v6, .udp(source: 40001, destination: 8003, payload: payload),
                                        identification: 0x5844_0001, splitAt: [24])
        #expect(pieces.count == 2)
        #expect(pieces[0][14 + 6] == 44 && pieces[0][14 + 40] == 17)           // IPv6 -> fragment -> UDP
        #expect(pieces[0].loadBE16(at: 14 + 4) == 8 + 24 && pieces[1].loadBE16(at: 14 + 4) == 8 + 16)
        let first = FrameParser.parse(pieces[0]), later = FrameParser.parse(pieces[1])
        #expect(first.ipv6ExtensionHeaders == [44] && later.ipv6ExtensionHeaders == [44])
        #expect(first.isFragment && first.moreFragments && first.fragmentOffset == 0 && first.destinationPort == 8003)
        #expect(later.isFragment && !later.moreFragments && later.fragmentOffset == 24 && later.destinationPort == nil)
        #expect(first.fragmentID == 0x5844_0001 && later.fragmentID == 0x5844_0001)
        #expect(first.tag == 1 && later.tag == 2)
        #expect(first.problem == nil && later.problem == nil && first.checksumErrors.isEmpty)
        #expect(!first.matchesValidatorRule(ports: [8003]) && !later.matchesValidatorRule(ports: [8003]))
        // Reassemble by hand: the UDP checksum covers the whole datagram, under the upper-layer length.
        let datagram = Array(pieces[0][62...]) + Array(pieces[1][62...])
        #expect(datagram.count == 40)
        let pseudo = Reference.pseudoV6(source: pieces[0][22..<38], destination: pieces[0][38..<54], nextHeader: 17,
                                        length: datagram.count)
        #expect(Reference.verifies(pseudo + datagram))
        #expect(first.flow == "udp [2001:2::2]:40001 > [2001:2::1]:8003 ext fragment frag id 1480851457 offset 0 more")
        #expect(later.flow == "udp 2001:2::2 > 2001:2::1 ext fragment frag id 1480851457 offset 24")
    }

    @Test("An atomic fragment (offset 0, no more) is a whole datagram, yet behind an extension header: no match")
    func atomicFragment() {
        var header = v6
        header.extensionHeaders = [.fragment(offset: 0, more: false, identification: 7)]
        let frame = link.ipv6(header, .udp(source: 40001, destination: 8003, payload: PacketTag.bytes(id: 6)))
        let parsed = FrameParser.parse(frame)
        #expect(!parsed.isFragment && parsed.ipv6ExtensionHeaders == [44] && parsed.destinationPort == 8003)
        #expect(parsed.problem == nil && parsed.checksumErrors.isEmpty && parsed.tag == 6)
        #expect(!parsed.matchesValidatorRule(ports: [8003]))
    }

    @Test("Frames cut inside a header: read as far as they go, the cut named, never matching")
    func cutFrames() throws {
        let bare = FrameBuilder(source: TestAddresses.senderMAC, destination: TestAddresses.receiverMAC, minimumLength: 0)
        var tagged = v4
        tagged.options = IPv4Option.experimental(PacketTag.bytes(id: 21))
        let whole4 = bare.ipv4(tagged, .udp(source: 40001, destination: 8003, payload: []))
        #expect(whole4.count == 14 + 40 + 8 && whole4[14] == 0x4A && whole4.loadBE16(at: 16) == 48)
        #expect(FrameParser.parse(whole4).matchesValidatorRule(ports: [8003]))    // whole, it would match

        let inOptions = FrameParser.parse(Array(whole4.prefix(14 + 38)))
        #expect(inOptions.problem == "truncated ipv4 options" && inOptions.tag == 21)
        #expect(inOptions.ipProtocol == 17 && inOptions.destinationPort == nil)
        #expect(inOptions.flow == "udp 198.18.0.2 > 198.18.0.1 ip-options 20 (truncated ipv4 options)")
        for (kept, port) in [(3, nil), (4, 8003), (7, 8003)] as [(Int, UInt16?)] {
            let parsed = FrameParser.parse(Array(whole4.prefix(14 + 40 + kept)))
            #expect(parsed.problem == "truncated ipv4 packet" && parsed.tag == 21, "\(kept)")
            #expect(parsed.destinationPort == port && parsed.checksumErrors.isEmpty, "\(kept)")
            #expect(!parsed.matchesValidatorRule(ports: [8003]), "\(kept)")
        }
        #expect(FrameParser.parse(Array(whole4.prefix(14 + 44))).flow
                == "udp 198.18.0.2:40001 > 198.18.0.1:8003 ip-options 20 (truncated ipv4 packet)")

        // IPv6: the tag where the addresses would be, 24 of 40 header bytes.
        let whole6 = bare.ipv6(v6, .udp(source: 40001, destination: 8003, payload: []))
        let cut6 = Array(whole6.prefix(14 + 8)) + PacketTag.bytes(id: 22)
        let parsed6 = FrameParser.parse(cut6)
        #expect(parsed6.problem == "truncated ipv6 header" && parsed6.ipVersion == 6 && parsed6.tag == 22)
        #expect(!parsed6.matchesValidatorRule(ports: [8003]))

        // Payload length claiming more than the frame holds: ports read, checksum not judged, no match.
        var long6 = link.ipv6(v6, .udp(source: 40001, destination: 8003, payload: PacketTag.bytes(id: 23)))
        long6.storeBE(200, at: 14 + 4)
        let parsedLong = FrameParser.parse(long6)
        #expect(parsedLong.problem == "truncated ipv6 packet" && parsedLong.destinationPort == 8003)
        #expect(parsedLong.checksumErrors.isEmpty && parsedLong.sourceIP == "2001:2::2" && parsedLong.tag == 23)
        #expect(!parsedLong.matchesValidatorRule(ports: [8003]))
    }

    @Test("VLAN tags (802.1Q and 802.1ad) are read off, and tagged frames never match")
    func vlan() {
        var tagged = link
        tagged.vlanTags = [VLANTag(id: 200, tpid: FrameBuilder.etherTypeQinQ), VLANTag(id: 100, priority: 5)]
        let frame = tagged.ipv4(v4, .udp(source: 40001, destination: 8003, payload: PacketTag.bytes(id: 3)))
        #expect(frame.loadBE16(at: 12) == 0x88A8 && frame.loadBE16(at: 16) == 0x8100 && frame.loadBE16(at: 20) == 0x0800)
        #expect(frame.loadBE16(at: 18) == 5 << 13 | 100)
        let parsed = FrameParser.parse(frame)
        #expect(parsed.vlanIDs == [200, 100] && parsed.destinationPort == 8003 && parsed.checksumErrors.isEmpty)
        #expect(!parsed.matchesValidatorRule(ports: [8003]))
        #expect(parsed.flow.hasPrefix("vlan 200.100 udp "))
    }

    @Test("QinQ over IPv6: 802.1ad outside 802.1Q, the UDP checksum right behind both tags, no match")
    func qinqIPv6() {
        var tagged = link
        tagged.vlanTags = [VLANTag(id: 200, tpid: FrameBuilder.etherTypeQinQ), VLANTag(id: 100)]
        let frame = tagged.ipv6(v6, .udp(source: 40001, destination: 8003, payload: PacketTag.bytes(id: 8)))
        #expect(frame.loadBE16(at: 12) == 0x88A8 && frame.loadBE16(at: 16) == 0x8100 && frame.loadBE16(at: 20) == 0x86DD)
        let parsed = FrameParser.parse(frame)
        #expect(parsed.vlanIDs == [200, 100] && parsed.networkOffset == 22 && parsed.destinationPort == 8003)
        #expect(parsed.problem == nil && parsed.checksumErrors.isEmpty && parsed.tag == 8)
        let pseudo = Reference.pseudoV6(source: frame[30..<46], destination: frame[46..<62], nextHeader: 17, length: 24)
        #expect(Reference.verifies(pseudo + Array(frame[62..<86])))
        #expect(!parsed.matchesValidatorRule(ports: [8003]))
        #expect(parsed.flow == "vlan 200.100 udp [2001:2::2]:40001 > [2001:2::1]:8003")
    }

    @Test("ARP: 28-byte message, tag in the padding, 60 bytes")
    func arp() {
        let frame = link.arp(ARPMessage(operation: ARPMessage.request, senderMAC: TestAddresses.senderMAC,
                                        senderIP: TestAddresses.senderV4, targetMAC: [0, 0, 0, 0, 0, 0],
                                        targetIP: TestAddresses.receiverV4), trailer: PacketTag.bytes(id: 11))
        #expect(frame.count == 60)
        #expect(Array(frame[42..<58]) == PacketTag.bytes(id: 11))
        let parsed = FrameParser.parse(frame)
        #expect(parsed.arpOperation == 1 && parsed.tag == 11)
        #expect(parsed.flow == "arp request who-has 198.18.0.1 tell 198.18.0.2")
    }

    @Test("Neighbour discovery: options in 8-byte units, tag in option 253, hop limit kept")
    func neighbourDiscovery() {
        var header = v6
        header.hopLimit = 255
        let frame = link.ipv6(header, .neighborSolicitation(target: TestAddresses.receiverV6, options: [
            .sourceLinkLayerAddress(TestAddresses.senderMAC), .experimental(PacketTag.bytes(id: 12)),
        ]))
        let icmp = 14 + 40
        #expect(frame[icmp] == 135 && frame[14 + 7] == 255)
        #expect(Array(frame[icmp + 24..<icmp + 32]) == [1, 1] + TestAddresses.senderMAC)
        #expect(frame[icmp + 32] == 253 && frame[icmp + 33] == 3)          // 2 + 16 bytes -> 3 units
        #expect(Array(frame[icmp + 34..<icmp + 50]) == PacketTag.bytes(id: 12))
        #expect(frame.count == icmp + 56)
        let parsed = FrameParser.parse(frame)
        #expect(parsed.icmpType == 135 && parsed.ndTarget == "2001:2::1" && parsed.checksumErrors.isEmpty)
        let pseudo = Reference.pseudoV6(source: frame[22..<38], destination: frame[38..<54], nextHeader: 58, length: 56)
        #expect(Reference.verifies(pseudo + Array(frame[icmp...])))
    }

    @Test("TCP: options padded, data offset, flags in the flow")
    func tcp() {
        let segment = TCPSegment(source: 40001, destination: 8005, sequence: 9, flags: [.syn],
                                 options: TCPSegment.mssOption(1460) + [1], payload: PacketTag.bytes(id: 4))
        let frame = link.ipv4(v4, .tcp(segment))
        #expect(frame[14 + 20 + 12] == 7 << 4)                 // 20 + 8 bytes of options
        let parsed = FrameParser.parse(frame)
        #expect(parsed.tcpFlags == .syn && parsed.destinationPort == 8005 && parsed.tag == 4 && parsed.checksumErrors.isEmpty)
        #expect(parsed.flow == "tcp 198.18.0.2:40001 > 198.18.0.1:8005 [S]")
        #expect(!parsed.matchesValidatorRule(ports: [8005]))
    }

    @Test("A corrupted byte shows up as a checksum error")
    func corruption() {
        var frame = link.ipv4(v4, .udp(source: 40001, destination: 8003, payload: PacketTag.bytes(id: 42)))
        frame[14 + 28] ^= 0x01
        #expect(FrameParser.parse(frame).checksumErrors == ["udp"])
        frame[14 + 8] ^= 0x01                                    // TTL
        #expect(FrameParser.parse(frame).checksumErrors == ["ipv4", "udp"])
    }

    @Test("Every truncation of every kind of frame parses without trapping")
    func truncations() {
        var ndHeader = v6
        ndHeader.hopLimit = 255
        var extended = v6
        extended.extensionHeaders = [.hopByHop(), .destinationOptions()]
        var optioned = v4
        optioned.options = IPv4Option.routerAlert
        let frames = [
            link.ipv4(optioned, .udp(source: 1, destination: 2, payload: [1, 2, 3])),
            link.ipv6(extended, .tcp(TCPSegment(source: 1, destination: 2, flags: .syn))),
            link.ipv6(ndHeader, .neighborAdvertisement(target: TestAddresses.senderV6, solicited: false, override: true,
                                                       options: [.targetLinkLayerAddress(TestAddresses.senderMAC)])),
            link.arp(ARPMessage(operation: 2, senderMAC: TestAddresses.senderMAC, senderIP: TestAddresses.senderV4,
                                targetMAC: TestAddresses.receiverMAC, targetIP: TestAddresses.receiverV4)),
        ] + link.ipv4Fragments(v4, .udp(source: 1, destination: 2, payload: [UInt8](repeating: 7, count: 40)), splitAt: [16])
        for frame in frames {
            #expect(FrameParser.parse(frame).problem == nil)
            for length in 0..<frame.count {
                let parsed = FrameParser.parse(Array(frame[0..<length]))
                #expect(!parsed.flow.isEmpty)
            }
        }
        #expect(FrameParser.parse(Array(frames[0][0..<30])).problem == "truncated ipv4 header")
    }

    @Test("Address text round-trips and follows RFC 5952")
    func addresses() {
        #expect(AddressText.ip(TestAddresses.senderV6) == "2001:2::2")
        #expect(AddressText.ipv6("2001:2::2") == TestAddresses.senderV6)
        #expect(AddressText.ipv4("198.18.0.2") == TestAddresses.senderV4)
        #expect(AddressText.ipv4("198.18.0.256") == nil)
        #expect(AddressText.mac("02:00:5e:00:00:01") == TestAddresses.receiverMAC)
        #expect(AddressText.mac(TestAddresses.receiverMAC) == "02:00:5e:00:00:01")
        #expect(AddressText.ip([0x20, 0x01, 0x0D, 0xB8, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 1]) == "2001:db8::1:0:0:1")
    }
}
