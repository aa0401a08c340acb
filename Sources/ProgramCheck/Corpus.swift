import Packets

/// The named cases `xdplab check` runs, built with the Packets builders for a list of validator ports.
/// Every kind of traffic a stack host meets is here, plus damaged and adversarial frames: fragments whose
/// later pieces look like a UDP header, ICMP errors quoting a validator-port datagram, UDP-Lite to a
/// validator port, tags of every sort, runts and frames cut at every header boundary.
public enum Corpus {
    /// At most this many validator ports get TCP and UDP cases of their own (the sweeps cover every port).
    public static let portsWithOwnCases = 16

    public static func cases(ports: [UInt16]) -> [CheckCase] {
        let sorted = Array(Set(ports)).sorted()
        precondition(!sorted.isEmpty, "the corpus needs at least one validator port")
        var builder = CorpusBuilder(ports: sorted, own: representative(sorted))
        builder.build()
        return builder.cases
    }

    /// Ports that get their own cases: all of them, or the lowest and highest few of a long list.
    public static func representative(_ sorted: [UInt16]) -> [UInt16] {
        guard sorted.count > portsWithOwnCases else { return sorted }
        let half = portsWithOwnCases / 2
        return Array(sorted.prefix(half) + sorted.suffix(half))
    }

    /// Ports that are not validator ports: well-known ones, the extremes, and the neighbours of the
    /// validator ports (8002 and 8006 for 8003-8005), which an off-by-one filter claims.
    public static func otherPorts(_ sorted: [UInt16]) -> [UInt16] {
        let set = Set(sorted)
        var candidates: [UInt16] = [0, 7, 22, 53, 67, 123, 443, 4789, 65535]
        let around = sorted.flatMap { [$0 &- 1, $0 &+ 1] }.filter { !set.contains($0) }.sorted()
        if let low = around.first { candidates.append(low) }
        if let high = around.last { candidates.append(high) }
        return Array(Set(candidates).subtracting(set)).sorted()
    }
}

/// Collects the cases; one method per class keeps each family readable.
struct CorpusBuilder {
    let ports: [UInt16]
    let own: [UInt16]
    var cases: [CheckCase] = []
    let kit = FrameKit()

    var first: UInt16 { ports[0] }

    init(ports: [UInt16], own: [UInt16]) {
        self.ports = ports
        self.own = own
    }

    mutating func add(_ name: String, _ caseClass: CaseClass, _ frame: [UInt8], damagedMatching: Bool = false) {
        cases.append(CheckCase(name, caseClass, frame, damagedMatching: damagedMatching))
    }

    mutating func build() {
        ssh()
        tcpToValidatorPorts()
        udpToValidatorPorts()
        udpToOtherPorts()
        ipv4Options()
        ipv4Fragments()
        ipv6ExtensionHeaders()
        otherIPProtocols()
        icmp()
        icmpv6()
        neighbourDiscovery()
        arp()
        vlan()
        qinq()
        otherEtherTypes()
        malformed()
        runts()
        cases += Truncation.cases(of: truncationBases(), ports: Set(ports))
    }

    // MARK: TCP

    mutating func ssh() {
        let banner = Array("SSH-2.0-xdplab_check\r\n".utf8)
        let steps: [(String, TCPFlags, Bool, [UInt8], [UInt8])] = [
            ("syn", [.syn], false, [], TCPSegment.mssOption(1460)),
            ("syn-ack", [.syn, .ack], true, [], TCPSegment.mssOption(1460)),
            ("ack", [.ack], false, [], []),
            ("data", [.psh, .ack], false, banner, []),
            ("data-from-server", [.psh, .ack], true, banner, []),
            ("data-1400", [.ack], false, FrameKit.payload(1400), []),
            ("fin", [.fin, .ack], false, [], []),
            ("fin-from-server", [.fin, .ack], true, [], []),
            ("rst", [.rst], false, [], []),
            ("rst-ack-from-server", [.rst, .ack], true, [], []),
        ]
        for (name, flags, reply, payload, options) in steps {
            let segment = FrameKit.segment(flags, port: FrameKit.sshPort, reply: reply, payload: payload, options: options)
            add("ssh4-\(name)", .ssh, kit.tcp4(segment))
            add("ssh6-\(name)", .ssh, kit.tcp6(segment))
        }
    }

    mutating func tcpToValidatorPorts() {
        for port in own {
            add("tcp4-syn-to-\(port)", .tcpValidatorPort, kit.tcp4(FrameKit.segment([.syn], port: port)))
            add("tcp6-syn-to-\(port)", .tcpValidatorPort, kit.tcp6(FrameKit.segment([.syn], port: port)))
            add("tcp4-data-to-\(port)", .tcpValidatorPort,
                kit.tcp4(FrameKit.segment([.psh, .ack], port: port, payload: FrameKit.payload(32))))
        }
        add("tcp4-data-from-\(first)", .tcpValidatorPort,
            kit.tcp4(FrameKit.segment([.psh, .ack], port: first, reply: true, payload: FrameKit.payload(32))))
    }

    // MARK: UDP

    mutating func udpToValidatorPorts() {
        for port in own {
            add("udp4-to-\(port)", .udpValidatorPort, kit.udp4(to: port))
            add("udp6-to-\(port)", .udpValidatorPort, kit.udp6(to: port))
        }
        let p = first
        add("udp4-to-\(p)-empty-payload", .udpValidatorPort, kit.udp4(to: p, payload: 0))
        add("udp6-to-\(p)-empty-payload", .udpValidatorPort, kit.udp6(to: p, payload: 0))
        add("udp4-to-\(p)-1400-bytes", .udpValidatorPort, kit.udp4(to: p, payload: 1400))
        add("udp6-to-\(p)-1400-bytes", .udpValidatorPort, kit.udp6(to: p, payload: 1400))
        add("udp4-to-\(p)-from-\(p)", .udpValidatorPort, kit.udp4(to: p, from: p))
        // IPv4 allows a zero UDP checksum ("none computed"); the frame still matches.
        add("udp4-to-\(p)-no-checksum", .udpValidatorPort, kit.udp4(to: p).setting16(14 + 20 + 6, 0))
        var dontFragment = FrameKit.ipv4Header()
        dontFragment.dontFragment = true
        add("udp4-to-\(p)-dont-fragment", .udpValidatorPort, kit.link.ipv4(dontFragment, FrameKit.udp(to: p)))
        var ecn = FrameKit.ipv4Header()
        ecn.typeOfService = 0xB8 | 0x03
        ecn.ttl = 1
        add("udp4-to-\(p)-dscp-ecn-ttl-1", .udpValidatorPort, kit.link.ipv4(ecn, FrameKit.udp(to: p)))
        add("udp4-to-\(p)-broadcast-mac", .udpValidatorPort,
            FrameKit(destination: FrameKit.broadcastMAC).udp4(to: p))
        // The rule does not look at checksums; the kernel would drop this one, the socket may have it.
        add("udp4-to-\(p)-bad-ip-checksum", .udpValidatorPort, kit.udp4(to: p).setting16(14 + 10, 0xDEAD))
        add("udp6-to-\(p)-flow-label", .udpValidatorPort,
            kit.link.ipv6(IPv6Header(source: FrameKit.peerIPv6, destination: FrameKit.stackIPv6, trafficClass: 0xB8,
                                     flowLabel: 0xABCDE), FrameKit.udp(to: p)))
    }

    mutating func udpToOtherPorts() {
        for port in Corpus.otherPorts(ports) {
            add("udp4-to-\(port)", .udpOtherPort, kit.udp4(to: port))
            add("udp6-to-\(port)", .udpOtherPort, kit.udp6(to: port))
        }
        // A filter that looks at the source port instead of the destination claims these.
        add("udp4-from-\(first)-to-\(FrameKit.peerPort)", .udpOtherPort, kit.udp4(to: FrameKit.peerPort, from: first))
        add("udp6-from-\(first)-to-\(FrameKit.peerPort)", .udpOtherPort, kit.udp6(to: FrameKit.peerPort, from: first))
    }

    // MARK: IPv4 options and fragments

    mutating func ipv4Options() {
        let p = first
        add("ipv4-router-alert-udp-to-\(p)", .ipv4Options, kit.udp4(to: p, options: IPv4Option.routerAlert))
        // 40 bytes of options: the longest IPv4 header there is (IHL 15).
        let longest = IPv4Option.routerAlert + IPv4Option.experimental([UInt8](repeating: 0xA5, count: 34))
        add("ipv4-40-option-bytes-udp-to-\(p)", .ipv4Options, kit.udp4(to: p, options: longest))
        add("ipv4-nop-options-udp-to-\(p)", .ipv4Options,
            kit.udp4(to: p, options: IPv4Option.noOperation + IPv4Option.noOperation + IPv4Option.noOperation))
        add("ipv4-router-alert-udp-to-53", .ipv4Options, kit.udp4(to: 53, options: IPv4Option.routerAlert))
        add("ipv4-router-alert-ssh-syn", .ipv4Options,
            kit.tcp4(FrameKit.segment([.syn], port: FrameKit.sshPort), options: IPv4Option.routerAlert))
    }

    /// A payload whose bytes at segment offsets 16 and 32 look like a UDP header to `port`: later fragments
    /// start there, so a filter that ignores the fragment offset reads them as UDP to a validator port.
    static func decoyPayload(port: UInt16, count: Int = 48) -> [UInt8] {
        var payload = FrameKit.payload(count)
        for start in [8, 24] where start + 4 <= count {
            payload[start] = UInt8(FrameKit.peerPort >> 8)
            payload[start + 1] = UInt8(truncatingIfNeeded: FrameKit.peerPort)
            payload[start + 2] = UInt8(port >> 8)
            payload[start + 3] = UInt8(truncatingIfNeeded: port)
        }
        return payload
    }

    mutating func ipv4Fragments() {
        let p = first
        let datagram = Transport.udp(source: FrameKit.peerPort, destination: p, payload: Self.decoyPayload(port: p))
        let pieces = kit.link.ipv4Fragments(FrameKit.ipv4Header(), datagram, splitAt: [16, 32])
        add("ipv4-first-fragment-udp-to-\(p)", .ipv4Fragment, pieces[0])
        add("ipv4-middle-fragment-udp-to-\(p)", .ipv4Fragment, pieces[1])
        add("ipv4-last-fragment-udp-to-\(p)", .ipv4Fragment, pieces[2])
        let tcp = Transport.tcp(FrameKit.segment([.psh, .ack], port: FrameKit.sshPort, payload: FrameKit.payload(40)))
        let tcpPieces = kit.link.ipv4Fragments(FrameKit.ipv4Header(), tcp, splitAt: [24])
        add("ipv4-first-fragment-ssh", .ipv4Fragment, tcpPieces[0])
        add("ipv4-last-fragment-ssh", .ipv4Fragment, tcpPieces[1])
    }

    // MARK: IPv6

    mutating func ipv6ExtensionHeaders() {
        let p = first
        let routing = IPv6ExtensionHeader(type: IPv6ExtensionHeader.routingType, data: [253, 0, 0, 0, 0, 0])
        let variants: [(String, [IPv6ExtensionHeader])] = [
            ("hop-by-hop", [.hopByHop()]),
            ("destination-options", [.destinationOptions()]),
            ("routing", [routing]),
            ("hop-by-hop-destination-options", [.hopByHop(), .destinationOptions()]),
            ("atomic-fragment", [.fragment(offset: 0, more: false, identification: 0x5844)]),
            ("first-fragment", [.fragment(offset: 0, more: true, identification: 0x5844)]),
        ]
        for (name, extensions) in variants {
            add("ipv6-\(name)-udp-to-\(p)", .ipv6ExtensionHeaders, kit.udp6(to: p, extensions: extensions))
        }
        // A later fragment whose data starts like a UDP header to the validator port.
        let later = IPv6Header(source: FrameKit.peerIPv6, destination: FrameKit.stackIPv6,
                               extensionHeaders: [.fragment(offset: 16, more: false, identification: 0x5844)])
        let decoy = Array(Self.decoyPayload(port: p, count: 32).dropFirst(8))
        add("ipv6-later-fragment-looks-like-udp-to-\(p)", .ipv6ExtensionHeaders,
            kit.link.ipv6(later, .raw(protocol: Transport.udpProtocol, bytes: decoy)))
        add("ipv6-hop-by-hop-ssh-syn", .ipv6ExtensionHeaders,
            kit.tcp6(FrameKit.segment([.syn], port: FrameKit.sshPort), extensions: [.hopByHop()]))
        add("ipv6-no-next-header", .ipv6ExtensionHeaders,
            kit.link.ipv6(FrameKit.ipv6Header(), .raw(protocol: 59, bytes: [])))
    }

    /// Other protocols over IP. UDP-Lite has UDP's header layout: a filter that skips the protocol check claims it.
    mutating func otherIPProtocols() {
        let p = first
        let udpLike = [UInt8(FrameKit.peerPort >> 8), UInt8(truncatingIfNeeded: FrameKit.peerPort),
                       UInt8(p >> 8), UInt8(truncatingIfNeeded: p), 0, 8, 0, 0] + FrameKit.payload(16)
        let protocols: [(String, UInt8)] = [("udplite", 136), ("sctp", 132), ("gre", 47), ("esp", 50), ("igmp", 2)]
        for (name, number) in protocols {
            add("ipv4-\(name)-to-\(p)", .otherIPProtocol, kit.link.ipv4(FrameKit.ipv4Header(), .raw(protocol: number, bytes: udpLike)))
            if number != 2 {
                add("ipv6-\(name)-to-\(p)", .otherIPProtocol, kit.link.ipv6(FrameKit.ipv6Header(), .raw(protocol: number, bytes: udpLike)))
            }
        }
    }

    // MARK: ICMP, ICMPv6, neighbour discovery, ARP

    /// An ICMP error quotes the offending packet's IP header and first 8 bytes: here a UDP datagram to a
    /// validator port, so a filter that searches for a UDP header claims the error.
    mutating func icmp() {
        let p = first
        add("icmp4-echo-request", .icmp, kit.link.ipv4(FrameKit.ipv4Header(),
                                                        .icmpEcho(identifier: 0x5844, sequence: 1, payload: FrameKit.payload(32))))
        add("icmp4-echo-reply", .icmp, kit.link.ipv4(FrameKit.ipv4Header(),
                                                      .icmpEcho(reply: true, identifier: 0x5844, sequence: 1, payload: FrameKit.payload(32))))
        var quotedHeader = FrameKit.ipv4Header()
        quotedHeader.source = FrameKit.stackIPv4
        quotedHeader.destination = FrameKit.peerIPv4
        let quoted = Array(FrameBuilder.ipv4Packet(quotedHeader, FrameKit.udp(to: p)).prefix(28))
        add("icmp4-port-unreachable-quoting-udp-to-\(p)", .icmp,
            kit.link.ipv4(FrameKit.ipv4Header(), .icmp(type: 3, code: 3, body: [0, 0, 0, 0] + quoted)))
        add("icmp4-time-exceeded-quoting-udp-to-\(p)", .icmp,
            kit.link.ipv4(FrameKit.ipv4Header(), .icmp(type: 11, code: 0, body: [0, 0, 0, 0] + quoted)))
        add("icmp4-fragmentation-needed", .icmp,
            kit.link.ipv4(FrameKit.ipv4Header(), .icmp(type: 3, code: 4, body: [0, 0, 0x05, 0xDC] + quoted)))
    }

    mutating func icmpv6() {
        let p = first
        add("icmp6-echo-request", .icmpv6, kit.link.ipv6(FrameKit.ipv6Header(),
                                                          .icmpv6Echo(identifier: 0x5844, sequence: 1, payload: FrameKit.payload(32))))
        add("icmp6-echo-reply", .icmpv6, kit.link.ipv6(FrameKit.ipv6Header(),
                                                        .icmpv6Echo(reply: true, identifier: 0x5844, sequence: 1, payload: FrameKit.payload(32))))
        let quotedHeader = IPv6Header(source: FrameKit.stackIPv6, destination: FrameKit.peerIPv6)
        let quoted = FrameBuilder.ipv6Packet(quotedHeader, FrameKit.udp(to: p))
        add("icmp6-port-unreachable-quoting-udp-to-\(p)", .icmpv6,
            kit.link.ipv6(FrameKit.ipv6Header(), .icmp(type: 1, code: 4, body: [0, 0, 0, 0] + quoted)))
        add("icmp6-packet-too-big", .icmpv6,
            kit.link.ipv6(FrameKit.ipv6Header(), .icmp(type: 2, code: 0, body: [0, 0, 0x05, 0x00] + quoted)))
        // MLDv2 report: hop-by-hop Router Alert (type 5, MLD) in front of ICMPv6 type 143.
        let routerAlert = IPv6ExtensionHeader.hopByHop(options: [5, 2, 0, 0])
        add("icmp6-mldv2-report", .icmpv6,
            kit.link.ipv6(FrameKit.ipv6Header([routerAlert]), .icmp(type: 143, code: 0, body: [0, 0, 0, 0])))
    }

    mutating func neighbourDiscovery() {
        var nd = FrameKit.ipv6Header()
        nd.hopLimit = 255
        let multicast = FrameKit(destination: [0x33, 0x33, 0xFF, 0x00, 0x00, 0x01])
        add("nd-neighbour-solicitation", .neighbourDiscovery,
            multicast.link.ipv6(nd, .neighborSolicitation(target: FrameKit.stackIPv6,
                                                          options: [.sourceLinkLayerAddress(FrameKit.peerMAC)])))
        add("nd-neighbour-solicitation-unicast", .neighbourDiscovery,
            kit.link.ipv6(nd, .neighborSolicitation(target: FrameKit.stackIPv6, options: [])))
        add("nd-neighbour-advertisement", .neighbourDiscovery,
            kit.link.ipv6(nd, .neighborAdvertisement(target: FrameKit.peerIPv6, solicited: true, override: true,
                                                     options: [.targetLinkLayerAddress(FrameKit.peerMAC)])))
        add("nd-router-solicitation", .neighbourDiscovery,
            kit.link.ipv6(nd, .icmp(type: 133, code: 0, body: [0, 0, 0, 0, 1, 1] + FrameKit.peerMAC)))
        add("nd-router-advertisement", .neighbourDiscovery,
            kit.link.ipv6(nd, .icmp(type: 134, code: 0, body: [64, 0, 0x07, 0x08] + [UInt8](repeating: 0, count: 8))))
        add("nd-redirect", .neighbourDiscovery,
            kit.link.ipv6(nd, .icmp(type: 137, code: 0, body: [0, 0, 0, 0] + FrameKit.stackIPv6 + FrameKit.peerIPv6)))
    }

    mutating func arp() {
        add("arp-request", .arp, kit.arp(ARPMessage.request))
        add("arp-reply", .arp, kit.arp(ARPMessage.reply))
        add("arp-request-with-trailer", .arp, kit.arp(ARPMessage.request, trailer: FrameKit.payload(16)))
        var builder = kit.link
        builder.destination = FrameKit.broadcastMAC
        add("arp-gratuitous", .arp,
            builder.arp(ARPMessage(operation: ARPMessage.request, senderMAC: FrameKit.peerMAC, senderIP: FrameKit.peerIPv4,
                                   targetMAC: [0, 0, 0, 0, 0, 0], targetIP: FrameKit.peerIPv4)))
    }

    // MARK: tags and other EtherTypes

    mutating func vlan() {
        let p = first
        let tagged = FrameKit(vlanTags: [VLANTag(id: 100)])
        add("vlan-100-udp4-to-\(p)", .vlan, tagged.udp4(to: p))
        add("vlan-100-udp6-to-\(p)", .vlan, tagged.udp6(to: p))
        add("vlan-100-arp-request", .vlan, tagged.arp(ARPMessage.request))
        add("vlan-100-ssh4-syn", .vlan, tagged.tcp4(FrameKit.segment([.syn], port: FrameKit.sshPort)))
        add("vlan-0-priority-tag-udp4-to-\(p)", .vlan, FrameKit(vlanTags: [VLANTag(id: 0, priority: 5)]).udp4(to: p))
        add("vlan-4095-dei-udp4-to-\(p)", .vlan, FrameKit(vlanTags: [VLANTag(id: 4095, dropEligible: true)]).udp4(to: p))
    }

    mutating func qinq() {
        let p = first
        let outer = VLANTag(id: 200, tpid: FrameBuilder.etherTypeQinQ)
        add("qinq-200-100-udp4-to-\(p)", .qinq, FrameKit(vlanTags: [outer, VLANTag(id: 100)]).udp4(to: p))
        add("qinq-200-100-udp6-to-\(p)", .qinq, FrameKit(vlanTags: [outer, VLANTag(id: 100)]).udp6(to: p))
        add("qinq-200-100-arp-request", .qinq, FrameKit(vlanTags: [outer, VLANTag(id: 100)]).arp(ARPMessage.request))
        add("qinq-service-tag-only-udp4-to-\(p)", .qinq, FrameKit(vlanTags: [outer]).udp4(to: p))
        add("qinq-double-8021q-udp4-to-\(p)", .qinq, FrameKit(vlanTags: [VLANTag(id: 300), VLANTag(id: 100)]).udp4(to: p))
    }

    mutating func otherEtherTypes() {
        let p = first
        let ipv4UDP = FrameBuilder.ipv4Packet(FrameKit.ipv4Header(), FrameKit.udp(to: p))
        add("lldp", .otherEtherType,
            FrameBuilder(source: FrameKit.peerMAC, destination: [0x01, 0x80, 0xC2, 0, 0, 0x0E])
                .ethernet(etherType: 0x88CC, payload: [0x02, 0x07, 0x04] + FrameKit.peerMAC + [0, 0]))
        // IEEE 802.3 with a length instead of a type, carrying an LLC spanning-tree BPDU.
        add("ieee-802.3-stp-bpdu", .otherEtherType,
            FrameBuilder(source: FrameKit.peerMAC, destination: [0x01, 0x80, 0xC2, 0, 0, 0])
                .ethernet(etherType: 38, payload: [0x42, 0x42, 0x03] + [UInt8](repeating: 0, count: 35)))
        add("mpls-udp4-to-\(p)", .otherEtherType, kit.link.ethernet(etherType: 0x8847, payload: [0, 0x01, 0x01, 0x40] + ipv4UDP))
        let pppLength = UInt16(ipv4UDP.count + 2)
        add("pppoe-session-udp4-to-\(p)", .otherEtherType,
            kit.link.ethernet(etherType: 0x8864, payload: [0x11, 0, 0, 1, UInt8(pppLength >> 8), UInt8(pppLength & 0xFF), 0, 0x21]
                                + ipv4UDP))
        add("eapol-start", .otherEtherType, kit.link.ethernet(etherType: 0x888E, payload: [2, 1, 0, 0]))
        add("rarp-request", .otherEtherType, kit.link.ethernet(etherType: 0x8035, payload: Array(kit.arp(ARPMessage.request)[14..<42])))
        add("ptp-sync", .otherEtherType, kit.link.ethernet(etherType: 0x88F7, payload: [0x00, 0x02] + [UInt8](repeating: 0, count: 42)))
        add("ethertype-0x0000", .otherEtherType, kit.link.ethernet(etherType: 0x0000, payload: ipv4UDP))
        add("ethertype-0xffff", .otherEtherType, kit.link.ethernet(etherType: 0xFFFF, payload: ipv4UDP))
    }

    // MARK: damaged frames

    /// Copies of matching frames with one field broken; the kernel discards each of them itself.
    mutating func malformed() {
        let p = first
        let udp4 = kit.udp4(to: p), udp6 = kit.udp6(to: p)
        let ip = 14
        add("ipv4-version-6-udp-to-\(p)", .malformed, udp4.setting(ip, 0x65).fixingIPv4Checksum(at: ip), damagedMatching: true)
        add("ipv4-header-length-16-udp-to-\(p)", .malformed, udp4.setting(ip, 0x44), damagedMatching: true)
        add("ipv4-total-length-1500-udp-to-\(p)", .malformed,
            udp4.setting16(ip + 2, 1500).fixingIPv4Checksum(at: ip), damagedMatching: true)
        add("ipv4-total-length-below-header-udp-to-\(p)", .malformed,
            udp4.setting16(ip + 2, 12).fixingIPv4Checksum(at: ip), damagedMatching: true)
        add("udp4-length-1000-to-\(p)", .malformed, udp4.setting16(ip + 20 + 4, 1000), damagedMatching: true)
        add("udp4-length-4-to-\(p)", .malformed, udp4.setting16(ip + 20 + 4, 4), damagedMatching: true)
        add("ipv6-version-4-udp-to-\(p)", .malformed, udp6.setting(ip, 0x40), damagedMatching: true)
        add("ipv6-payload-length-1500-udp-to-\(p)", .malformed, udp6.setting16(ip + 4, 1500), damagedMatching: true)
        // Not derived from a matching frame: nothing may claim it.
        add("ipv4-version-6-ssh-syn", .malformed,
            kit.tcp4(FrameKit.segment([.syn], port: FrameKit.sshPort)).setting(ip, 0x65).fixingIPv4Checksum(at: ip))
    }

    /// Frames below the 60-byte Ethernet minimum: complete ones without padding, and shards shorter than
    /// an Ethernet header, cut inside and after each MAC and inside the EtherType (listed, not run).
    mutating func runts() {
        let p = first
        let bare = FrameKit(minimumLength: 0)
        add("runt-udp4-to-\(p)-unpadded", .runt, bare.udp4(to: p, payload: 0))
        add("runt-udp6-to-\(p)-unpadded", .runt, bare.udp6(to: p, payload: 0))
        add("runt-arp-request-unpadded", .runt, bare.arp(ARPMessage.request))
        add("runt-ssh4-ack-unpadded", .runt, bare.tcp4(FrameKit.segment([.ack], port: FrameKit.sshPort)))
        add("runt-ethernet-header-only-ipv4", .runt, bare.link.ethernet(etherType: FrameBuilder.etherTypeIPv4, payload: []))
        add("runt-ethernet-header-only-experimental", .runt, bare.link.ethernet(etherType: 0x88B5, payload: []))
        let header = bare.link.ethernet(etherType: FrameBuilder.etherTypeIPv4, payload: [])
        for length in [1, 5, 6, 11, 12, 13] {
            add("runt-\(length)-bytes", .runt, Array(header.prefix(length)))
        }
    }

    /// The frames cut at every header boundary.
    func truncationBases() -> [(String, [UInt8])] {
        let p = first
        return [
            ("udp4-to-\(p)", kit.udp4(to: p)),
            ("udp6-to-\(p)", kit.udp6(to: p)),
            ("ipv4-router-alert-udp-to-\(p)", kit.udp4(to: p, options: IPv4Option.routerAlert)),
            ("ipv6-hop-by-hop-udp-to-\(p)", kit.udp6(to: p, extensions: [.hopByHop()])),
            ("vlan-100-udp4-to-\(p)", FrameKit(vlanTags: [VLANTag(id: 100)]).udp4(to: p)),
            ("qinq-200-100-udp4-to-\(p)",
             FrameKit(vlanTags: [VLANTag(id: 200, tpid: FrameBuilder.etherTypeQinQ), VLANTag(id: 100)]).udp4(to: p)),
            ("ssh4-syn", kit.tcp4(FrameKit.segment([.syn], port: FrameKit.sshPort, options: TCPSegment.mssOption(1460)))),
            ("ssh6-syn", kit.tcp6(FrameKit.segment([.syn], port: FrameKit.sshPort, options: TCPSegment.mssOption(1460)))),
            ("icmp4-echo-request", kit.link.ipv4(FrameKit.ipv4Header(), .icmpEcho(identifier: 1, sequence: 1, payload: []))),
            ("icmp6-echo-request", kit.link.ipv6(FrameKit.ipv6Header(), .icmpv6Echo(identifier: 1, sequence: 1, payload: []))),
            ("arp-request", kit.arp(ARPMessage.request)),
        ]
    }
}
