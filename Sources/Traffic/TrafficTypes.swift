import LabModel
import Packets

/// One end of the lab link that traffic runs over, as the traffic layer needs it.
public struct TrafficSide: Sendable, Hashable {
    public var namespace: String
    public var interface: String
    public var mac: [UInt8]
    public var ipv4: [UInt8]
    public var ipv6: [UInt8]

    public init(namespace: String, interface: String, mac: [UInt8], ipv4: [UInt8], ipv6: [UInt8]) {
        self.namespace = namespace
        self.interface = interface
        self.mac = mac
        self.ipv4 = ipv4
        self.ipv6 = ipv6
    }
}

/// Who sends, who receives (the host and interface of the stack under test), and how many RX queues
/// traffic is spread over.
public struct TrafficEndpoints: Sendable, Hashable {
    public var sender: TrafficSide
    public var receiver: TrafficSide
    public var queues: Int

    public init(sender: TrafficSide, receiver: TrafficSide, queues: Int) {
        self.sender = sender
        self.receiver = receiver
        self.queues = queues
    }
}

/// The kinds of traffic a lab can inject: the lab model's classes, named as in lab files.
public typealias PacketClass = TrafficClass

/// One frame ready to inject: its bytes, its tag id and where it must go.
public struct PlannedFrame: Sendable, Hashable {
    public let frame: [UInt8]
    /// The id in the frame's `PacketTag`.
    public let id: UInt64
    public let packetClass: PacketClass
    /// The receiver RX queue it is steered to.
    public let queue: Int
    /// Whether a validator filter must claim it (`ParsedFrame.matchesValidatorRule`).
    public let matching: Bool
    /// "udp 198.18.0.2:40001 > 198.18.0.1:8003".
    public let flow: String

    public init(frame: [UInt8], id: UInt64, packetClass: PacketClass, queue: Int, matching: Bool, flow: String) {
        self.frame = frame
        self.id = id
        self.packetClass = packetClass
        self.queue = queue
        self.matching = matching
        self.flow = flow
    }
}
