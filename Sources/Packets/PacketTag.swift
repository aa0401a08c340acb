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
        let count = frame.count
        guard count >= size else { return nil }
        let start = frame.startIndex
        var i = start
        let last = start + count - size
        while i <= last {
            if frame[i] == magic[0] && frame[i + 1] == magic[1] {
                var matches = true
                for k in 2..<magic.count where frame[i + k] != magic[k] { matches = false; break }
                if matches {
                    var id: UInt64 = 0
                    for k in 0..<8 { id = id << 8 | UInt64(frame[i + magic.count + k]) }
                    return id
                }
            }
            i += 1
        }
        return nil
    }
}
