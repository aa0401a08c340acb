import Foundation
import CLibBPF
import BPFSupport
import Evidence
import Realization

/// The AF_XDP stack under test, deployed for real: the lab's XDP program with its `xsks_map`, one AF_XDP
/// socket per chosen RX queue and a poller draining each, plus the kernel evidence around it (tracepoint
/// counters of the program, socket statistics, per-queue driver counters).
///
/// Steps come in whatever order the lab asks (`perform`), so that wrong orders can be played too;
/// `shutdown()` releases whatever exists, whichever steps ran or failed.
public final class AFXDPStack: @unchecked Sendable {
    public let configuration: StackConfiguration

    /// Guards everything the steps create. Frames have a lock of their own so pollers never wait for a step.
    private let lock = NSLock()
    /// The program under test; it keeps its object (and so `xsks_map`) loaded.
    private var program: BPFProgram?
    private var xsksMap: BPFMap?
    private var sockets: [XSKSocket] = []
    private var attachment: XDPAttachment?
    private var tracepoints: TracepointCounters?
    private var counters: QueueCounters?
    private var gaps: [String] = []
    private var finalEvidence: KernelEvidence?

    private let framesLock = NSLock()
    private var frames: [ReceivedFrame] = []

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
        guard program == nil else { throw StackError("load: the program is already loaded") }
        let opened = try BPFObject(path: configuration.objectPath)
        guard let xdp = opened.xdpProgram else {
            throw StackError("\(opened.fileName) has no XDP program (section \"xdp\")")
        }
        guard let map = opened.map(named: "xsks_map"), map.type == BPF_MAP_TYPE_XSKMAP else {
            throw StackError("\(opened.fileName): an XDP program for xdplab needs a BPF_MAP_TYPE_XSKMAP named xsks_map")
        }
        try opened.load()
        if let ports = opened.map(named: "validator_ports") {
            try fill(ports, with: configuration.ports)
        }
        program = xdp
        xsksMap = map
        startTracepoints(for: xdp)
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
            tracepoints = try TracepointCounters(targetProgramID: try program.info().id,
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
                    try XSKSocket(interface: configuration.interface, queue: queue, configuration: configuration)
                }
                sockets.append(socket)
                socket.startPolling(refill: configuration.refillFillRing) { [weak self] frame in
                    self?.record(frame)
                }
            }
        } catch {
            sockets.forEach { $0.close() }
            sockets.removeAll()
            throw error
        }
    }

    private func register() throws {
        guard let xsksMap else { throw StackError("register: load the program first (xsks_map does not exist yet)") }
        guard !sockets.isEmpty else { throw StackError("register: create the sockets first") }
        for socket in sockets {
            try xsksMap.update(key: UInt32(socket.queue), value: UInt32(bitPattern: socket.fd))
        }
    }

    private func attach() throws {
        guard let program else { throw StackError("attach: load the program first") }
        guard attachment == nil else { throw StackError("attach: the program is attached already") }
        attachment = try XDPAttachment.attach(program, namespace: configuration.namespace,
                                              interface: configuration.interface, mode: configuration.attachMode)
    }

    // MARK: results

    private func record(_ frame: ReceivedFrame) {
        framesLock.withLock { frames.append(frame) }
    }

    /// Every frame the sockets received so far, in arrival order per queue.
    public func receivedPackets() -> [ReceivedFrame] {
        framesLock.withLock { frames }
    }

    /// What the kernel reports right now; after `shutdown()`, what it reported at shutdown.
    /// Never throws: anything unreadable becomes a gap.
    public func evidence() -> KernelEvidence {
        lock.lock()
        defer { lock.unlock() }
        return finalEvidence ?? readEvidence()
    }

    private func readEvidence() -> KernelEvidence {
        var evidence = KernelEvidence(gaps: gaps)
        if let tracepoints {
            do {
                (evidence.exceptions, evidence.redirectErrors) = try tracepoints.read()
                evidence.tracepointsAttached = true
            } catch {
                evidence.gaps.append("tracepoint counters unreadable: \(error)")
            }
        } else if gaps.isEmpty {
            evidence.gaps.append("tracepoints not attached: the program was never loaded")
        }
        for socket in sockets {
            do { evidence.sockets[socket.queue] = try socket.statistics() } catch {
                evidence.gaps.append("\(error)")
            }
        }
        do {
            if counters == nil {
                counters = try NetworkNamespace.run(configuration.namespace) {
                    try QueueCounters(interface: configuration.interface)
                }
            }
            evidence.queueCounters = try counters!.read()
        } catch {
            evidence.gaps.append("per-queue counters unavailable: \(error)")
        }
        return evidence
    }

    /// Stops the pollers, detaches our program (only if it is still ours), records the final evidence, closes
    /// the sockets and frees the UMEMs, detaches the tracepoints and unloads everything. Idempotent.
    public func shutdown() {
        lock.lock()
        defer { lock.unlock() }
        guard finalEvidence == nil else { return }
        if let problem = attachment?.detach() { gaps.append("detach: \(problem)") }
        attachment = nil
        let final = readEvidence()
        sockets.forEach { $0.close() }
        sockets.removeAll()
        tracepoints?.detach()
        tracepoints = nil
        counters = nil
        xsksMap = nil
        program = nil
        finalEvidence = final
    }
}
