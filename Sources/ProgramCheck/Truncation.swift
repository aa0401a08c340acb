import Packets

/// Frames cut short at every header boundary: exactly at the end of each header and one byte before it.
/// A program that reads a header without checking `data_end` first fails the verifier, so what these
/// cases find are wrong verdicts on short frames, not crashes.
public enum Truncation {
    /// Where one header of a frame ends, and its name.
    public struct Boundary: Sendable, Hashable {
        public let offset: Int
        public let header: String
    }

    /// The header ends of a well-formed frame, in order: MACs, each VLAN tag, the EtherType, the network
    /// header (IPv4 fixed part and options, IPv6 and each extension header, ARP) and the transport header
    /// (the ports, the fixed part, TCP options; ICMP's first 4 and 8 bytes).
    public static func boundaries(of frame: [UInt8]) -> [Boundary] {
        let parsed = FrameParser.parse(frame)
        var result = [Boundary(offset: 6, header: "destination-mac"), Boundary(offset: 12, header: "source-mac")]
        for index in parsed.vlanIDs.indices {
            result.append(Boundary(offset: 16 + 4 * index, header: "vlan-tag-\(index + 1)"))
        }
        result.append(Boundary(offset: 14 + 4 * parsed.vlanIDs.count, header: "ethertype"))
        if let network = parsed.networkOffset {
            if parsed.ipVersion == 4 {
                result.append(Boundary(offset: network + 20, header: "ipv4"))
                if parsed.ipv4OptionsLength > 0 {
                    result.append(Boundary(offset: network + 20 + parsed.ipv4OptionsLength, header: "ipv4-options"))
                }
            } else {
                var cursor = network + 40
                result.append(Boundary(offset: cursor, header: "ipv6"))
                for type in parsed.ipv6ExtensionHeaders where cursor + 2 <= frame.count {
                    switch type {
                    case IPv6ExtensionHeader.fragmentType: cursor += 8
                    case 51: cursor += (Int(frame[cursor + 1]) + 2) * 4
                    default: cursor += (Int(frame[cursor + 1]) + 1) * 8
                    }
                    result.append(Boundary(offset: cursor, header: "ipv6-extension-\(type)"))
                }
            }
        } else if parsed.arpOperation != nil {
            result.append(Boundary(offset: 14 + 4 * parsed.vlanIDs.count + 28, header: "arp"))
        }
        if let transport = parsed.transportOffset {
            switch parsed.ipProtocol {
            case Transport.udpProtocol:
                result += [Boundary(offset: transport + 4, header: "udp-ports"), Boundary(offset: transport + 8, header: "udp")]
            case Transport.tcpProtocol:
                let length = Int(frame[transport + 12] >> 4) * 4
                result += [Boundary(offset: transport + 4, header: "tcp-ports"), Boundary(offset: transport + 20, header: "tcp")]
                if length > 20 { result.append(Boundary(offset: transport + length, header: "tcp-options")) }
            default:
                result += [Boundary(offset: transport + 4, header: "icmp-type-code-checksum"),
                           Boundary(offset: transport + 8, header: "icmp")]
            }
        }
        return result
    }

    /// Every cut of every base frame, named "trunc-<base>-at-<length>-in-<header>" (one byte short of
    /// the header's end) or "…-after-<header>" (cut exactly at its end). Cuts shorter than an Ethernet
    /// header are left to the runt cases: they are alike for every frame and cannot be test-run anyway.
    /// A cut of a matching frame that still holds the whole UDP header is marked `damagedMatching` (either verdict is
    /// right); one cut inside the UDP header must pass, as the live lab's `truncated` class requires.
    public static func cases(of bases: [(String, [UInt8])], ports: Set<UInt16>) -> [CheckCase] {
        var result: [CheckCase] = []
        for (base, frame) in bases {
            let parsed = FrameParser.parse(frame)
            let matching = parsed.matchesValidatorRule(ports: ports)
            let udpEnd = parsed.transportOffset.map { $0 + 8 } ?? Int.max
            var seen = Set<Int>()
            for boundary in boundaries(of: frame) {
                for (length, position) in [(boundary.offset - 1, "in"), (boundary.offset, "after")]
                where length >= CheckCase.minimumRunnableLength && length < frame.count && seen.insert(length).inserted {
                    result.append(CheckCase("trunc-\(base)-at-\(length)-\(position)-\(boundary.header)", .truncated,
                                            Array(frame.prefix(length)), damagedMatching: matching && length >= udpEnd))
                }
            }
        }
        return result
    }
}
