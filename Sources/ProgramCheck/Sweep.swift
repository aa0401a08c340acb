import Packets

/// One of the three sweeps: a frame built once with the Packets builders, then one copy per 16-bit value
/// with that value patched in: every UDP destination port over IPv4, the same over IPv6, and every
/// EtherType (in front of an IPv4 datagram to the first validator port). Patching keeps 196,608 frames
/// cheap to make; the UDP checksum of each copy is recomputed, so every frame is one the kernel accepts.
public struct Sweep: Sendable {
    public enum Kind: Sendable, Hashable, CaseIterable {
        case udp4Ports, udp6Ports, etherTypes
    }

    public let kind: Kind
    /// 65,536: every value of the swept field.
    public static let count = 1 << 16
    public var count: Int { Self.count }

    let template: [UInt8]
    /// Where the swept big-endian 16-bit value sits in the frame.
    let valueOffset: Int
    /// The UDP checksum field to recompute for each value, with the folded sum of everything else.
    let checksum: (offset: Int, baseSum: UInt16)?
    /// Expectation per value, as `FrameExpectation` raw values.
    let expectations: [UInt8]

    public init(_ kind: Kind, ports: [UInt16]) {
        let sorted = Array(Set(ports)).sorted()
        precondition(!sorted.isEmpty, "a sweep needs at least one validator port")
        let portSet = Set(sorted)
        self.kind = kind
        let kit = FrameKit()
        switch kind {
        case .udp4Ports, .udp6Ports:
            let template = kind == .udp4Ports ? kit.udp4(to: 0) : kit.udp6(to: 0)
            let parsed = FrameParser.parse(template)
            let transport = parsed.transportOffset!
            self.template = template
            valueOffset = transport + 2
            checksum = (transport + 6, Self.baseSum(template, parsed: parsed))
            // Every port is judged by the rule through one of two frames: a validator port or not.
            let inside = FrameExpectation.of(FrameParser.parse(Self.patch(template, valueOffset, sorted[0], checksum)), ports: portSet)
            let outsidePort = Corpus.otherPorts(sorted).first ?? 0
            let outside = FrameExpectation.of(FrameParser.parse(Self.patch(template, valueOffset, outsidePort, checksum)),
                                              ports: portSet)
            var table = [UInt8](repeating: outside.rawValue, count: Self.count)
            for port in sorted { table[Int(port)] = inside.rawValue }
            expectations = table
        case .etherTypes:
            let payload = FrameBuilder.ipv4Packet(FrameKit.ipv4Header(), FrameKit.udp(to: sorted[0]))
            template = kit.link.ethernet(etherType: 0, payload: payload)
            valueOffset = 12
            checksum = nil
            // The parser treats every EtherType alike except these; each of them is judged on its own frame.
            let distinct: [UInt16] = [FrameBuilder.etherTypeIPv4, FrameBuilder.etherTypeIPv6, FrameBuilder.etherTypeARP,
                                      FrameBuilder.etherTypeVLAN, FrameBuilder.etherTypeQinQ]
            let other = FrameExpectation.of(FrameParser.parse(Self.patch(template, 12, 0x88B5, nil)), ports: portSet)
            var table = [UInt8](repeating: other.rawValue, count: Self.count)
            for type in distinct {
                table[Int(type)] = FrameExpectation.of(FrameParser.parse(Self.patch(template, 12, type, nil)), ports: portSet).rawValue
            }
            expectations = table
        }
    }

    public var caseClass: CaseClass {
        switch kind {
        case .udp4Ports: return .sweepUDP4
        case .udp6Ports: return .sweepUDP6
        case .etherTypes: return .sweepEtherType
        }
    }

    /// "udp4-dport-8003", "udp6-dport-0", "ethertype-0x88cc".
    public func caseName(at index: Int) -> String {
        switch kind {
        case .udp4Ports: return "udp4-dport-\(index)"
        case .udp6Ports: return "udp6-dport-\(index)"
        case .etherTypes: return "ethertype-" + Self.hex16(UInt16(index))
        }
    }

    /// The name of a run of values, "udp4-dport-0…8002".
    public func caseName(from first: Int, to last: Int) -> String {
        guard first != last else { return caseName(at: first) }
        switch kind {
        case .udp4Ports, .udp6Ports: return caseName(at: first) + "…\(last)"
        case .etherTypes: return caseName(at: first) + "…" + Self.hex16(UInt16(last))
        }
    }

    public func frame(at index: Int) -> [UInt8] { Self.patch(template, valueOffset, UInt16(index), checksum) }

    public func expectation(at index: Int) -> FrameExpectation { FrameExpectation(rawValue: expectations[index])! }

    public var frameLength: Int { template.count }

    /// Writes all 65,536 frames back to back at `destination` (count × frameLength bytes).
    func write(into destination: UnsafeMutableRawBufferPointer) {
        let length = template.count
        precondition(destination.count >= length * Self.count, "sweep buffer too small")
        template.withUnsafeBytes { source in
            var cursor = destination.baseAddress!
            for value in 0..<Self.count {
                cursor.copyMemory(from: source.baseAddress!, byteCount: length)
                let bytes = cursor.assumingMemoryBound(to: UInt8.self)
                bytes[valueOffset] = UInt8(value >> 8)
                bytes[valueOffset + 1] = UInt8(truncatingIfNeeded: value)
                if let checksum {
                    let sum = Self.checksum(checksum.baseSum, plus: UInt16(value))
                    bytes[checksum.offset] = UInt8(sum >> 8)
                    bytes[checksum.offset + 1] = UInt8(truncatingIfNeeded: sum)
                }
                cursor += length
            }
        }
    }

    // MARK: patching

    static func patch(_ template: [UInt8], _ offset: Int, _ value: UInt16, _ checksum: (offset: Int, baseSum: UInt16)?) -> [UInt8] {
        var frame = template.setting16(offset, value)
        if let checksum { frame = frame.setting16(checksum.offset, Self.checksum(checksum.baseSum, plus: value)) }
        return frame
    }

    /// The UDP checksum once `value` is added to a folded sum: RFC 1071 arithmetic, and a computed zero is
    /// sent as all ones (RFC 768).
    static func checksum(_ baseSum: UInt16, plus value: UInt16) -> UInt16 {
        var sum = UInt32(baseSum) + UInt32(value)
        sum = (sum & 0xFFFF) + (sum >> 16)
        let result = ~UInt16(truncatingIfNeeded: sum)
        return result == 0 ? 0xFFFF : result
    }

    /// The folded one's-complement sum of the pseudo-header and the UDP datagram with its destination port
    /// and checksum field zero (the template has port 0; its checksum is zeroed here).
    static func baseSum(_ frame: [UInt8], parsed: ParsedFrame) -> UInt16 {
        let network = parsed.networkOffset!, transport = parsed.transportOffset!
        let udpLength = Int(frame.loadBE16(at: transport + 4))
        var sum: InternetChecksum
        if parsed.ipVersion == 4 {
            sum = InternetChecksum.pseudoHeaderV4(source: Array(frame[network + 12..<network + 16]),
                                                  destination: Array(frame[network + 16..<network + 20]),
                                                  protocol: Transport.udpProtocol, length: udpLength)
        } else {
            sum = InternetChecksum.pseudoHeaderV6(source: Array(frame[network + 8..<network + 24]),
                                                  destination: Array(frame[network + 24..<network + 40]),
                                                  nextHeader: Transport.udpProtocol, length: udpLength)
        }
        var datagram = Array(frame[transport..<transport + udpLength])
        datagram[6] = 0
        datagram[7] = 0
        sum.add(datagram)
        return ~sum.value
    }

    static func hex16(_ value: UInt16) -> String {
        let digits = String(value, radix: 16)
        return "0x" + String(repeating: "0", count: 4 - digits.count) + digits
    }
}
