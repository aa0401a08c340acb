/// The one-line description of a parsed frame, tcpdump-like:
/// "udp 198.18.0.2:40001 > 198.18.0.1:8003", "vlan 100 udp …", "arp request who-has 198.18.0.1 tell 198.18.0.2",
/// "icmp6 2001:2::2 > 2001:2::1 neighbor-solicitation who-has 2001:2::1",
/// "udp 198.18.0.2 > 198.18.0.1 frag id 7 offset 24".
enum FlowText {
    static func describe(_ frame: ParsedFrame) -> String {
        var parts: [String] = []
        if !frame.vlanIDs.isEmpty { parts.append("vlan " + frame.vlanIDs.map(String.init).joined(separator: ".")) }
        switch frame.etherType {
        case FrameBuilder.etherTypeARP where frame.arpOperation != nil:
            parts.append(arp(frame))
        case FrameBuilder.etherTypeIPv4 where frame.sourceIP != nil, FrameBuilder.etherTypeIPv6 where frame.sourceIP != nil:
            parts.append(ip(frame))
        default:
            parts.append("ethertype 0x" + hex4(frame.etherType) + " "
                         + AddressText.mac(frame.sourceMAC) + " > " + AddressText.mac(frame.destinationMAC))
        }
        if let problem = frame.problem { parts.append("(\(problem))") }
        return parts.joined(separator: " ")
    }

    static func arp(_ frame: ParsedFrame) -> String {
        let source = frame.sourceIP ?? "?", target = frame.destinationIP ?? "?"
        switch frame.arpOperation {
        case ARPMessage.request: return "arp request who-has \(target) tell \(source)"
        case ARPMessage.reply: return "arp reply \(source) is-at \(AddressText.mac(frame.sourceMAC)) to \(target)"
        default: return "arp operation \(frame.arpOperation ?? 0) \(source) > \(target)"
        }
    }

    static func ip(_ frame: ParsedFrame) -> String {
        let v6 = frame.ipVersion == 6
        let source = frame.sourceIP ?? "?", destination = frame.destinationIP ?? "?"
        var text: String
        let proto = frame.ipProtocol ?? 255
        switch proto {
        case Transport.udpProtocol, Transport.tcpProtocol:
            let name = proto == Transport.udpProtocol ? "udp" : "tcp"
            if let sourcePort = frame.sourcePort, let destinationPort = frame.destinationPort {
                text = "\(name) \(endpoint(source, sourcePort, v6)) > \(endpoint(destination, destinationPort, v6))"
                if let flags = frame.tcpFlags { text += " [\(flags.letters)]" }
            } else {
                text = "\(name) \(source) > \(destination)"
            }
        case Transport.icmpProtocol where !v6, Transport.icmpv6Protocol where v6:
            text = "\(v6 ? "icmp6" : "icmp") \(source) > \(destination)"
            if let type = frame.icmpType { text += " " + icmpName(type, code: frame.icmpCode ?? 0, v6: v6, target: frame.ndTarget) }
        default:
            text = "\(v6 ? "ip6" : "ip") \(source) > \(destination) protocol \(proto)"
        }
        if frame.ipv4OptionsLength > 0 { text += " ip-options \(frame.ipv4OptionsLength)" }
        if !frame.ipv6ExtensionHeaders.isEmpty {
            text += " ext " + frame.ipv6ExtensionHeaders.map(extensionName).joined(separator: ",")
        }
        if frame.isFragment {
            text += " frag id \(frame.fragmentID ?? 0) offset \(frame.fragmentOffset)" + (frame.moreFragments ? " more" : "")
        }
        if !frame.checksumErrors.isEmpty { text += " bad-checksum " + frame.checksumErrors.joined(separator: ",") }
        return text
    }

    static func endpoint(_ address: String, _ port: UInt16, _ v6: Bool) -> String {
        v6 ? "[\(address)]:\(port)" : "\(address):\(port)"
    }

    static func icmpName(_ type: UInt8, code: UInt8, v6: Bool, target: String?) -> String {
        let names: [UInt8: String] = v6
            ? [1: "unreachable", 2: "packet-too-big", 3: "time-exceeded", 4: "parameter-problem", 128: "echo-request",
               129: "echo-reply", 133: "router-solicitation", 134: "router-advertisement", 143: "mld2-report"]
            : [0: "echo-reply", 3: "unreachable", 5: "redirect", 8: "echo-request", 11: "time-exceeded", 12: "parameter-problem"]
        if v6, type == 135 { return "neighbor-solicitation who-has \(target ?? "?")" }
        if v6, type == 136 { return "neighbor-advertisement \(target ?? "?")" }
        if let name = names[type] { return code == 0 ? name : "\(name) code \(code)" }
        return "type \(type) code \(code)"
    }

    static func extensionName(_ type: UInt8) -> String {
        switch type {
        case 0: return "hop-by-hop"
        case 43: return "routing"
        case 44: return "fragment"
        case 51: return "auth"
        case 60: return "dest-options"
        default: return "\(type)"
        }
    }

    static func hex4(_ value: UInt16) -> String {
        AddressText.hex2(UInt8(value >> 8)) + AddressText.hex2(UInt8(truncatingIfNeeded: value))
    }
}
