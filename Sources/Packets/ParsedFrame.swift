/// What the parser learned about one frame: enough to name its flow, find its tag and decide whether a
/// validator filter must claim it. Fields that the frame does not have stay nil or empty.
public struct ParsedFrame: Sendable, Hashable {
    /// Bytes in the frame as given (padding included).
    public var length: Int
    public var destinationMAC: [UInt8] = []
    public var sourceMAC: [UInt8] = []
    /// The EtherType after any VLAN tags.
    public var etherType: UInt16 = 0
    /// VLAN ids, outermost first (802.1Q and 802.1ad tags).
    public var vlanIDs: [UInt16] = []

    /// 1 request, 2 reply.
    public var arpOperation: UInt16?

    /// 4 or 6.
    public var ipVersion: Int?
    public var sourceIP: String?
    public var destinationIP: String?
    /// Offset of the IP header in the frame.
    public var networkOffset: Int?
    /// The upper-layer protocol: for IPv6, the one after the extension headers.
    public var ipProtocol: UInt8?
    /// Bytes of IPv4 options (header length minus 20).
    public var ipv4OptionsLength = 0
    /// Types of the IPv6 extension headers, in order (0 hop-by-hop, 60 destination options, 44 fragment…).
    public var ipv6ExtensionHeaders: [UInt8] = []
    /// True for any piece of a fragmented datagram (offset > 0 or more fragments follow).
    public var isFragment = false
    /// In bytes.
    public var fragmentOffset = 0
    public var moreFragments = false
    public var fragmentID: UInt32?

    /// Offset of the UDP/TCP/ICMP header in the frame, when the frame holds at least its first 4 bytes (the
    /// ports; ICMP's type, code and checksum). A frame cut inside the header has its ports and a `problem`.
    public var transportOffset: Int?
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    public var tcpFlags: TCPFlags?
    public var icmpType: UInt8?
    public var icmpCode: UInt8?
    /// The target address of a neighbour solicitation or advertisement.
    public var ndTarget: String?

    /// The id of the `PacketTag` anywhere in the frame.
    public var tag: UInt64?
    /// Headers whose checksum is wrong: "ipv4", "udp", "tcp", "icmp", "icmp6".
    public var checksumErrors: [String] = []
    /// Why parsing stopped early ("truncated ipv4 header", "ipv4 version 5"…), if it did.
    public var problem: String?
    /// One line like "udp 198.18.0.2:40001 > 198.18.0.1:8003".
    public var flow = ""

    public init(length: Int) { self.length = length }
}
