/// The team's own AF_XDP binary, started inside the stack's namespace instead of xdplab's built-in stack.
/// xdplab learns from the kernel, not from the process, when it is ready and what it did.
public struct StackCommand: Sendable, Equatable {
    /// As written in the lab file, placeholders not yet expanded. The first is the executable: a path with a
    /// slash is absolute (relative ones were resolved against the lab file's folder), a bare name is looked up on PATH.
    public var arguments: [String]
    /// How long the stack may take to come up (program attached, a socket on every listed queue), in seconds.
    public var ready: Double
    /// The lab file's folder: the command's working directory.
    public var workingDirectory: String
    /// When traffic begins: once the stack is ready, or as soon as it attaches a program (to meet its start-up).
    public var trafficStarts: TrafficStart

    public init(arguments: [String], ready: Double = StackCommand.defaultReady, workingDirectory: String,
                trafficStarts: TrafficStart = .whenReady) {
        self.arguments = arguments
        self.ready = ready
        self.workingDirectory = workingDirectory
        self.trafficStarts = trafficStarts
    }

    public static let defaultReady = 10.0

    /// The arguments with every placeholder replaced by its value.
    public func expanded(_ values: StackPlaceholders) -> [String] {
        arguments.map { values.expand($0) }
    }
}

/// When a command stack's traffic begins.
public enum TrafficStart: String, Sendable, CaseIterable {
    /// Once an XDP program is attached and every listed queue has a bound socket: the stack is judged running.
    case whenReady = "when-ready"
    /// As soon as an XDP program is attached, so traffic meets the rest of the stack's start-up (production traffic
    /// does not wait). Each packet is judged by whether the socket of its queue was bound when it was sent.
    case atAttach = "at-attach"
}

/// The values a command stack (and anything else the lab starts in its namespaces) is given, both as
/// `{name}` placeholders in its arguments and as `XDPLAB_*` environment variables.
public struct StackPlaceholders: Sendable, Equatable {
    public var interface: String
    public var queues: [Int]
    public var ports: [UInt16]
    /// The compiled object of the lab's `program:`, when it has one.
    public var program: String?
    public var namespace: String
    public var peerIPv4: String
    public var peerIPv6: String

    public init(interface: String, queues: [Int], ports: [UInt16], program: String?, namespace: String,
                peerIPv4: String, peerIPv6: String) {
        self.interface = interface
        self.queues = queues
        self.ports = ports
        self.program = program
        self.namespace = namespace
        self.peerIPv4 = peerIPv4
        self.peerIPv6 = peerIPv6
    }

    /// The placeholders a lab file may use, in the order the docs list them.
    public static let names = ["interface", "queues", "ports", "program", "namespace"]

    /// "0,1"
    public var queueText: String { queues.map(String.init).joined(separator: ",") }
    /// "8003-8005,9000": consecutive ports folded into ranges.
    public var portText: String { PortRanges.text(ports) }

    /// The value of one placeholder, nil for an unknown name (or `program` when the lab has none).
    public func value(of name: String) -> String? {
        switch name {
        case "interface": return interface
        case "queues": return queueText
        case "ports": return portText
        case "program": return program
        case "namespace": return namespace
        default: return nil
        }
    }

    /// Replaces each `{name}` that names a placeholder; anything else stays as written.
    public func expand(_ argument: String) -> String {
        var result = ""
        var rest = Substring(argument)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}"),
                  let value = value(of: String(rest[afterOpen..<close])) else {
                result.append("{")
                rest = rest[afterOpen...]
                continue
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    /// The same values for the process environment.
    public var environment: [String: String] {
        var values = ["XDPLAB_INTERFACE": interface, "XDPLAB_QUEUES": queueText, "XDPLAB_PORTS": portText,
                      "XDPLAB_NAMESPACE": namespace, "XDPLAB_PEER_IPV4": peerIPv4, "XDPLAB_PEER_IPV6": peerIPv6]
        if let program { values["XDPLAB_PROGRAM"] = program }
        return values
    }

    /// Every `{name}` in `argument`, in order, whether known or not.
    public static func mentioned(in argument: String) -> [String] {
        var names: [String] = []
        var rest = Substring(argument)
        while let open = rest.firstIndex(of: "{") {
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}") else { break }
            let name = rest[afterOpen..<close]
            if !name.isEmpty, name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) {
                names.append(String(name))
            }
            rest = rest[rest.index(after: close)...]
        }
        return names
    }
}
