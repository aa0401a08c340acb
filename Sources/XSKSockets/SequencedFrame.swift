import Sequencing

/// Finds the `SequencePayload` at the start of a frame's UDP payload without copying: untagged Ethernet,
/// IPv4 (any header length, not a fragment) or IPv6 without extension headers. This runs for every frame an
/// AF_XDP socket takes, so it reads fixed offsets instead of searching.
enum SequencedFrame {
    static func payload(in frame: UnsafeRawBufferPointer) -> SequencePayload? {
        guard frame.count >= 14 + 20 + 8 + SequencePayload.size else { return nil }
        let etherType = UInt16(frame[12]) << 8 | UInt16(frame[13])
        let udp: Int
        switch etherType {
        case 0x0800:
            let headerLength = Int(frame[14] & 0x0F) * 4
            let fragment = UInt16(frame[20] & 0x3F) << 8 | UInt16(frame[21])   // MF flag and offset
            guard frame[14] >> 4 == 4, headerLength >= 20, frame[23] == 17, fragment == 0 else { return nil }
            udp = 14 + headerLength
        case 0x86DD:
            guard frame[14 + 6] == 17 else { return nil }
            udp = 14 + 40
        default:
            return nil
        }
        guard udp + 8 < frame.count else { return nil }
        return SequencePayload(payload: UnsafeRawBufferPointer(rebasing: frame[(udp + 8)...]))
    }
}
