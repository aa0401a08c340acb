import Foundation
import Glibc
import XDPShim
import BPFSupport
import Evidence
import SystemSupport
import KernelObservation
import Sequencing

/// What a command stack needs, in plain values.
public struct CommandStackConfiguration: Sendable {
    public var namespace: String
    public var interface: String
    /// Placeholders already expanded; the first is the executable.
    public var arguments: [String]
    /// Added to xdplab's own environment (`XDPLAB_*`).
    public var environment: [String: String]
    public var workingDirectory: String
    /// Its standard output and error.
    public var logPath: String
    /// RX queues on which it must hold a bound AF_XDP socket to count as ready.
    public var socketQueues: [Int]
    /// Seconds it may take to come up.
    public var readyTimeout: Double
    /// Where the tracepoint program is compiled.
    public var workDirectory: String
    /// Seconds between SIGTERM and SIGKILL at the end.
    public var grace: Double

    public init(namespace: String, interface: String, arguments: [String], environment: [String: String],
                workingDirectory: String, logPath: String, socketQueues: [Int], readyTimeout: Double,
                workDirectory: String, grace: Double = 3) {
        self.namespace = namespace
        self.interface = interface
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.logPath = logPath
        self.socketQueues = socketQueues
        self.readyTimeout = readyTimeout
        self.workDirectory = workDirectory
        self.grace = grace
    }
}

/// The team's own AF_XDP binary, run in the stack's namespace and watched through the kernel only: which XDP
/// program is attached (netlink), which sockets are bound where and what they dropped (XDP_DIAG), what the
/// program's redirects did (tracepoints on its id), and whether the process is still there.
public final class CommandStack: @unchecked Sendable {
    // @unchecked: everything mutable is guarded by `lock`; the watcher thread touches the kernel, then records under
    // `lock`.
    public let configuration: CommandStackConfiguration
    private let lock = NSLock()
    private var process: NamespaceProcess?
    private var tracepoints: TracepointCounters?
    private var counters: QueueCounters?
    private var program: AttachedProgram?
    /// CLOCK_MONOTONIC seconds of each change of the attached program.
    private var replacements: [(at: Double, replaced: String, replacedBy: String)] = []
    /// CLOCK_MONOTONIC seconds at which each queue first had a bound socket.
    private var firstBound: [Int: Double] = [:]
    private var socketStatistics: [Int: SocketStatistics] = [:]
    private var gaps: [String] = []
    private var watcher: Thread?
    private var watching = false
    /// CLOCK_MONOTONIC seconds at the start of traffic; replacement times count from it.
    private var origin = 0.0
    private var finalEvidence: KernelEvidence?
    private var fexitProbe: String?

    public init(configuration: CommandStackConfiguration) {
        self.configuration = configuration
    }

    deinit { shutdown() }

    /// Starts the command and waits until the kernel shows it ready: an XDP program attached to the interface and,
    /// unless `requireSockets` is false, a bound socket on every listed queue. Throws `StackNotReady` (with the log
    /// tail) when it exits first or the time runs out. Returns the attached program. Programs that replace one
    /// another meanwhile are recorded, so polling is fast: a start-up swap can take milliseconds.
    @discardableResult
    public func start(requireSockets: Bool = true, progress: (String) -> Void) throws -> AttachedProgram {
        let started = try NamespaceProcess.start(namespace: configuration.namespace, arguments: configuration.arguments,
                                                 environment: configuration.environment,
                                                 workingDirectory: configuration.workingDirectory,
                                                 logPath: configuration.logPath)
        lock.withLock { process = started }
        progress("command: pid \(started.pid) in \(configuration.namespace), output → \(configuration.logPath)")
        let deadline = monotonicSeconds() + configuration.readyTimeout
        while true {
            let last = try readiness()
            note(last, at: monotonicSeconds())
            if let program = last.program, !requireSockets || Set(configuration.socketQueues).isSubset(of: last.queues) {
                noteUnattachedPrograms(besides: program, at: monotonicSeconds())
                return program
            }
            if let exit = started.exit {
                throw StackNotReady(reason: "the command \(exit.text) before it was ready", readiness: last,
                                    logTail: started.logTail(Self.tailLines), logPath: configuration.logPath)
            }
            if monotonicSeconds() > deadline {
                throw StackNotReady(reason: "not ready after \(DurationText.seconds(configuration.readyTimeout, digits: 1))",
                                    readiness: last, logTail: started.logTail(Self.tailLines), logPath: configuration.logPath)
            }
            usleep(5_000)
        }
    }

    public static let tailLines = 15

    /// What the kernel shows of the stack right now.
    struct Readiness {
        var program: AttachedProgram?
        var queues: Set<Int>
    }

    private func readiness() throws -> Readiness {
        let program = try AttachedPrograms.xdp(namespace: configuration.namespace, interface: configuration.interface)
        let sockets = try ObservedSockets.bound(to: configuration.interface, namespace: configuration.namespace)
        return Readiness(program: program, queues: Set(sockets.map(\.queue)))
    }

    /// Counts the program's tracepoint events (successful redirects included) from now on, and watches every
    /// `interval` seconds for another program taking its place, for its sockets' statistics and for the process
    /// ending. `origin` (CLOCK_MONOTONIC seconds) is the start of traffic, which replacement times are counted from.
    public func watch(origin: Double, interval: Double = 0.05) {
        lock.lock()
        defer { lock.unlock() }
        guard let program, watcher == nil else { return }
        self.origin = origin
        do {
            tracepoints = try TracepointCounters(programID: program.id, workDirectory: configuration.workDirectory,
                                                 recordRedirects: true)
        } catch {
            gaps.append("tracepoints unavailable: \(error)")
        }
        let probe = xdpshim_fexit_probe(program.id)
        fexitProbe = probe == 0 ? "loads" : "refused: \(SystemError("", errno: -probe).description.dropFirst(2))"
        watching = true
        let thread = Thread { [weak self] in
            while let self, self.lock.withLock({ self.watching }) {
                self.look()
                usleep(useconds_t(interval * 1e6))
            }
        }
        thread.name = "xdplab command-stack watch"
        watcher = thread
        thread.start()
    }

    /// One look at the interface and the sockets.
    private func look() {
        let now = monotonicSeconds()
        let current = try? AttachedPrograms.xdp(namespace: configuration.namespace, interface: configuration.interface)
        let sockets = (try? ObservedSockets.bound(to: configuration.interface, namespace: configuration.namespace)) ?? []
        note(Readiness(program: current, queues: Set(sockets.map(\.queue))), at: now)
        var byQueue: [Int: SocketStatistics] = [:]
        for socket in sockets { if let statistics = socket.statistics { byQueue[socket.queue, default: .init()].add(statistics) } }
        // Sockets that closed keep their last statistics.
        lock.withLock { socketStatistics.merge(byQueue) { _, latest in latest } }
    }

    /// Records a program taking another's place (or the interface losing its program) and when each socket queue
    /// first had a bound socket; `at` is CLOCK_MONOTONIC seconds.
    private func note(_ seen: Readiness, at time: Double) {
        lock.withLock {
            for queue in seen.queues where firstBound[queue] == nil { firstBound[queue] = time }
            if let current = seen.program, current.id != program?.id {
                if program != nil || !replacements.isEmpty {
                    replacements.append((time, Self.label(program), Self.label(current)))
                }
                try? tracepoints?.watch(programID: current.id)
                program = current
            } else if seen.program == nil, let previous = program {
                replacements.append((time, Self.label(previous), "nothing (no XDP program on the interface)"))
                program = nil
            }
        }
    }

    /// XDP programs the stack's processes hold but that are not attached: a start-up swap too quick to be seen
    /// attached (a second loader replacing the first within milliseconds) still leaves the first program held.
    private func noteUnattachedPrograms(besides attached: AttachedProgram, at time: Double) {
        let held = HeldPrograms.xdp(heldBy: NamespaceMembers.pids(in: configuration.namespace))
        lock.withLock {
            for id in held where id != attached.id {
                let label = (try? BPFProgramInfo(id: id)).map { "\($0.name) (id \(id))" } ?? "program id \(id)"
                guard !replacements.contains(where: { $0.replaced.hasPrefix(label) }) else { continue }
                replacements.append((time, label + " (still held by the stack, no longer attached)", Self.label(attached)))
            }
        }
    }

    /// When the last of the listed queues first had a bound socket, in seconds since `origin`; nil when all of them
    /// had one before traffic began, infinity when one never did.
    /// A successful redirect to a queue proves its socket was bound (and registered) by then, which polling on a
    /// busy machine may notice late; so the first such event bounds each queue's time too.
    public func socketsBoundAt(origin: Double) -> Double? {
        var firstRedirect: [Int: Double] = [:]
        for event in redirectEvents() where firstRedirect[Int(event.mapIndex)] == nil {
            firstRedirect[Int(event.mapIndex)] = event.at
        }
        return lock.withLock {
            let times = configuration.socketQueues.map { queue in
                min(firstBound[queue] ?? .infinity, firstRedirect[queue] ?? .infinity)
            }
            guard let last = times.max(), last >= origin else { return nil }
            return last - origin
        }
    }

    /// Listed queues on which no socket was ever bound.
    public var queuesNeverBound: [Int] {
        lock.withLock { configuration.socketQueues.filter { firstBound[$0] == nil }.sorted() }
    }

    /// "example_redirect (id 41)".
    static func label(_ program: AttachedProgram?) -> String {
        guard let program else { return "nothing" }
        return "\(program.name) (id \(program.id))"
    }

    /// The program attached when the stack became ready, or the one that replaced it since.
    public var attachedProgram: AttachedProgram? { lock.withLock { program } }

    /// How the process ended, if it did.
    public var exit: ProcessExit? { lock.withLock { process }?.exit }

    public var pid: Int32? { lock.withLock { process }?.pid }

    /// The process as the report shows it; times counted from `origin`.
    public func processRecord(origin: Double) -> StackProcessRecord? {
        let (found, shutDown, exitedFirst) = lock.withLock { (process, finalEvidence != nil, exitedBeforeShutdown) }
        guard let process = found else { return nil }
        var record = StackProcessRecord(command: configuration.arguments, pid: process.pid, logPath: configuration.logPath)
        // After shutdown only an exit of its own counts; the SIGTERM that ended it at the end was xdplab's.
        if let exit = process.exit, !shutDown || exitedFirst {
            record.exitedAt = exit.at - origin
            record.exit = exit.text
            record.logTail = process.logTail(Self.tailLines)
        }
        return record
    }

    /// Set when the process was found gone at shutdown, before xdplab ended it.
    private var exitedBeforeShutdown = false

    /// Successful redirects recorded so far, in CLOCK_MONOTONIC seconds.
    public func redirectEvents() -> [RedirectEvent] {
        lock.withLock { (try? tracepoints?.redirectEventsSoFar()) ?? [] }
    }

    /// What the kernel reports right now; after `shutdown()`, what it reported then. Never throws.
    public func evidence() -> KernelEvidence {
        lock.lock()
        defer { lock.unlock() }
        return finalEvidence ?? readEvidence()
    }

    private func readEvidence() -> KernelEvidence {
        var evidence = KernelEvidence(gaps: gaps)
        evidence.socketArrivals = .redirectEventsByTime
        evidence.fexitProbe = fexitProbe
        evidence.replacements = replacements.map {
            ProgramReplacement(replaced: $0.replaced, replacedBy: $0.replacedBy, orphanedPorts: [], at: $0.at - origin)
        }
        evidence.addTracepoints(tracepoints, missing: "the stack never became ready")
        evidence.sockets = socketStatistics
        evidence.addQueueCounters(&counters, namespace: configuration.namespace, interface: configuration.interface)
        return evidence
    }

    /// SIGKILL to the whole process group, as a crash would end it (a recovery drill's `stack-exit`); its program
    /// stays attached. Returns the process id, nil when it was not running.
    @discardableResult
    public func kill() -> Int32? {
        guard let process = lock.withLock({ process }), process.exit == nil else { return nil }
        Glibc.kill(-process.pid, SIGKILL)
        return process.pid
    }

    /// Takes a last look, records the final evidence, then ends the process group (SIGTERM, `grace`, SIGKILL).
    /// Whatever it left attached goes with the namespace. Idempotent. `leavingRunning` (`xdplab run --keep`)
    /// stops watching but leaves the process running, with its program and sockets, until the lab is destroyed.
    public func shutdown(leavingRunning: Bool = false) {
        lock.lock()
        let wasWatching = watching
        watching = false
        lock.unlock()
        if wasWatching { look() }
        lock.lock()
        defer { lock.unlock() }
        guard finalEvidence == nil else { return }
        exitedBeforeShutdown = process?.exit != nil
        finalEvidence = readEvidence()
        if let process, !leavingRunning {
            lock.unlock()
            process.terminate(grace: configuration.grace)
            lock.lock()
        }
        tracepoints?.detach()
        counters = nil
    }
}

/// The command stack did not come up: why, what the kernel showed at the end, and the last lines it printed.
public struct StackNotReady: Error, CustomStringConvertible {
    public let reason: String
    let readiness: CommandStack.Readiness
    public let logTail: [String]
    public let logPath: String

    public var description: String {
        let program = readiness.program.map { "\($0.name) (id \($0.id))" } ?? "none"
        let queues = readiness.queues.isEmpty ? "none" : readiness.queues.sorted().map(String.init).joined(separator: ", ")
        var text = "\(reason): attached program: \(program); sockets on queues: \(queues)"
        if !logTail.isEmpty { text += "\nlast output (all of it in \(logPath)):\n" + logTail.map { "  | \($0)" }.joined(separator: "\n") }
        else { text += "\n(it printed nothing; \(logPath) is empty)" }
        return text
    }
}

extension SocketStatistics {
    /// Adds another socket's counters (several sockets may share a queue).
    mutating func add(_ other: SocketStatistics) {
        rxDropped += other.rxDropped
        rxInvalidDescs += other.rxInvalidDescs
        txInvalidDescs += other.txInvalidDescs
        rxRingFull += other.rxRingFull
        rxFillRingEmptyDescs += other.rxFillRingEmptyDescs
        txRingEmptyDescs += other.txRingEmptyDescs
    }
}
