import Foundation
import Sequencing
import LabModel
import Realization
import SystemSupport
import BPFSupport
import AFXDPStack
import Evidence
import ProgramCheck
import KernelObservation

/// A recovery drill around one lab run: the watchdog runs from before traffic, the break comes at its time while
/// traffic flows, every change of the interface's XDP program is timed, and at the end the watchdog is ended and
/// (when the break is still in place) the manual recovery script is tried.
final class RecoveryDrill: @unchecked Sendable {
    // @unchecked: the break's outcome and the watch are guarded by `lock`; the watchdog process is set before the
    // break thread starts and read after it ends.
    let spec: RecoverySpec
    let lab: Lab
    let namespace: String
    let runDirectory: String
    let stack: DeployedStack
    let progress: Progress
    private let breakObject: String?
    private var watchdog: NamespaceProcess?
    private var watch: InterfaceWatch?
    private let lock = NSLock()
    private var broken: NetworkBreak?
    private var breakAction = "not yet"
    private var breakError: String?
    private var breakAt: Double?
    private var origin = 0.0
    private let breakDone = DispatchSemaphore(value: 0)
    private var armed = false

    /// Compiles the break program and starts the watchdog, before traffic, as production runs it.
    init(_ spec: RecoverySpec, lab: Lab, realized: RealizedLab, object: String?, stack: DeployedStack,
         runDirectory: String, progress: Progress) throws {
        self.spec = spec
        self.lab = lab
        self.namespace = realized.namespace(of: lab.stack.host)
        self.runDirectory = runDirectory
        self.stack = stack
        self.progress = progress
        breakObject = try spec.breakProgram.map { try BPFCompiler.object(for: $0, outputDirectory: "\(runDirectory)/objects") }
        if let command = spec.watchdog {
            let values = LabPlan.placeholders(lab, namespace: namespace, object: object)
            var environment = values.environment
            environment["XDPLAB_RUN"] = realized.run
            if case .command(let commandStack) = stack, let pid = commandStack.pid { environment["XDPLAB_STACK_PID"] = "\(pid)" }
            watchdog = try NamespaceProcess.start(namespace: namespace, arguments: command.map { values.expand($0) },
                                                  environment: environment, workingDirectory: spec.workingDirectory,
                                                  logPath: "\(runDirectory)/watchdog.log")
            progress("recovery: watchdog pid \(watchdog!.pid) running, output → \(runDirectory)/watchdog.log")
        }
    }

    /// Starts timing the interface and schedules the break `spec.breakAt` after `origin` (CLOCK_MONOTONIC seconds).
    func arm(origin: Double) {
        self.origin = origin
        let watch = InterfaceWatch(namespace: namespace, interface: lab.stack.interface)
        watch.start()
        lock.withLock { self.watch = watch; armed = true }
        let thread = Thread { [self] in
            let delay = origin + spec.breakAt - monotonicSeconds()
            if delay > 0 { usleep(useconds_t(delay * 1e6)) }
            performBreak()
            breakDone.signal()
        }
        thread.name = "xdplab recovery break"
        thread.start()
        progress("recovery: the network breaks \(LabDuration.format(spec.breakAt)) into the traffic (\(spec.breakBy.rawValue))")
    }

    private func performBreak() {
        let at = monotonicSeconds() - origin
        do {
            switch spec.breakBy {
            case .attach:
                guard let breakObject else { throw StackError("no program to break with") }
                let made = try NetworkBreak.attach(objectPath: breakObject, namespace: namespace, interface: lab.stack.interface)
                let action = "attached \(made.attached.name) (id \(made.attached.id))"
                    + (made.replaced.map { " in place of \($0.name) (id \($0.id))" } ?? "")
                lock.withLock { broken = made; breakAction = action; breakAt = at }
            case .stackExit:
                guard case .command(let commandStack) = stack, let pid = commandStack.kill() else {
                    throw StackError("the command stack was not running")
                }
                lock.withLock { breakAction = "killed the stack's process group (pid \(pid)) with SIGKILL"; breakAt = at }
            }
            progress("recovery: broke the network at \(DurationText.seconds(at, digits: 2, fixed: true)): \(lock.withLock { breakAction })")
        } catch {
            lock.withLock { breakError = "\(error)"; breakAt = at }
            progress("recovery: could not break the network: \(error)")
        }
    }

    /// After traffic: waits for the break (bounded), stops timing, ends the watchdog, tries the on-failure script
    /// when the break is still in place, and says what happened.
    func finish() -> RecoveryRecord {
        if lock.withLock({ armed }) { _ = breakDone.wait(timeout: .now() + 5) }
        let changes = lock.withLock { watch }?.stop() ?? []
        let breakID = lock.withLock { broken?.attached.id }
        let final = try? AttachedPrograms.xdp(namespace: namespace, interface: lab.stack.interface)
        let stillBroken = breakID != nil && final?.id == breakID
        var record = RecoveryRecord(
            breakAt: lock.withLock { breakAt } ?? spec.breakAt, breakAction: lock.withLock { breakAction },
            breakError: lock.withLock { breakError }, restoreWithin: spec.restoreWithin,
            interfaceChanges: changes.map { change in
                InterfaceChange(at: change.at - origin, program: Self.label(change.program),
                                byBreak: breakID != nil && change.program?.id == breakID)
            },
            finalProgram: Self.label(final), breakStillAttached: stillBroken)
        record.watchdog = endWatchdog()
        if stillBroken, let onFailure = spec.onFailure { record.onFailure = runOnFailure(onFailure) }
        return record
    }

    /// Ends the watchdog (SIGTERM, 2 s, SIGKILL) and says how it ended, if it ended by itself first.
    private func endWatchdog() -> StackProcessRecord? {
        guard let watchdog, let command = spec.watchdog else { return nil }
        let ownExit = watchdog.exit
        watchdog.terminate(grace: 2)
        var record = StackProcessRecord(command: command, pid: watchdog.pid, logPath: watchdog.logPath)
        if let ownExit {
            record.exit = ownExit.text
            record.exitedAt = ownExit.at - origin
        }
        record.logTail = watchdog.logTail(CommandStack.tailLines)
        return record
    }

    /// Runs the manual recovery script in the stack's namespace (at most 30 s) and says whether the interface was
    /// rid of the break afterwards.
    private func runOnFailure(_ command: [String]) -> String {
        let values = LabPlan.placeholders(lab, namespace: namespace, object: nil)
        do {
            let process = try NamespaceProcess.start(namespace: namespace, arguments: command.map { values.expand($0) },
                                                     environment: values.environment, workingDirectory: spec.workingDirectory,
                                                     logPath: "\(runDirectory)/on-failure.log")
            let ended = process.waitForExit(timeout: 30) ?? process.terminate(grace: 1)
            let after = try? AttachedPrograms.xdp(namespace: namespace, interface: lab.stack.interface)
            let breakID = lock.withLock { broken?.attached.id }
            let worked = after?.id != breakID
            return "\(command.joined(separator: " ")) \(ended?.text ?? "did not end in 30s"); afterwards the interface "
                + "runs \(Self.label(after)): " + (worked ? "it would have restored the network" : "it would not have helped")
        } catch {
            return "could not run \(command.joined(separator: " ")): \(error)"
        }
    }

    /// Stops everything the drill started, whatever state it is in (a failed run).
    func abort() {
        _ = lock.withLock { watch }?.stop()
        watchdog?.terminate(grace: 0.5)
    }

    /// "drop_all (id 52)", "none".
    static func label(_ program: AttachedProgram?) -> String {
        program.map { "\($0.name) (id \($0.id))" } ?? "none"
    }
}
