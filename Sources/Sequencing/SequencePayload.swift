/// The start of every sequenced UDP payload: which packet of the run this is, and when it was sent.
///
/// 24 bytes: an 8-byte magic, the 64-bit sequence number and the 64-bit send time (CLOCK_MONOTONIC
/// nanoseconds, 0 when not stamped), both big endian. It follows the packet tag's shape (magic, then a
/// big-endian 64-bit number) with a magic of its own, so a payload may carry both: the sequence payload
/// first, a `PacketTag` after it. The map-ring BPF programs copy the first 64 payload bytes, enough for both.
public struct SequencePayload: Sendable, Hashable {
    public static let magic: [UInt8] = Array("XDPLSEQ\u{1}".utf8)
    public static let size = 24

    public var sequence: UInt64
    /// CLOCK_MONOTONIC nanoseconds at sending; nil when the sender did not stamp it.
    public var sentNanoseconds: UInt64?

    public init(sequence: UInt64, sentNanoseconds: UInt64? = nil) {
        self.sequence = sequence
        self.sentNanoseconds = sentNanoseconds
    }

    /// The 24 bytes, followed by `trailer` (a packet tag, padding).
    public func bytes(trailer: [UInt8] = []) -> [UInt8] {
        var result = Self.magic
        result.reserveCapacity(Self.size + trailer.count)
        Self.appendBigEndian(sequence, to: &result)
        Self.appendBigEndian(sentNanoseconds ?? 0, to: &result)
        return result + trailer
    }

    /// Reads a payload that starts at the first byte of `bytes` (what a receiver gets as UDP payload).
    public init?<C: Collection>(payload bytes: C) where C.Element == UInt8 {
        if let parsed = bytes.withContiguousStorageIfAvailable({ SequencePayload(payload: UnsafeRawBufferPointer($0)) }) {
            guard let parsed else { return nil }
            self = parsed
            return
        }
        guard let parsed = Array(bytes.prefix(Self.size)).withUnsafeBytes({ SequencePayload(payload: $0) }) else { return nil }
        self = parsed
    }

    /// The same from raw memory, without allocating: a receiver's hot path (the map-ring poller).
    public init?(payload raw: UnsafeRawBufferPointer) {
        guard raw.count >= Self.size, raw.loadUnaligned(as: UInt64.self) == Self.magicWord else { return nil }
        sequence = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        let sent = UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self))
        sentNanoseconds = sent == 0 ? nil : sent
    }

    /// The magic as one word in memory order, for an 8-byte compare.
    static let magicWord: UInt64 = magic.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }

    /// The first sequence payload anywhere in `frame` (a whole Ethernet frame from a capture).
    public static func find<C: Collection>(in frame: C) -> SequencePayload? where C.Element == UInt8 {
        let bytes = Array(frame)
        guard bytes.count >= size else { return nil }
        for start in 0...(bytes.count - size) where bytes[start] == magic[0] {
            if let found = SequencePayload(payload: bytes[start...]) { return found }
        }
        return nil
    }

    static func appendBigEndian(_ value: UInt64, to bytes: inout [UInt8]) {
        for shift in stride(from: 56, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt64(shift))) }
    }
}
