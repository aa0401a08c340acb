import Packets

/// The frames of each traffic class, sender to receiver, every one carrying its `PacketTag`.
///
/// Frames are made so that the receiving kernel takes them as they are: unicast to the receiver's MAC,
/// correct checksums, ARP and neighbour discovery that tell the truth about the sender (its real MAC
/// and addresses), so neighbour tables stay right.
struct FrameRecipes {
    let sender: TrafficSide
    let receiver: TrafficSide
    /// Sorted, without duplicates.
    let validatorPorts: [UInt16]
    /// Ports next to the validator ports but outside them (8002 and 8006 for 8003-8005): a filter with
    /// an off-by-one range claims them.
    let neighbourPorts: [UInt16]
    let link: FrameBuilder

    static let vlanID: UInt16 = 100
    static let echoIdentifier: UInt16 = 0x5844

    init(endpoints: TrafficEndpoints, validatorPorts: [UInt16]) {
        sender = endpoints.sender
        receiver = endpoints.receiver
        let sorted = Array(Set(validatorPorts)).sorted()
        self.validatorPorts = sorted
        let set = Set(sorted)
        let around = sorted.flatMap { [$0 &- 1, $0 &+ 1] }.filter { $0 != 0 && !set.contains($0) }.sorted()
        var neighbours: [UInt16] = []
        if let low = around.first { neighbours.append(low) }
        if let high = around.last, high != around.first { neighbours.append(high) }
        neighbourPorts = neighbours.isEmpty ? [9999] : neighbours
        link = FrameBuilder(source: sender.mac, destination: receiver.mac)
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
            // Matching: a validator port behind a Router Alert option.
            var id = take()
            var header = ipv4(id)
            header.options = IPv4Option.routerAlert
            made.append((id, link.ipv4(header, .udp(source: ephemeralPort(id), destination: port,
                                                    payload: PacketTag.bytes(id: id)))))
            // Not matching, and a trap: the option's value sits where a filter that assumes a 20-byte
            // header reads the destination port, and holds a validator port.
            id = take()
            header = ipv4(id)
            header.options = IPv4Option.experimental([UInt8(port >> 8), UInt8(truncatingIfNeeded: port)])
            made.append((id, link.ipv4(header, .udp(source: ephemeralPort(id), destination: otherPort,
                                                    payload: PacketTag.bytes(id: id)))))
        case .ipv4Fragments:
            // One datagram in two fragments: UDP header + first tag, then the second tag at offset 24.
            let firstID = take(), laterID = take()
            let transport = Transport.udp(source: ephemeralPort(firstID), destination: otherPort,
                                          payload: PacketTag.bytes(id: firstID) + PacketTag.bytes(id: laterID))
            let fragments = link.ipv4Fragments(ipv4(firstID), transport, splitAt: [8 + PacketTag.size])
            made.append((firstID, fragments[0]))
            made.append((laterID, fragments[1]))
        case .ipv6ExtHeaders:
            var id = take()
            var header = ipv6()
            header.extensionHeaders = [.hopByHop()]
            made.append((id, link.ipv6(header, .udp(source: ephemeralPort(id), destination: otherPort,
                                                    payload: PacketTag.bytes(id: id)))))
            id = take()
            header.extensionHeaders = [.hopByHop(), .destinationOptions()]
            made.append((id, link.ipv6(header, .udp(source: ephemeralPort(id), destination: otherPort,
                                                    payload: PacketTag.bytes(id: id)))))
        case .vlanTagged:
            guard let port = rotatingPort else { break }
            let id = take()
            var tagged = link
            tagged.vlanTags = [VLANTag(id: Self.vlanID)]
            made.append((id, tagged.ipv4(ipv4(id), .udp(source: ephemeralPort(id), destination: port,
                                                        payload: PacketTag.bytes(id: id)))))
        }
        return made
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
