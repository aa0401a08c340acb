/// What one capture saw, indexed so verification never has to reread the pcap file.
public struct CaptureResult: Sendable, Codable, Equatable {
    /// The pcap file: every frame in both directions, as the kernel's tap saw it (after XDP).
    public let file: String
    /// Frames written to `file`, both directions.
    public let frames: Int
    /// Tag id (`PacketTag.find`) → first time it arrived, in seconds since the capture started.
    /// Only incoming frames count: a reply or ICMP error the host sends back may quote a tag.
    public let tagged: [UInt64: Double]
    /// ARP requests and replies of the hosts' own neighbour resolution seen, both directions (untagged:
    /// injected ARP is not counted).
    public let arpFrames: Int
    /// ICMPv6 router/neighbour solicitations and advertisements (types 133–136) of the hosts' own, seen in
    /// both directions (untagged: injected ND is not counted).
    public let neighbourDiscoveryFrames: Int
    /// Frames the capture itself lost (`pcap_stats` ps_drop + ps_ifdrop of both taps).
    /// Non-zero means the capture is incomplete, so a missing tag proves nothing.
    public let droppedByCapture: UInt32
    /// Set when a tap stopped reading before `stop()` (its interface vanished): the capture is incomplete.
    public let failure: String?

    public init(file: String, frames: Int, tagged: [UInt64: Double], arpFrames: Int,
                neighbourDiscoveryFrames: Int, droppedByCapture: UInt32, failure: String? = nil) {
        self.file = file
        self.frames = frames
        self.tagged = tagged
        self.arpFrames = arpFrames
        self.neighbourDiscoveryFrames = neighbourDiscoveryFrames
        self.droppedByCapture = droppedByCapture
        self.failure = failure
    }
}
