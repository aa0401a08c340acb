import Testing
@testable import Packets
import Traffic
import LabModel

/// The planner's frames for every traffic class, checked by parsing them back and by an independent
/// checksum calculation. Pure: no root, no kernel.
@Suite("Traffic classes")
struct TrafficClassTests {
    static let ports: [UInt16] = [8003, 8004, 8005]
    static let endpoints = TrafficEndpoints(
        sender: TrafficSide(namespace: "a", interface: "a0", mac: TestAddresses.senderMAC,
                            ipv4: TestAddresses.senderV4, ipv6: TestAddresses.senderV6),
        receiver: TrafficSide(namespace: "b", interface: "b0", mac: TestAddresses.receiverMAC,
                              ipv4: TestAddresses.receiverV4, ipv6: TestAddresses.receiverV6),
        queues: 4)

    /// Frames per slot and how many of them must be claimed, with three validator ports.
    static let expected: [PacketClass: (frames: Int, matching: Int)] = [
        .validatorUDP4: (3, 3), .validatorUDP6: (3, 3), .otherUDP4: (2, 0), .otherUDP6: (2, 0),
        .udpFromValidatorPort: (2, 0), .tcpValidatorPorts: (3, 0), .icmpEcho: (1, 0), .icmpv6Echo: (1, 0),
        .arp: (2, 0), .ndp: (2, 0), .ipv4Options: (2, 1), .ipv4Fragments: (4, 0), .ipv6ExtHeaders: (4, 0),
        .ipv6Fragments: (5, 0), .vlanTagged: (2, 0), .qinq: (2, 0), .truncated: (5, 0),
    ]

    static func plan(_ classes: [PacketClass] = PacketClass.allCases, rounds: Int = 3, firstID: UInt64 = 1000) -> [PlannedFrame] {
        TrafficPlanner.plan(endpoints: endpoints, classes: classes, rounds: rounds, ports: ports, firstID: firstID)
    }

    @Test("Every class gives its frames on every queue, with the right matching verdict",
          arguments: PacketClass.allCases)
    func perClass(_ packetClass: PacketClass) throws {
        let rounds = 3
        let frames = Self.plan([packetClass], rounds: rounds)
        let expected = try #require(Self.expected[packetClass])
        #expect(frames.count == expected.frames * rounds * Self.endpoints.queues)
        #expect(frames.filter(\.matching).count == expected.matching * rounds * Self.endpoints.queues)
        for queue in 0..<Self.endpoints.queues {
            #expect(frames.filter { $0.queue == queue }.count == expected.frames * rounds)
        }
        #expect(frames.allSatisfy { $0.packetClass == packetClass })
    }

    @Test("Every whole frame: at least 60 bytes, its own tag, unicast to the receiver, checksums right, flow as parsed")
    func everyFrame() {
        for planned in Self.plan() where planned.packetClass != .truncated {
            let parsed = FrameParser.parse(planned.frame)
            #expect(planned.frame.count >= 60, "\(planned.flow)")
            #expect(parsed.tag == planned.id, "\(planned.flow)")
            #expect(parsed.destinationMAC == TestAddresses.receiverMAC && parsed.sourceMAC == TestAddresses.senderMAC)
            #expect(parsed.problem == nil && parsed.checksumErrors.isEmpty, "\(planned.flow)")
            #expect(planned.flow == parsed.flow)
            #expect(Self.checksumsVerifyIndependently(planned.frame, parsed), "\(planned.flow)")
        }
    }

    @Test("Truncated frames end inside a header their lengths say is longer, keep their tag, never match")
    func truncatedFrames() throws {
        let frames = Self.plan([.truncated], rounds: 3).filter { $0.queue == 0 }
        #expect(frames.count == 15)
        for (round, group) in stride(from: 0, to: frames.count, by: 5).map({ Array(frames[$0..<$0 + 5]) }).enumerated() {
            let port = Self.ports[round % Self.ports.count]
            let parsed = group.map { FrameParser.parse($0.frame) }
            for (planned, frame) in zip(group, parsed) {
                #expect(frame.tag == planned.id && !planned.matching && planned.flow == frame.flow)
                #expect(frame.destinationMAC == TestAddresses.receiverMAC && frame.sourceMAC == TestAddresses.senderMAC)
                #expect(frame.problem != nil && frame.checksumErrors.isEmpty, "\(planned.flow)")
            }
            // Unpadded: the frame ends where it was cut.
            #expect(group.map(\.frame.count) == [14 + 38, 14 + 43, 14 + 44, 14 + 47, 14 + 24])
            #expect(parsed.map(\.problem) == ["truncated ipv4 options", "truncated ipv4 packet", "truncated ipv4 packet",
                                              "truncated ipv4 packet", "truncated ipv6 header"])
            // The IPv4 ones: IHL 10 (the tag in an experimental option), UDP to a validator port claimed by the
            // total length (40 + 8), and a valid header checksum where the header is whole.
            for planned in group.prefix(4) {
                #expect(planned.frame[14] == 0x4A && planned.frame.loadBE16(at: 16) == 48 && planned.frame[14 + 9] == 17)
                #expect(planned.frame[14 + 20] == 0x1E && planned.frame[14 + 21] == 18)
            }
            for planned in group[1..<4] { #expect(Reference.verifies(Array(planned.frame[14..<54]))) }
            #expect(parsed.map(\.destinationPort) == [nil, nil, port, port, nil])
            #expect(group[1].frame[14 + 40 + 2] == UInt8(port >> 8))          // half the destination port is there
            // The IPv6 one: version 6, payload length 8 (a UDP header), next header UDP, then the tag.
            let v6 = group[4].frame
            #expect(v6.loadBE16(at: 12) == 0x86DD && v6[14] >> 4 == 6 && v6.loadBE16(at: 18) == 8 && v6[20] == 17)
            #expect(Array(v6[22..<38]) == PacketTag.bytes(id: group[4].id))
        }
    }

    @Test("Fragments: a first fragment with the UDP header, a later one that starts like UDP to a validator port")
    func fragmentDecoys() throws {
        for packetClass in [PacketClass.ipv4Fragments, .ipv6Fragments] {
            let frames = Self.plan([packetClass], rounds: 1).filter { $0.queue == 0 }
            let parsed = frames.map { FrameParser.parse($0.frame) }
            #expect(parsed.prefix(4).map(\.fragmentOffset) == [0, 24, 0, 24], "\(packetClass)")
            #expect(parsed.prefix(4).map(\.moreFragments) == [true, false, true, false], "\(packetClass)")
            #expect(parsed.prefix(4).map(\.destinationPort) == [8003, nil, 8002, nil], "\(packetClass)")
            // Both datagrams' later fragments: data that reads as a UDP header to the validator port.
            for (planned, frame) in zip(frames, parsed) where frame.fragmentOffset == 24 {
                let data = try #require(frame.networkOffset).advanced(by: packetClass == .ipv4Fragments ? 20 : 48)
                #expect(planned.frame.loadBE16(at: data + 2) == 8003)
                #expect(Array(planned.frame[data + 8..<data + 24]) == PacketTag.bytes(id: planned.id))
            }
            // Fragments of one datagram share its identification.
            #expect(parsed[0].fragmentID == parsed[1].fragmentID && parsed[2].fragmentID == parsed[3].fragmentID)
            #expect(parsed[0].fragmentID != parsed[2].fragmentID)
        }
        let atomic = FrameParser.parse(try #require(Self.plan([.ipv6Fragments], rounds: 1).filter { $0.queue == 0 }.last).frame)
        #expect(!atomic.isFragment && atomic.ipv6ExtensionHeaders == [44] && atomic.destinationPort == 8003)
    }

    @Test("Near misses: one port below and one above each range of validator ports, over IPv4 and IPv6")
    func nearMisses() {
        #expect(NearMissPorts.around([8003, 8004, 8005]) == [8002, 8006])
        #expect(NearMissPorts.around([1, 8003, 8004, 8005, 8010, 9000, 9002, 65535]) == [2, 8002, 8006, 8009, 8011, 8999, 9001, 9003, 65534])
        #expect(NearMissPorts.around([8003, 8005]) == [8002, 8004, 8006])
        #expect(NearMissPorts.around([]) == [])
        let frames = TrafficPlanner.plan(endpoints: Self.endpoints, classes: [.otherUDP4, .otherUDP6], rounds: 1,
                                         ports: [8003, 8004, 8005, 9000], firstID: 1).filter { $0.queue == 0 }
        let parsed = frames.map { FrameParser.parse($0.frame) }
        #expect(parsed.filter { $0.ipVersion == 4 }.compactMap(\.destinationPort) == [8002, 8006, 8999, 9001])
        #expect(parsed.filter { $0.ipVersion == 6 }.compactMap(\.destinationPort) == [8002, 8006, 8999, 9001])
        #expect(frames.allSatisfy { !$0.matching })
    }

    @Test("Ids are unique and rise from the first id")
    func uniqueIDs() {
        let frames = Self.plan(firstID: 500)
        let ids = frames.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(ids.min() == 500 && ids.max() == 500 + UInt64(ids.count) - 1)
    }

    @Test("Consecutive slots change class and queue; each round covers every class on every queue once",
          arguments: [(PacketClass.allCases.count, 4), (3, 4), (4, 4), (5, 3), (PacketClass.allCases.count, 3)])
    func interleaving(classCount: Int, queues: Int) {
        let classes = Array(PacketClass.allCases.prefix(classCount))
        var endpoints = Self.endpoints
        endpoints.queues = queues
        let rounds = 3
        let frames = TrafficPlanner.plan(endpoints: endpoints, classes: classes, rounds: rounds, ports: Self.ports, firstID: 1)
        var slots: [(PacketClass, Int)] = []
        for frame in frames where slots.last.map({ $0 != (frame.packetClass, frame.queue) }) ?? true {
            slots.append((frame.packetClass, frame.queue))
        }
        let perRound = classes.count * queues
        #expect(slots.count == rounds * perRound)
        for (previous, next) in zip(slots, slots.dropFirst()) {
            #expect(previous.0 != next.0 && previous.1 != next.1, "\(previous) then \(next)")
        }
        for round in 0..<rounds {
            let pairs = Set(slots[round * perRound..<(round + 1) * perRound].map { "\($0.0.rawValue)@\($0.1)" })
            #expect(pairs.count == perRound)
        }
    }

    @Test("Class details: what a filter must and must not claim, and why")
    func details() throws {
        let frames = Self.plan(rounds: 1)
        func parsed(_ packetClass: PacketClass) -> [ParsedFrame] {
            frames.filter { $0.packetClass == packetClass && $0.queue == 0 }.map { FrameParser.parse($0.frame) }
        }
        #expect(Set(parsed(.validatorUDP4).compactMap(\.destinationPort)) == Set(Self.ports))
        #expect(parsed(.validatorUDP6).allSatisfy { $0.ipVersion == 6 && $0.ipv6ExtensionHeaders.isEmpty })
        #expect(parsed(.otherUDP4).compactMap(\.destinationPort) == [8002, 8006])
        #expect(parsed(.udpFromValidatorPort).allSatisfy { Self.ports.contains($0.sourcePort ?? 0) && !Self.ports.contains($0.destinationPort ?? 8003) })
        #expect(parsed(.tcpValidatorPorts).allSatisfy { $0.tcpFlags == .syn && Self.ports.contains($0.destinationPort ?? 0) })
        #expect(parsed(.icmpEcho).map(\.icmpType) == [8])
        #expect(parsed(.icmpv6Echo).map(\.icmpType) == [128])
        #expect(parsed(.arp).map(\.arpOperation) == [1, 2])
        #expect(parsed(.ndp).map(\.icmpType) == [135, 136])
        let options = parsed(.ipv4Options)
        #expect(options.allSatisfy { $0.ipv4OptionsLength == 4 })
        #expect(options.map { $0.matchesValidatorRule(ports: Set(Self.ports)) } == [true, false])
        #expect(parsed(.ipv4Fragments).map(\.fragmentOffset) == [0, 24, 0, 24])
        #expect(parsed(.ipv6ExtHeaders).map(\.ipv6ExtensionHeaders) == [[0], [0, 60], [0], [0, 60]])
        #expect(parsed(.ipv6ExtHeaders).map(\.destinationPort) == [8003, 8003, 8002, 8002])
        #expect(parsed(.ipv6Fragments).map(\.ipv6ExtensionHeaders) == [[44], [44], [44], [44], [44]])
        #expect(parsed(.vlanTagged).map(\.vlanIDs) == [[100], [100]])
        #expect(parsed(.vlanTagged).map(\.ipVersion) == [4, 6])
        #expect(parsed(.qinq).map(\.vlanIDs) == [[200, 100], [200, 100]])
        #expect(parsed(.qinq).map(\.ipVersion) == [4, 6])
        #expect(parsed(.qinq).allSatisfy { $0.destinationPort.map(Self.ports.contains) == true })
        let qinq = try #require(frames.first { $0.packetClass == .qinq })
        #expect(qinq.frame.loadBE16(at: 12) == 0x88A8 && qinq.frame.loadBE16(at: 16) == 0x8100)

        // The decoy: a filter that assumes a 20-byte IPv4 header reads a validator port from the option.
        let decoy = try #require(frames.first { $0.packetClass == .ipv4Options && !$0.matching })
        #expect(Self.ports.contains(decoy.frame.loadBE16(at: 14 + 20 + 2)))
    }

    @Test("Neighbour messages tell the truth about the sender and use hop limit 255")
    func neighbourTruth() throws {
        let frames = Self.plan([.arp, .ndp], rounds: 1).filter { $0.queue == 0 }
        #expect(frames.count == 4)
        let request = frames[0].frame, reply = frames[1].frame
        // ARP sender hardware and protocol addresses are the sender's own.
        #expect(Array(request[22..<28]) == TestAddresses.senderMAC && Array(request[28..<32]) == TestAddresses.senderV4)
        #expect(Array(request[38..<42]) == TestAddresses.receiverV4)
        #expect(Array(reply[22..<28]) == TestAddresses.senderMAC && Array(reply[32..<38]) == TestAddresses.receiverMAC)
        let solicitation = frames[2].frame, advertisement = frames[3].frame
        #expect(solicitation[21] == 255 && advertisement[21] == 255)
        #expect(Array(solicitation[62..<78]) == TestAddresses.receiverV6)         // target: the receiver
        #expect(Array(advertisement[62..<78]) == TestAddresses.senderV6)          // advertises itself
        #expect(advertisement[58] & 0x40 == 0 && advertisement[58] & 0x20 != 0)   // not solicited, override
    }

    @Test("Without validator ports the port-based classes give nothing")
    func noPorts() {
        let frames = TrafficPlanner.plan(endpoints: Self.endpoints, classes: [.validatorUDP4, .vlanTagged, .arp], rounds: 1,
                                         ports: [], firstID: 1)
        #expect(frames.allSatisfy { $0.packetClass == .arp })
        #expect(frames.count == 2 * Self.endpoints.queues)
        #expect(QueueSteering.mark(forQueue: 3) == 0x5844_0003)
    }

    /// Recomputes IPv4 header and transport checksums with `Reference`, pseudo-headers built from the
    /// raw frame. A fragment holds only part of its datagram's checksummed segment (FrameRoundTripTests
    /// checks reassembled ones).
    static func checksumsVerifyIndependently(_ frame: [UInt8], _ parsed: ParsedFrame) -> Bool {
        guard let ip = parsed.networkOffset else { return parsed.arpOperation != nil }
        if parsed.ipVersion == 4 {
            let headerLength = Int(frame[ip] & 0xF) * 4
            guard Reference.verifies(Array(frame[ip..<ip + headerLength])) else { return false }
            guard !parsed.isFragment else { return true }
            let end = ip + Int(frame.loadBE16(at: ip + 2))
            let segment = Array(frame[ip + headerLength..<end])
            if frame[ip + 9] == 1 { return Reference.verifies(segment) }
            let pseudo = Reference.pseudoV4(source: frame[ip + 12..<ip + 16], destination: frame[ip + 16..<ip + 20],
                                            proto: frame[ip + 9], length: segment.count)
            return Reference.verifies(pseudo + segment)
        }
        guard !parsed.isFragment else { return true }
        guard let transport = parsed.transportOffset, let proto = parsed.ipProtocol else { return false }
        let end = ip + 40 + Int(frame.loadBE16(at: ip + 4))
        let segment = Array(frame[transport..<end])
        let pseudo = Reference.pseudoV6(source: frame[ip + 8..<ip + 24], destination: frame[ip + 24..<ip + 40],
                                        nextHeader: proto, length: segment.count)
        return Reference.verifies(pseudo + segment)
    }
}
