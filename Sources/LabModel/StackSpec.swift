/// The AF_XDP stack under test: which program goes where, which queues get sockets, and in which
/// order start-up happens.
public struct StackSpec: Sendable, Equatable {
    public var host: String
    public var interface: String
    /// Absolute, standardized path of a `.bpf.c` source or a compiled `.o`. Always set for the built-in stack;
    /// optional for a command stack, which then loads whatever it loads.
    public var program: String?
    public var attachMode: AttachMode
    /// The validator ports written into `validator_ports`: sorted, no duplicates.
    public var ports: [UInt16]
    /// RX queues that get an AF_XDP socket, in file order.
    public var socketQueues: [Int]
    public var startup: [StartupStep]
    public var fillRing: FillRingPolicy
    /// Checks to pass before anything is deployed, in file order; empty when the lab lists none.
    public var preflight: [PreflightStep]
    public var layout: StackLayoutSpec
    /// The team's own binary instead of the built-in stack; then `startup`, `fillRing`, `layout` and
    /// `attachMode` keep their defaults and mean nothing, and `socketQueues` are the queues it must hold sockets on.
    public var command: StackCommand?

    public init(host: String, interface: String, program: String?, attachMode: AttachMode = .native,
                ports: [UInt16], socketQueues: [Int], startup: [StartupStep] = StartupStep.safeOrder,
                fillRing: FillRingPolicy = .kept, preflight: [PreflightStep] = [], layout: StackLayoutSpec = .shared,
                command: StackCommand? = nil) {
        self.command = command
        self.layout = layout
        self.host = host
        self.interface = interface
        self.program = program
        self.attachMode = attachMode
        self.ports = ports
        self.socketQueues = socketQueues
        self.startup = startup
        self.fillRing = fillRing
        self.preflight = preflight
    }
}

/// A check the program must pass before the lab deploys it.
public enum PreflightStep: String, Sendable, CaseIterable {
    /// `xdplab check`: BPF_PROG_TEST_RUN over the check corpus on every queue of the stack's link, with the
    /// xsks_map slot empty and with a socket registered; any violation stops the run before deployment.
    case check
}

/// How the XDP program is attached: `native` runs in the veth driver, `generic` in the core stack.
public enum AttachMode: String, Sendable, CaseIterable {
    case native, generic
}

/// One step of bringing the stack up. Labs may reorder them to reproduce unsafe start-ups.
public enum StartupStep: Sendable, Equatable {
    /// Load the program and its maps into the kernel.
    case load
    /// Create the AF_XDP sockets (UMEM, rings, bind to their queues).
    case createSockets
    /// Write each socket into `xsks_map` at its queue id.
    case register
    /// Attach the program to the interface; from here on it sees packets.
    case attach
    /// Pause, in seconds, so traffic meets the half-built stack.
    case wait(Double)

    /// Load, create sockets, register, attach: no packet can meet an empty `xsks_map` slot.
    public static let safeOrder: [StartupStep] = [.load, .createSockets, .register, .attach]

    /// As written in lab files and shown in reports: "create-sockets", "wait 2s".
    public var name: String {
        switch self {
        case .load: return "load"
        case .createSockets: return "create-sockets"
        case .register: return "register"
        case .attach: return "attach"
        case .wait(let seconds): return "wait \(LabDuration.format(seconds))"
        }
    }

    /// The four steps that each appear exactly once, by their lab-file names.
    static let named: [String: StartupStep] = [
        "load": .load, "create-sockets": .createSockets, "register": .register, "attach": .attach,
    ]
}

/// What the AF_XDP consumer does with its fill ring after start-up.
public enum FillRingPolicy: String, Sendable, CaseIterable {
    /// Keeps refilling it: the normal, healthy consumer.
    case kept
    /// Stops refilling it, so redirects soon fail with ENOMEM (incident labs).
    case starve
    /// Keeps refilling it, but keeps only a few frames on it: enough for packets that come one at a time, too few
    /// for a burst that the kernel redirects before the consumer can hand frames back (incident labs under load).
    case shallow
}

/// How the stack's programs relate to its sockets.
public enum StackLayoutSpec: Sendable, Equatable {
    /// One program and one `xsks_map` for all sockets and ports: the correct design.
    case shared
    /// Each socket's application loads and attaches its own program for its own ports; each attach after the first
    /// replaces the previous program (incident labs).
    case programPerSocket(portsByQueue: [Int: [UInt16]])
}

/// `layout` as written in lab files.
enum StackLayoutKind: String, CaseIterable {
    case shared
    case programPerSocket = "program-per-socket"
}
