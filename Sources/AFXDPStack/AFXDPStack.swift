import Foundation
import CLibBPF
import BPFSupport
import Evidence
import SystemSupport
import XSKSockets

/// The AF_XDP stack under test, deployed for real: the lab's XDP program with its `xsks_map`, one AF_XDP
/// socket per chosen RX queue and a poller draining each, plus the kernel evidence around it (tracepoint
/// counters of the program, socket statistics, per-queue driver counters).
///
/// Steps come in whatever order the lab asks (`perform`), so that wrong orders can be played too;
/// `shutdown()` releases whatever exists, whichever steps ran or failed.
public final class AFXDPStack: @unchecked Sendable {
    // @unchecked: the steps' state (libbpf objects, sockets, attachment) is guarded by `lock`, received frames by
    // `framesLock`.
    public let configuration: StackConfiguration

    /// Guards everything the steps create. Frames have a lock of their own so pollers never wait for a step.
    private let lock = NSLock()
    /// The program under test, once for the shared layout or once per socket; each keeps its object (and so
    /// its `xsks_map`) loaded.
    private var loaded: [LoadedProgram] = []
    private var sockets: [XSKSocket] = []
    private var attachment: XDPAttachment?
    private var replacements: [ProgramReplacement] = []
    private var tracepoints: TracepointCounters?
    private var counters: QueueCounters?
    private var gaps: [String] = []
    private var finalEvidence: KernelEvidence?

    private let framesLock = NSLock()
    /// Received frames in chunks of a fixed capacity: recording never copies what is stored already. One growing
    /// array made the drain loop copy every frame so far each time it doubled (and fault in the new pages), a
    /// pause that at 130,000 frames/s outlasted the 2048 buffers on the fill ring.
    private var frameChunks: [[ReceivedFrame]] = []
    private static let chunkCapacity = 65_536
    private let loadCounts = LoadCounts()

    public init(configuration: StackConfiguration) {
        self.configuration = configuration
    }

    deinit { shutdown() }

    /// Runs one start-up step. Errors name what was attempted; a missing capability is a `CapabilityError`.
    public func perform(_ step: StackStep) throws {
        if case .wait(let seconds) = step {
            if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
            return
        }
        lock.lock()
        defer { lock.unlock() }
        guard finalEvidence == nil else { throw StackError("the stack was shut down; cannot \(step)") }
        switch step {
        case .load: try load()
        case .createSockets: try createSockets()
        case .register: try register()
        case .attach: try attach()
        case .wait: break
        }
    }

    // MARK: steps

    private func load() throws {
        guard loaded.isEmpty else { throw StackError("load: the program is already loaded") }
        switch configuration.layout {
        case .shared:
            loaded = [try loadProgram(ports: configuration.ports, queues: nil)]
        case .programPerSocket(let portsByQueue):
            loaded = try portsByQueue.keys.sorted().map { queue in
                try loadProgram(ports: portsByQueue[queue] ?? [], queues: [queue])
            }
        }
        // The last program loaded is the one left running once every loader has attached.
        if let effective = loaded.last { startTracepoints(for: effective.program) }
    }

    private func loadProgram(ports: [UInt16], queues: [Int]?) throws -> LoadedProgram {
        let opened = try BPFObject(path: configuration.objectPath)
        guard let xdp = opened.xdpProgram else {
            throw StackError("\(opened.fileName) has no XDP program (section \"xdp\")")
        }
        guard let map = opened.map(named: "xsks_map"), map.type == BPF_MAP_TYPE_XSKMAP else {
            throw StackError("\(opened.fileName): an XDP program for xdplab needs a BPF_MAP_TYPE_XSKMAP named xsks_map")
        }
        do {
            try opened.load()
        } catch let refusal as SystemError {
            // The program under test is what the kernel refused (the verifier's log says why): the input's fault.
            throw StackError("the kernel refused the program under test: \(refusal)")
        }
        if let portsMap = opened.map(named: "validator_ports") {
            try fill(portsMap, with: ports)
        }
        return LoadedProgram(program: xdp, xsksMap: map, ports: ports, queues: queues)
    }

    /// Writes 1 for each port, with keys of 2 or 4 bytes and values of 1 to 8 bytes (little-endian).
    private func fill(_ map: BPFMap, with ports: [UInt16]) throws {
        guard map.keySize == 2 || map.keySize == 4, (1...8).contains(map.valueSize) else {
            throw StackError("validator_ports must have 2- or 4-byte keys (the UDP port) and a value of at most 8 bytes; "
                             + "it has \(map.keySize)-byte keys and \(map.valueSize)-byte values")
        }
        var one = [UInt8](repeating: 0, count: map.valueSize)
        one[0] = 1
        for port in ports {
            let key = map.keySize == 2 ? withUnsafeBytes(of: port) { Array($0) }
                                       : withUnsafeBytes(of: UInt32(port)) { Array($0) }
            try map.update(key: key, value: one)
        }
    }

    /// Tracepoint counters cover the whole run from the load on; without them the run goes on with a gap.
    private func startTracepoints(for program: BPFProgram) {
        do {
            tracepoints = try TracepointCounters(programID: try program.info().id,
                                                 workDirectory: configuration.workDirectory)
        } catch {
            gaps.append("tracepoints unavailable: \(error)")
        }
    }

    private func createSockets() throws {
        guard sockets.isEmpty else { throw StackError("createSockets: the sockets exist already") }
        let queues = Array(Set(configuration.socketQueues)).sorted()
        do {
            for queue in queues {
                let socket = try NetworkNamespace.run(configuration.namespace) {
                    try XSKSocket(interface: configuration.interface, queue: queue, options: configuration.socketOptions)
                }
                sockets.append(socket)
                socket.startPolling(refill: configuration.refillFillRing, loadCounts: loadCounts) { [weak self] batch in
                    self?.record(batch)
                }
            }
        } catch {
            sockets.forEach { $0.close() }
            sockets.removeAll()
            throw error
        }
    }

    private func register() throws {
        guard !loaded.isEmpty else { throw StackError("register: load the program first (xsks_map does not exist yet)") }
        guard !sockets.isEmpty else { throw StackError("register: create the sockets first") }
        for socket in sockets {
            guard let owner = loaded.first(where: { $0.serves(queue: socket.queue) }) else { continue }
            try owner.xsksMap.update(key: UInt32(socket.queue), value: UInt32(bitPattern: socket.fd))
        }
    }

    /// Attaches each loaded program in turn. The first never replaces anything; each later one replaces the
    /// previous (ours, checked), the way independent loaders with plain netlink attaches do.
    private func attach() throws {
        guard !loaded.isEmpty else { throw StackError("attach: load the program first") }
        guard attachment == nil else { throw StackError("attach: the program is attached already") }
        var previous: LoadedProgram?
        for instance in loaded {
            if let current = attachment, let replaced = previous {
                attachment = try current.replace(with: instance.program)
                replacements.append(ProgramReplacement(
                    replaced: try replaced.label(), replacedBy: try instance.label(),
                    orphanedPorts: replaced.ports.filter { !instance.ports.contains($0) }))
            } else {
                attachment = try XDPAttachment.attach(instance.program, namespace: configuration.namespace,
                                                      interface: configuration.interface, mode: configuration.attachMode)
            }
            previous = instance
        }
    }

    // MARK: results

    private func record(_ batch: [ReceivedFrame]) {
        framesLock.withLock {
            for frame in batch {
                if frameChunks.last.map({ $0.count == Self.chunkCapacity }) ?? true {
                    var chunk = [ReceivedFrame]()
                    chunk.reserveCapacity(Self.chunkCapacity)
                    frameChunks.append(chunk)
                }
                frameChunks[frameChunks.count - 1].append(frame)
            }
        }
    }

    /// Every frame the sockets received so far, in arrival order per queue.
    public func receivedPackets() -> [ReceivedFrame] {
        framesLock.withLock { Array(frameChunks.joined()) }
    }

    /// The id and label of the program left running once every loader has attached ("port_redirect (id 41)"): the
    /// one whose verdicts count. nil before `load`.
    public var effectiveProgram: (id: UInt32, label: String)? {
        lock.withLock {
            guard let program = loaded.last?.program, let id = try? program.info().id else { return nil }
            return (id, "\(program.name) (id \(id))")
        }
    }

    /// Load-phase frames the sockets read so far, per load template (`LoadTag`), for templates 0..<templates.
    public func loadArrivals(templates: Int) -> [Int] {
        loadCounts.snapshot(templates: templates)
    }

    /// What the kernel reports right now; after `shutdown()`, what it reported at shutdown.
    /// Never throws: anything unreadable becomes a gap.
    public func evidence() -> KernelEvidence {
        lock.lock()
        defer { lock.unlock() }
        return finalEvidence ?? readEvidence()
    }

    private func readEvidence() -> KernelEvidence {
        var evidence = KernelEvidence(gaps: gaps, replacements: replacements)
        evidence.addTracepoints(tracepoints, missing: "the program was never loaded")
        for socket in sockets {
            do { evidence.sockets[socket.queue] = try socket.statistics() } catch {
                evidence.gaps.append("\(error)")
            }
        }
        evidence.addQueueCounters(&counters, namespace: configuration.namespace, interface: configuration.interface)
        return evidence
    }

    /// Stops the pollers, detaches our program (only if it is still ours), records the final evidence, closes
    /// the sockets and frees the UMEMs, detaches the tracepoints and unloads everything. Idempotent.
    /// `leavingAttached` (`xdplab run --keep`) leaves the program attached to the interface, where the kernel keeps
    /// it after this process exits; the sockets still close, and closing a socket empties its `xsks_map` slot.
    public func shutdown(leavingAttached: Bool = false) {
        lock.lock()
        defer { lock.unlock() }
        guard finalEvidence == nil else { return }
        if !leavingAttached, let problem = attachment?.detach() { gaps.append("detach: \(problem)") }
        attachment = nil
        let final = readEvidence()
        sockets.forEach { $0.close() }
        sockets.removeAll()
        tracepoints?.detach()
        tracepoints = nil
        counters = nil
        loaded.removeAll()
        finalEvidence = final
    }
}

/// One loaded instance of the program under test and the sockets it serves.
private struct LoadedProgram {
    let program: BPFProgram
    let xsksMap: BPFMap
    let ports: [UInt16]
    /// nil: every socket (the shared layout).
    let queues: [Int]?

    func serves(queue: Int) -> Bool { queues?.contains(queue) ?? true }

    /// "port_redirect (id 41) of the socket on queue 0"
    func label() throws -> String {
        let id = try program.info().id
        let owner = queues.map { "of the socket on queue \($0.map(String.init).joined(separator: ", "))" } ?? "shared by all sockets"
        return "\(program.name) (id \(id)) \(owner)"
    }
}
