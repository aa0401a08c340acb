import Foundation
import Yams

/// What the stack section yielded; traffic checks its sender against `host` and `link`.
struct StackDraft {
    var spec: StackSpec?
    /// The stack's host, when it names a known host.
    var host: String?
    /// The link the stack's interface belongs to, when host and interface resolved.
    var link: Link?
}

extension LabResolver {
    static let stackKeys = ["host", "interface", "program", "attach-mode", "ports", "queues", "startup", "fill-ring",
                            "preflight", "layout", "socket-ports", "command", "ready", "traffic-starts"]
    /// Keys that shape the built-in stack; a command stack starts itself, so they cannot apply to it.
    static let builtInOnlyKeys = ["startup", "fill-ring", "layout", "socket-ports", "attach-mode"]

    func resolveStack(_ node: Node, topology: TopologyDraft?) -> StackDraft {
        var draft = StackDraft()
        guard let fields = reader.fields(node, "stack", known: Self.stackKeys) else { return draft }
        draft.host = fields.required("host", reader, meaning: "the host that runs the stack")
            .flatMap { hostReference($0, "host", topology: topology) }
        let interface = fields.required("interface", reader, meaning: "the interface the program attaches to")
            .flatMap { stackInterface($0, host: draft.host, topology: topology, link: &draft.link) }
        let commandNode = fields["command"]
        let programNode = commandNode == nil
            ? fields.required("program", reader, meaning: "the XDP program, a .bpf.c or .o path") : fields["program"]
        let program = programNode.flatMap(programPath)
        let attachMode = fields["attach-mode"].map { reader.choice($0, "attach-mode", as: AttachMode.self) } ?? .native
        let ports = fields.required("ports", reader, meaning: "the validator ports, such as [8003, 8004, 8005]")
            .flatMap(ports)
        let queues = fields["queues"].map { socketQueues($0, link: draft.link) } ?? draft.link.map { Array(0..<$0.queues) }
        let startup = fields["startup"].map(startupSteps) ?? StartupStep.safeOrder
        let fillRing = fields["fill-ring"].map { reader.choice($0, "fill-ring", as: FillRingPolicy.self) } ?? .kept
        let preflight = fields["preflight"].map(preflightSteps) ?? []
        let layout = stackLayout(fields, ports: ports, queues: queues)
        let command = commandNode.flatMap { stackCommand($0, fields: fields, hasProgram: programNode != nil) }
        if commandNode == nil, let ready = fields["ready"] {
            reader.error("ready applies to a command stack (how long its own binary may take to come up); "
                         + "remove it or add command", at: ready)
            return draft
        }
        if commandNode == nil, let starts = fields["traffic-starts"] {
            reader.error("traffic-starts applies to a command stack; the built-in stack opens a start-up window with "
                         + "a {wait: …} step in startup", at: starts)
            return draft
        }
        if let host = draft.host, let interface, programNode == nil || program != nil, let attachMode, let ports,
           let queues, let startup, let fillRing, let preflight, let layout, (commandNode == nil) == (command == nil) {
            draft.spec = StackSpec(host: host, interface: interface, program: program, attachMode: attachMode,
                                   ports: ports, socketQueues: queues, startup: startup, fillRing: fillRing,
                                   preflight: preflight, layout: layout, command: command)
        }
        return draft
    }

    /// `command: [executable, arguments…]` with its `ready` time. Built-in start-up keys cannot go with it, and
    /// every `{placeholder}` must be one xdplab fills in.
    private func stackCommand(_ node: Node, fields: Fields, hasProgram: Bool) -> StackCommand? {
        var valid = true
        for key in Self.builtInOnlyKeys {
            guard let clash = fields[key] else { continue }
            reader.error("\(key) and command are exclusive: a command stack starts itself (command at line "
                         + "\(reader.location(node).line)); remove \(key)", at: clash)
            valid = false
        }
        let ready = fields["ready"].map { reader.duration($0, "ready", in: 0.1...600) } ?? StackCommand.defaultReady
        let starts = fields["traffic-starts"].map { reader.choice($0, "traffic-starts", as: TrafficStart.self) } ?? .whenReady
        guard valid, let ready, let starts, let arguments = commandArguments(node, "command", hasProgram: hasProgram) else {
            return nil
        }
        return StackCommand(arguments: arguments, ready: ready, workingDirectory: LabPaths.folder(of: labPath),
                            trafficStarts: starts)
    }

    /// A command line as a list: the executable first (resolved as `executablePath` says), every `{placeholder}`
    /// one that xdplab fills in, `{program}` only when the stack has a program.
    func commandArguments(_ node: Node, _ what: String, hasProgram: Bool) -> [String]? {
        guard let items = reader.list(node, what, example: "[./bin/my-stack, --iface, \"{interface}\"]") else {
            return nil
        }
        guard !items.isEmpty else {
            reader.error("\(what) must name the executable to run, such as [./bin/my-stack, --iface, \"{interface}\"]",
                         at: node)
            return nil
        }
        var valid = true
        var arguments: [String] = []
        for item in items {
            guard let argument = reader.string(item, "a command argument") else { valid = false; continue }
            for name in StackPlaceholders.mentioned(in: argument) where !StackPlaceholders.names.contains(name) {
                reader.error("unknown placeholder {\(name)}"
                             + Suggestion.hint(for: name, among: StackPlaceholders.names, listing: "placeholders"), at: item)
                valid = false
            }
            if !hasProgram, StackPlaceholders.mentioned(in: argument).contains("program") {
                reader.error("{program} is the compiled object of the stack's program, but the stack has no program; "
                             + "add program: or remove {program}", at: item)
                valid = false
            }
            arguments.append(argument)
        }
        guard valid, let executable = executablePath(items[0], arguments[0]) else { return nil }
        arguments[0] = executable
        return arguments
    }

    /// A path with a slash, relative to the lab file's folder, that must be an executable file; a bare name must
    /// be on PATH. Left as written when it holds a placeholder.
    private func executablePath(_ node: Node, _ text: String) -> String? {
        guard StackPlaceholders.mentioned(in: text).isEmpty else { return text }
        let fileManager = FileManager.default
        guard text.contains("/") else {
            let folders = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
                + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
            if folders.contains(where: { fileManager.isExecutableFile(atPath: "\($0)/\(text)") }) { return text }
            reader.error("command '\(text)' is not on PATH; name it by path (relative paths start at the lab file's "
                         + "folder, \(LabPaths.folder(of: labPath)))", at: node)
            return nil
        }
        let path = LabPaths.absolute(text, relativeTo: LabPaths.folder(of: labPath))
        guard fileManager.isExecutableFile(atPath: path) else {
            let why = fileManager.fileExists(atPath: path) ? "is not executable (chmod +x, or a folder)"
                                                           : "does not exist; build it first (relative paths start at "
                                                             + "the lab file's folder, \(LabPaths.folder(of: labPath)))"
            reader.error("command \(path) \(why)", at: node)
            return nil
        }
        return path
    }

    /// A host name that must be in `topology.hosts` (unchecked when the host list itself was broken).
    func hostReference(_ node: Node, _ what: String, topology: TopologyDraft?) -> String? {
        guard let host = reader.string(node, what) else { return nil }
        if let topology, topology.hostsRead, !topology.hosts.contains(host) {
            reader.error("unknown host '\(host)'; hosts are: \(topology.hosts.joined(separator: ", "))", at: node)
            return nil
        }
        return host
    }

    /// The interface must be an end of a link on the stack's host.
    private func stackInterface(_ node: Node, host: String?, topology: TopologyDraft?, link: inout Link?) -> String? {
        guard let interface = reader.string(node, "interface") else { return nil }
        guard let host, let topology else { return interface }
        if let found = topology.link(host: host, interface: interface) {
            link = found
        } else if !topology.mentioned.contains("\(host):\(interface)") {
            let onHost = topology.mentioned.filter { $0.hasPrefix(host + ":") }
                .map { String($0.dropFirst(host.count + 1)) }.sorted()
            let known = onHost.isEmpty ? "no link has an end on \(host) yet"
                                       : "links on \(host) use: " + onHost.joined(separator: ", ")
            reader.error("interface '\(interface)' is not an end of any link on \(host); \(known)", at: node)
            return nil
        }
        return interface
    }

    /// Absolute, standardized, relative to the lab file's folder; the file must exist.
    func programPath(_ node: Node) -> String? {
        guard let text = reader.string(node, "program") else { return nil }
        guard text.hasSuffix(".bpf.c") || text.hasSuffix(".o") else {
            reader.error("program must be a BPF C source ending in .bpf.c or a compiled object ending in .o; "
                         + "got '\(text)'", at: node)
            return nil
        }
        let folder = LabPaths.folder(of: labPath)
        let path = LabPaths.absolute(text, relativeTo: folder)
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            reader.error("program file \(path) does not exist; relative paths start at the lab file's folder, \(folder)",
                         at: node)
            return nil
        }
        guard !isFolder.boolValue else {
            reader.error("program \(path) is a folder; name a .bpf.c or .o file", at: node)
            return nil
        }
        return path
    }

    /// Numbers and "A-B" ranges, expanded, sorted, without duplicates.
    private func ports(_ node: Node) -> [UInt16]? {
        guard let items = reader.list(node, "ports", example: "[8003, 8004, 8005] or [\"8003-8005\"]") else { return nil }
        if items.isEmpty {
            reader.error("ports must list at least one validator port, such as [8003, 8004, 8005]", at: node)
            return nil
        }
        var ports = Set<UInt16>()
        var valid = true
        for item in items {
            guard let text = reader.string(item, "a port") else { valid = false; continue }
            switch PortRanges.range(text) {
            case .success(let range): ports.formUnion(range)
            case .failure(.notAPort):
                reader.error("a port must be a number from 1 to 65535 or a range such as \"8003-8005\"; got '\(text)'", at: item)
                valid = false
            case .failure(let problem):
                reader.error(problem.description(of: text), at: item)
                valid = false
            }
        }
        return valid ? ports.sorted() : nil
    }

    /// RX queues that get a socket: each a queue of the stack's link, none twice. An empty list is allowed.
    private func socketQueues(_ node: Node, link: Link?) -> [Int]? {
        guard let items = reader.list(node, "queues", example: "[0, 1]") else { return nil }
        var queues: [Int] = []
        var valid = true
        for item in items {
            guard let queue = reader.integer(item, "a socket queue", in: 0...63) else { valid = false; continue }
            if let link, queue >= link.queues {
                reader.error("queue \(queue) does not exist: the stack's link has \(link.queues) "
                             + "queue\(link.queues == 1 ? "" : "s"), numbered 0 to \(link.queues - 1)", at: item)
                valid = false
            }
            if queues.contains(queue) {
                reader.error("queue \(queue) is listed twice; each queue gets one socket", at: item)
                valid = false
            }
            queues.append(queue)
        }
        return valid ? queues : nil
    }

    /// Each of load, create-sockets, register and attach exactly once, plus any waits; `register` after
    /// `load` and `create-sockets`, `attach` after `load`. Anything else, however unsafe, is allowed.
    private func startupSteps(_ node: Node) -> [StartupStep]? {
        guard let items = reader.list(node, "startup", example: "[load, create-sockets, register, attach]") else {
            return nil
        }
        var steps: [StartupStep] = []
        var positions: [String: (index: Int, node: Node)] = [:]
        var valid = true
        for item in items {
            guard let step = startupStep(item) else { valid = false; continue }
            if case .wait = step {
                steps.append(step)
                continue
            }
            if positions[step.name] != nil {
                reader.error("'\(step.name)' appears twice in startup; load, create-sockets, register and attach "
                             + "each appear exactly once", at: item)
                valid = false
                continue
            }
            positions[step.name] = (steps.count, item)
            steps.append(step)
        }
        guard valid else { return nil }
        let missing = StartupStep.safeOrder.map(\.name).filter { positions[$0] == nil }
        if !missing.isEmpty {
            reader.error("startup is missing " + missing.map { "'\($0)'" }.joined(separator: ", ")
                         + "; load, create-sockets, register and attach each appear exactly once", at: node)
            return nil
        }
        let rules: [(later: String, earlier: String, why: String)] = [
            ("register", "load", "xsks_map exists only once the program is loaded"),
            ("register", "create-sockets", "there is no socket to put into xsks_map before then"),
            ("attach", "load", "only a loaded program can be attached"),
        ]
        for rule in rules where positions[rule.later]!.index < positions[rule.earlier]!.index {
            reader.error("'\(rule.later)' must come after '\(rule.earlier)': \(rule.why)", at: positions[rule.later]!.node)
            valid = false
        }
        return valid ? steps : nil
    }

    /// `layout: shared` (default), or `program-per-socket` with `socket-ports` saying which ports each socket's own
    /// program claims: every socket queue once, ports from the stack's `ports`.
    private func stackLayout(_ fields: Fields, ports: [UInt16]?, queues: [Int]?) -> StackLayoutSpec? {
        let kind = fields["layout"].map { reader.choice($0, "layout", as: StackLayoutKind.self) } ?? .shared
        guard let kind else { return nil }
        switch kind {
        case .shared:
            if let extra = fields["socket-ports"] {
                reader.error("socket-ports only applies to layout: program-per-socket; remove it or set the layout", at: extra)
                return nil
            }
            return .shared
        case .programPerSocket:
            guard let node = fields.required("socket-ports", reader,
                                             meaning: "which ports each socket's own program claims, such as {0: [8003], 1: [8004]}")
            else { return nil }
            guard case .mapping(let mapping) = node else {
                reader.error("socket-ports must map a socket queue to its ports, such as {0: [8003], 1: [8004]}, got \(reader.kind(of: node))", at: node)
                return nil
            }
            var byQueue: [Int: [UInt16]] = [:]
            var valid = true
            for (keyNode, value) in mapping {
                guard let queue = reader.integer(keyNode, "a socket queue", in: 0...63) else { valid = false; continue }
                if let queues, !queues.contains(queue) {
                    reader.error("queue \(queue) has no socket; socket-ports keys must be among the stack's queues "
                                 + "(\(queues.map(String.init).joined(separator: ", ")))", at: keyNode)
                    valid = false
                }
                guard let own = self.ports(value) else { valid = false; continue }
                if let ports, let stray = own.first(where: { !ports.contains($0) }) {
                    reader.error("port \(stray) is not among the stack's ports; list it under ports too", at: value)
                    valid = false
                }
                byQueue[queue] = own
            }
            if valid, let queues, let missing = queues.first(where: { byQueue[$0] == nil }) {
                reader.error("socket-ports has no entry for queue \(missing); every socket needs its own program's ports", at: node)
                valid = false
            }
            return valid ? .programPerSocket(portsByQueue: byQueue) : nil
        }
    }

    /// Pre-flight checks by name, each at most once; only `check` exists.
    private func preflightSteps(_ node: Node) -> [PreflightStep]? {
        guard let items = reader.list(node, "preflight", example: "[check]") else { return nil }
        var steps: [PreflightStep] = []
        var valid = true
        for item in items {
            guard let step = reader.choice(item, "pre-flight step", as: PreflightStep.self) else { valid = false; continue }
            if steps.contains(step) {
                reader.error("'\(step.rawValue)' appears twice in preflight", at: item)
                valid = false
                continue
            }
            steps.append(step)
        }
        return valid ? steps : nil
    }

    /// A step name, or a pause written as {wait: 2s}.
    private func startupStep(_ node: Node) -> StartupStep? {
        if case .mapping = node {
            guard let fields = reader.fields(node, "a start-up pause", known: ["wait"]),
                  let wait = fields.required("wait", reader, meaning: "how long to pause, such as {wait: 2s}")
            else { return nil }
            return reader.duration(wait, "wait").map { .wait($0) }
        }
        guard let name = reader.string(node, "a start-up step") else { return nil }
        if let step = StartupStep.named[name] { return step }
        if name.hasPrefix("wait") {
            reader.error("a pause is written as a mapping, such as {wait: 2s}; got '\(name)'", at: node)
            return nil
        }
        let names = StartupStep.safeOrder.map(\.name) + ["wait"]
        reader.error("unknown start-up step '\(name)'" + Suggestion.hint(for: name, among: names, listing: "steps"), at: node)
        return nil
    }
}
