import Packets
import LabModel

/// The frames of each traffic class, sender to receiver, every one carrying its `PacketTag`.
///
/// Frames are made so that the receiving kernel takes them as they are: unicast to the receiver's MAC,
/// correct checksums, ARP and neighbour discovery that tell the truth about the sender (its real MAC
/// and addresses), so neighbour tables stay right. The `truncated` frames are the exception by design:
/// each ends inside a header that its length fields say is longer, with the tag in the part that is left
/// (see `ipv4HeaderCut`); the receiving kernel counts them as header errors or truncated packets and
/// drops them, after the capture tap has seen them.
struct FrameRecipes {
    let sender: TrafficSide
    let receiver: TrafficSide
    /// Sorted, without duplicates.
    let validatorPorts: [UInt16]
    /// One port below and one above each range of validator ports (8002 and 8006 for 8003-8005; 8999 and
    /// 9001 as well when 9000 is one too): a filter with an off-by-one range, or one spanning the gaps, claims them.
    let neighbourPorts: [UInt16]
    let link: FrameBuilder
    /// The same link without padding to the Ethernet minimum, for frames that must end where they are cut.
    let bareLink: FrameBuilder

    static let vlanID: UInt16 = 100
    static let serviceVLANID: UInt16 = 200
    static let echoIdentifier: UInt16 = 0x5844

    init(endpoints: TrafficEndpoints, validatorPorts: [UInt16]) {
        sender = endpoints.sender
        receiver = endpoints.receiver
        let sorted = Array(Set(validatorPorts)).sorted()
        self.validatorPorts = sorted
        let neighbours = NearMissPorts.around(sorted)
        neighbourPorts = neighbours.isEmpty ? [9999] : neighbours
        link = FrameBuilder(source: sender.mac, destination: receiver.mac)
        bareLink = FrameBuilder(source: sender.mac, destination: receiver.mac, minimumLength: 0)
    }

    func frames(for packetClass: PacketClass, round: Int, nextID: inout UInt64) -> [(UInt64, [UInt8])] {
        var made: [(UInt64, [UInt8])] = []
        func take() -> UInt64 { defer { nextID += 1 }; return nextID }
        let rotatingPort = validatorPorts.isEmpty ? nil : validatorPorts[round % validatorPorts.count]
        let otherPort = neighbourPorts[round % neighbourPorts.count]

        switch packetClass {
        case .validatorUDP4:
            for port in validatorPorts { let id = take(); made.append((id, udp4(id, to: port))) }
        case .validatorUDP6:
            for port in validatorPorts { let id = take(); made.append((id, udp6(id, to: port))) }
        case .otherUDP4:
            for port in neighbourPorts { let id = take(); made.append((id, udp4(id, to: port))) }
        case .otherUDP6:
            for port in neighbourPorts { let id = take(); made.append((id, udp6(id, to: port))) }
        case .udpFromValidatorPort:
            guard let port = rotatingPort else { break }
            var id = take()
            made.append((id, udp4(id, from: port, to: ephemeralPort(id &+ 7919))))
            id = take()
            made.append((id, udp6(id, from: port, to: ephemeralPort(id &+ 7919))))
        case .tcpValidatorPorts:
            for port in validatorPorts { let id = take(); made.append((id, tcpSYN(id, to: port))) }
        case .icmpEcho:
            let id = take()
            made.append((id, link.ipv4(ipv4(id), .icmpEcho(identifier: Self.echoIdentifier,
                                                           sequence: UInt16(truncatingIfNeeded: id),
                                                           payload: PacketTag.bytes(id: id)))))
        case .icmpv6Echo:
            let id = take()
            made.append((id, link.ipv6(ipv6(), .icmpv6Echo(identifier: Self.echoIdentifier,
                                                           sequence: UInt16(truncatingIfNeeded: id),
                                                           payload: PacketTag.bytes(id: id)))))
        case .arp:
            let requestID = take(), replyID = take()
            made.append((requestID, arpRequest(requestID)))
            made.append((replyID, arpReply(replyID)))
        case .ndp:
            let solicitationID = take(), advertisementID = take()
            made.append((solicitationID, neighborSolicitation(solicitationID)))
            made.append((advertisementID, neighborAdvertisement(advertisementID)))
        case .ipv4Options:
            guard let port = rotatingPort else { break }
            made += ipv4OptionFrames(to: port, otherPort: otherPort, take)
        case .ipv4Fragments:
            guard let port = rotatingPort else { break }
            made += ipv4FragmentFrames(to: port, otherPort: otherPort, take)
        case .ipv6ExtHeaders:
            guard let port = rotatingPort else { break }
            made += ipv6ExtensionFrames(to: port, otherPort: otherPort, take)
        case .ipv6Fragments:
            guard let port = rotatingPort else { break }
            made += ipv6FragmentFrames(to: port, otherPort: otherPort, take)
        case .vlanTagged:
            guard let port = rotatingPort else { break }
            made += tagged([VLANTag(id: Self.vlanID)], to: port, take)
        case .qinq:
            guard let port = rotatingPort else { break }
            made += tagged([VLANTag(id: Self.serviceVLANID, tpid: FrameBuilder.etherTypeQinQ), VLANTag(id: Self.vlanID)],
                           to: port, take)
        case .truncated:
            guard let port = rotatingPort else { break }
            made += truncatedFrames(to: port, take)
        }
        return made
    }

    // MARK: header tricks

    /// A validator port behind a Router Alert option (matching), then a trap that does not match: the option's
    /// value sits where a filter that assumes a 20-byte header reads the destination port, and holds `port`.
    private func ipv4OptionFrames(to port: UInt16, otherPort: UInt16, _ take: () -> UInt64) -> [(UInt64, [UInt8])] {
        var id = take()
        var header = ipv4(id)
        header.options = IPv4Option.routerAlert
        let matching = (id, link.ipv4(header, .udp(source: ephemeralPort(id), destination: port,
                                                   payload: PacketTag.bytes(id: id))))
        id = take()
        header = ipv4(id)
        header.options = IPv4Option.experimental([UInt8(port >> 8), UInt8(truncatingIfNeeded: port)])
        let trap = (id, link.ipv4(header, .udp(source: ephemeralPort(id), destination: otherPort,
                                               payload: PacketTag.bytes(id: id))))
        return [matching, trap]
    }

    /// One datagram to a validator port and one to another port, each in a first fragment (the UDP header) and a
    /// later one whose data starts like a UDP header to the validator port.
    private func ipv4FragmentFrames(to port: UInt16, otherPort: UInt16, _ take: () -> UInt64) -> [(UInt64, [UInt8])] {
        var made: [(UInt64, [UInt8])] = []
        for destination in [port, otherPort] {
            let firstID = take(), laterID = take()
            let transport = fragmentedUDP(firstID, laterID, to: destination, decoyPort: port)
            let fragments = link.ipv4Fragments(ipv4(firstID), transport, splitAt: [Self.fragmentSplit])
            made.append((firstID, fragments[0]))
            made.append((laterID, fragments[1]))
        }
        return made
    }

    /// Hop-by-hop, then hop-by-hop and destination options, to a validator port and to another port.
    private func ipv6ExtensionFrames(to port: UInt16, otherPort: UInt16, _ take: () -> UInt64) -> [(UInt64, [UInt8])] {
        var made: [(UInt64, [UInt8])] = []
        for destination in [port, otherPort] {
            for extensions in [[IPv6ExtensionHeader.hopByHop()], [.hopByHop(), .destinationOptions()]] {
                let id = take()
                var header = ipv6()
                header.extensionHeaders = extensions
                made.append((id, link.ipv6(header, .udp(source: ephemeralPort(id), destination: destination,
                                                        payload: PacketTag.bytes(id: id)))))
            }
        }
        return made
    }

    /// As the IPv4 fragments, behind a Fragment header; then an atomic fragment (offset 0, no more fragments) to the
    /// validator port: a whole datagram, yet an extension header.
    private func ipv6FragmentFrames(to port: UInt16, otherPort: UInt16, _ take: () -> UInt64) -> [(UInt64, [UInt8])] {
        var made: [(UInt64, [UInt8])] = []
        for destination in [port, otherPort] {
            let firstID = take(), laterID = take()
            let transport = fragmentedUDP(firstID, laterID, to: destination, decoyPort: port)
            let fragments = link.ipv6Fragments(ipv6(), transport, identification: UInt32(truncatingIfNeeded: firstID),
                                               splitAt: [Self.fragmentSplit])
            made.append((firstID, fragments[0]))
            made.append((laterID, fragments[1]))
        }
        let id = take()
        var header = ipv6()
        header.extensionHeaders = [.fragment(offset: 0, more: false, identification: UInt32(truncatingIfNeeded: id))]
        made.append((id, link.ipv6(header, .udp(source: ephemeralPort(id), destination: port,
                                                payload: PacketTag.bytes(id: id)))))
        return made
    }

    /// An IPv4 header cut short, UDP headers cut after 3, 4 and 7 bytes, and an IPv6 header cut short.
    private func truncatedFrames(to port: UInt16, _ take: () -> UInt64) -> [(UInt64, [UInt8])] {
        var id = take()
        var made = [(id, ipv4HeaderCut(id, to: port))]
        for kept in [3, 4, 7] {
            id = take()
            made.append((id, udp4HeaderCut(id, to: port, keeping: kept)))
        }
        id = take()
        made.append((id, ipv6HeaderCut(id, to: port)))
        return made
    }

    // MARK: fragments, tags, truncation

    /// Where fragmented datagrams are split: after the UDP header and the first tag.
    static let fragmentSplit = 8 + PacketTag.size

    /// A datagram for two fragments: the first holds the UDP header and `firstID`'s tag; the later one
    /// starts with 8 bytes that read as a UDP header to `decoyPort` (a filter that ignores the fragment
    /// offset claims it), then `laterID`'s tag.
    func fragmentedUDP(_ firstID: UInt64, _ laterID: UInt64, to port: UInt16, decoyPort: UInt16) -> Transport {
        let source = ephemeralPort(laterID)
        let decoy: [UInt8] = [UInt8(source >> 8), UInt8(truncatingIfNeeded: source),
                              UInt8(decoyPort >> 8), UInt8(truncatingIfNeeded: decoyPort),
                              0, UInt8(8 + PacketTag.size), 0, 0]
        return .udp(source: ephemeralPort(firstID), destination: port,
                    payload: PacketTag.bytes(id: firstID) + decoy + PacketTag.bytes(id: laterID))
    }

    /// UDP to `port` behind `tags`, over IPv4 and over IPv6.
    func tagged(_ tags: [VLANTag], to port: UInt16, _ take: () -> UInt64) -> [(UInt64, [UInt8])] {
        var tagged = link
        tagged.vlanTags = tags
        let v4 = take(), v6 = take()
        return [
            (v4, tagged.ipv4(ipv4(v4), .udp(source: ephemeralPort(v4), destination: port, payload: PacketTag.bytes(id: v4)))),
            (v6, tagged.ipv6(ipv6(), .udp(source: ephemeralPort(v6), destination: port, payload: PacketTag.bytes(id: v6)))),
        ]
    }

    /// IPv4 header whose options carry the tag (an experimental option, then 2 bytes of end-of-list
    /// padding: IHL 10, 40 bytes), with UDP to `port` behind it, unpadded, so it can be cut anywhere.
    func ipv4WithTagOption(_ id: UInt64, to port: UInt16) -> [UInt8] {
        var header = ipv4(id)
        header.options = IPv4Option.experimental(PacketTag.bytes(id: id))
        return bareLink.ipv4(header, .udp(source: ephemeralPort(id), destination: port, payload: []))
    }

    /// Cut 2 bytes short of the end of its 40-byte IPv4 header: the tag option whole, its padding gone.
    func ipv4HeaderCut(_ id: UInt64, to port: UInt16) -> [UInt8] {
        Array(ipv4WithTagOption(id, to: port).prefix(14 + 38))
    }

    /// A whole IPv4 header (tag in its options) and the first `kept` bytes of the UDP header to `port`:
    /// 3 cuts the destination port in half, 4 keeps both ports, 7 all but the last checksum byte.
    func udp4HeaderCut(_ id: UInt64, to port: UInt16, keeping kept: Int) -> [UInt8] {
        Array(ipv4WithTagOption(id, to: port).prefix(14 + 40 + kept))
    }

    /// IPv6 has no room for a tag in front of its addresses, so the tag takes their place: the 8 fixed
    /// bytes (payload length 8, next header UDP) and the tag, 24 of the header's 40 bytes.
    func ipv6HeaderCut(_ id: UInt64, to port: UInt16) -> [UInt8] {
        let whole = bareLink.ipv6(ipv6(), .udp(source: ephemeralPort(id), destination: port, payload: []))
        return Array(whole.prefix(14 + 8)) + PacketTag.bytes(id: id)
    }

    // MARK: building blocks

    func ipv4(_ id: UInt64) -> IPv4Header {
        IPv4Header(source: sender.ipv4, destination: receiver.ipv4, identification: UInt16(truncatingIfNeeded: id))
    }

    func ipv6() -> IPv6Header {
        IPv6Header(source: sender.ipv6, destination: receiver.ipv6)
    }

    func udp4(_ id: UInt64, from source: UInt16? = nil, to port: UInt16) -> [UInt8] {
        link.ipv4(ipv4(id), .udp(source: source ?? ephemeralPort(id), destination: port, payload: PacketTag.bytes(id: id)))
    }

    func udp6(_ id: UInt64, from source: UInt16? = nil, to port: UInt16) -> [UInt8] {
        link.ipv6(ipv6(), .udp(source: source ?? ephemeralPort(id), destination: port, payload: PacketTag.bytes(id: id)))
    }

    func tcpSYN(_ id: UInt64, to port: UInt16) -> [UInt8] {
        let segment = TCPSegment(source: ephemeralPort(id), destination: port, sequence: UInt32(truncatingIfNeeded: id),
                                 flags: .syn, options: TCPSegment.mssOption(1460), payload: PacketTag.bytes(id: id))
        return link.ipv4(ipv4(id), .tcp(segment))
    }

    /// Unicast "who has receiver, tell sender", as a kernel sends to re-check a neighbour.
    func arpRequest(_ id: UInt64) -> [UInt8] {
        link.arp(ARPMessage(operation: ARPMessage.request, senderMAC: sender.mac, senderIP: sender.ipv4,
                            targetMAC: [0, 0, 0, 0, 0, 0], targetIP: receiver.ipv4),
                 trailer: PacketTag.bytes(id: id))
    }

    /// "sender is at its own MAC", unicast to the receiver: true, so it cannot mislead the receiver.
    func arpReply(_ id: UInt64) -> [UInt8] {
        link.arp(ARPMessage(operation: ARPMessage.reply, senderMAC: sender.mac, senderIP: sender.ipv4,
                            targetMAC: receiver.mac, targetIP: receiver.ipv4),
                 trailer: PacketTag.bytes(id: id))
    }

    /// Unicast solicitation for the receiver's address from the sender's global address, with the
    /// sender's link-layer address and the tag in an experimental option.
    func neighborSolicitation(_ id: UInt64) -> [UInt8] {
        var header = ipv6()
        header.hopLimit = 255
        return link.ipv6(header, .neighborSolicitation(target: receiver.ipv6, options: [
            .sourceLinkLayerAddress(sender.mac), .experimental(PacketTag.bytes(id: id)),
        ]))
    }

    /// Unsolicited advertisement of the sender's own address (override set, solicited clear).
    func neighborAdvertisement(_ id: UInt64) -> [UInt8] {
        var header = ipv6()
        header.hopLimit = 255
        return link.ipv6(header, .neighborAdvertisement(target: sender.ipv6, solicited: false, override: true, options: [
            .targetLinkLayerAddress(sender.mac), .experimental(PacketTag.bytes(id: id)),
        ]))
    }

    /// A source port in 40000-59999 chosen by the id, never a validator port.
    func ephemeralPort(_ id: UInt64) -> UInt16 {
        var port = UInt16(40000 + id % 20000)
        while validatorPorts.contains(port) { port += 1 }
        return port
    }
}
