import Glibc

/// The mark that makes every injected packet traceable.
///
/// A tag is 16 bytes: an 8-byte magic followed by the packet's 64-bit id, big endian. It rides wherever
/// the frame has room for opaque bytes: the UDP/TCP/ICMP payload, the Ethernet padding after an ARP
/// message, an unknown (ignored) option of an IPv6 neighbour-discovery message or of an IPv4 header, and,
/// in an IPv6 header cut short on purpose, where its addresses would be. Finding a packet's fate is
/// then a search for the magic in whatever the capture or the AF_XDP socket saw.
public enum PacketTag {
    public static let magic: [UInt8] = Array("XDPLAB\u{7}\u{1}".utf8)
    public static let size = 16

    public static func bytes(id: UInt64) -> [UInt8] {
        magic + (0..<8).map { UInt8(truncatingIfNeeded: id >> (56 - 8 * UInt64($0))) }
    }

    /// The id of the first tag found in `frame`, if any.
    public static func find<C: Collection>(in frame: C) -> UInt64? where C.Element == UInt8, C.Index == Int {
        // Every AF_XDP frame and captured packet passes here: contiguous bytes go to memchr, which stays fast
        // in the debug build CI runs, where a generic byte loop costs tens of microseconds per frame.
        if let found = frame.withContiguousStorageIfAvailable({ find(in: UnsafeRawBufferPointer($0)) }) { return found }
        return Array(frame).withUnsafeBytes { find(in: $0) }
    }

    public static func find(in frame: UnsafeRawBufferPointer) -> UInt64? {
        guard frame.count >= size, let base = frame.baseAddress else { return nil }
        let lastStart = frame.count - size
        var start = 0
        // memchr finds candidates for the first magic byte (Glibc's Swift module has no memmem); whole words
        // compare the rest, as generic sequence calls would cost more than the search in a debug build.
        while start <= lastStart, let hit = memchr(base + start, Int32(magic[0]), lastStart - start + 1) {
            let at = base.distance(to: UnsafeRawPointer(hit))
            if frame.loadUnaligned(fromByteOffset: at, as: UInt64.self) == magicWord {
                return UInt64(bigEndian: frame.loadUnaligned(fromByteOffset: at + magic.count, as: UInt64.self))
            }
            start = at + 1
        }
        return nil
    }

    /// The magic as one word in memory order, to compare 8 bytes at once.
    private static let magicWord: UInt64 = magic.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
}
