import XSKSockets
import Sequencing
import KernelObservation

/// One start-up step of the stack. A lab chooses the order, so that it can also play the wrong ones
/// (attach before the sockets exist, register late while traffic flows).
public enum StackStep: Sendable, Equatable {
    /// Open and load the program, fill `validator_ports`, find `xsks_map`; attach the tracepoint counters.
    case load
    /// One UMEM and one AF_XDP socket per configured queue, with a poller each.
    case createSockets
    /// Write each socket into `xsks_map` at key = its queue.
    case register
    /// Attach the program to the interface.
    case attach
    /// Sleep this many seconds.
    case wait(Double)
}

/// How programs relate to sockets.
public enum StackLayout: Sendable, Equatable {
    /// One program and one `xsks_map` for every socket and port: the correct design.
    case shared
    /// Each socket's application loads and attaches its own program instance claiming its own ports, as
    /// independent loaders do; every attach after the first replaces the previous program (plain netlink attach).
    case programPerSocket(portsByQueue: [Int: [UInt16]])
}

/// Everything the stack needs to know, in plain values (no lab-file types).
public struct StackConfiguration: Sendable {
    /// Network namespace holding the interface (/run/netns/<namespace>).
    public var namespace: String
    public var interface: String
    /// Compiled object of the program under test.
    public var objectPath: String
    public var attachMode: XDPAttachMode
    /// UDP destination ports written into `validator_ports`, if the object has that map.
    public var ports: [UInt16]
    /// RX queues that get an AF_XDP socket.
    public var socketQueues: [Int]
    /// False plays the fill-ring-empty incident: frames are not handed back after the initial fill.
    public var refillFillRing: Bool
    /// Where the tracepoint program is compiled.
    public var workDirectory: String
    /// UMEM size of each socket, in frames of `frameSize` bytes.
    public var umemFrames: Int
    public var frameSize: Int
    /// Size of each socket's fill and RX rings (a power of two).
    public var ringSize: Int
    /// Frames put on the fill ring at the start; with `refillFillRing` false, the socket receives at most this many.
    public var initialFill: Int
    /// Lets a sequence lab stall the sockets' drain loops on purpose (fault injection); nil never stalls.
    public var consumerGate: ConsumerGate? = nil
    public var layout: StackLayout

    public init(namespace: String, interface: String, objectPath: String, attachMode: XDPAttachMode,
                ports: [UInt16], socketQueues: [Int], refillFillRing: Bool, workDirectory: String,
                umemFrames: Int = 4096, frameSize: Int = 2048, ringSize: Int = 2048, initialFill: Int? = nil,
                layout: StackLayout = .shared) {
        self.layout = layout
        self.namespace = namespace
        self.interface = interface
        self.objectPath = objectPath
        self.attachMode = attachMode
        self.ports = ports
        self.socketQueues = socketQueues
        self.refillFillRing = refillFillRing
        self.workDirectory = workDirectory
        self.umemFrames = umemFrames
        self.frameSize = frameSize
        self.ringSize = ringSize
        self.initialFill = initialFill ?? ringSize
    }
}

extension StackConfiguration {
    /// What each of the stack's sockets is made with.
    var socketOptions: XSKSocketOptions {
        XSKSocketOptions(umemFrames: umemFrames, frameSize: frameSize, ringSize: ringSize, initialFill: initialFill,
                         gate: consumerGate)
    }
}
