import Foundation
import Glibc
import Synchronization
import Realization
import SystemSupport

/// Tears the lab down on SIGINT and SIGTERM, after letting the run write the reports of what it got to (a CI job
/// that times out still shows what finished and which lab it stopped in). Deleting a run's namespaces removes
/// everything it created (links, XDP and tc programs, addresses); sockets still open in this process die with it
/// on exit. The exit status is 130 for SIGINT and 143 for SIGTERM.
public enum Interruption {
    /// How long the reports may take before the tear-down goes ahead without them.
    public static let reportDeadline: Double = 3

    private enum Phase {
        /// Labs are running: a signal writes the interrupted reports, tears down and exits.
        case running
        /// A signal is being handled; the run must not end on its own meanwhile.
        case interrupted
        /// The run is writing its own reports and ends next: a signal changes nothing any more.
        case finishing
    }

    private struct State {
        var active: [String: RealizedLab] = [:]
        var sources: [DispatchSourceSignal] = []
        var reports: (@Sendable (_ signal: String) -> Void)?
        var phase = Phase.running
        /// Run before the reports, with the signal (`xdplab run --jobs` passes it on to its child runs and waits).
        var hooks: [@Sendable (Int32) -> Void] = []
        /// Runs whose namespaces may be coming up right now, before there is a `RealizedLab` to tear down.
        var starting: Set<String> = []
    }
    private static let state = Mutex(State())

    /// Installs the handlers once; safe to call repeatedly.
    public static func install() {
        state.withLock { state in
            guard state.sources.isEmpty else { return }
            for (signo, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
                signal(signo, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
                source.setEventHandler { interrupt(signal: signo, status: status) }
                source.resume()
                state.sources.append(source)
            }
        }
    }

    /// Registers what writes the run's reports when a signal stops it (`xdplab run` does): it gets "SIGINT" or
    /// "SIGTERM", runs before the tear-down, and is given `reportDeadline` seconds.
    public static func onInterrupt(writeReports: @escaping @Sendable (_ signal: String) -> Void) {
        state.withLock { $0.reports = writeReports }
    }

    /// Runs the end of a run that was not interrupted (its own reports and summary). A signal that arrived before
    /// is being handled: then this never returns, and the handler exits with the signal's status.
    public static func finishing(_ body: () throws -> Void) rethrows {
        let interrupted = state.withLock {
            if $0.phase == .running { $0.phase = .finishing }
            return $0.phase == .interrupted
        }
        if interrupted { DispatchSemaphore(value: 0).wait() }
        try body()
    }

    /// Between labs, and between a matrix's kernels: once a signal is being handled nothing new may start (the
    /// handler writes the reports and exits), so the caller waits here for that exit.
    public static func parkIfInterrupted() {
        if state.withLock({ $0.phase == .interrupted }) { DispatchSemaphore(value: 0).wait() }
    }

    /// Runs `hook` with the signal first, before the reports and the tear-down.
    public static func onSignal(_ hook: @escaping @Sendable (Int32) -> Void) { state.withLock { $0.hooks.append(hook) } }

    static func register(_ lab: RealizedLab) {
        state.withLock {
            $0.active[lab.run] = lab
            $0.starting.remove(lab.run)
        }
    }
    static func unregister(_ lab: RealizedLab) { _ = state.withLock { $0.active.removeValue(forKey: lab.run) } }
    /// A run about to create its namespaces: a signal meanwhile deletes whatever of them exists.
    static func registerStarting(run: String) { _ = state.withLock { $0.starting.insert(run) } }
    static func unregisterStarting(run: String) { _ = state.withLock { $0.starting.remove(run) } }

    private static func interrupt(signal signo: Int32, status: Int32) {
        let (proceed, hook) = state.withLock {
            guard $0.phase == .running else { return (false, nil as (@Sendable (String) -> Void)?) }
            $0.phase = .interrupted
            return (true, $0.reports)
        }
        guard proceed else { return }
        for hook in state.withLock({ $0.hooks }) { hook(signo) }
        let name = signo == SIGINT ? "SIGINT" : "SIGTERM"
        let count = state.withLock { $0.active.count }
        FileHandle.standardError.write(Data("\nxdplab: \(name): \(hook == nil ? "" : "writing the reports, then ")tearing down \(count) lab(s)…\n".utf8))
        if let hook {
            let written = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                hook(name)
                written.signal()
            }
            if written.wait(timeout: .now() + reportDeadline) == .timedOut {
                FileHandle.standardError.write(Data("xdplab: \(name): the reports took longer than \(reportDeadline)s; tearing down without them\n".utf8))
            }
        }
        for run in state.withLock({ $0.starting }) {
            for name in Ownership.existingNamespaces() where Ownership.runID(ofNamespace: name) == run {
                NamespaceMembers.end(in: name, grace: 0.5)
                _ = try? Cleaner.deleteNamespace(name)
                FileHandle.standardError.write(Data("xdplab: removed \(name) (still being set up)\n".utf8))
            }
            Ownership.removeRecord(run: run)
        }
        let labs = state.withLock { Array($0.active.values) }
        for lab in labs {
            let namespaces = lab.createdNamespaces
            let problems = lab.teardown()
            FileHandle.standardError.write(Data("xdplab: removed \(namespaces.joined(separator: ", "))\n".utf8))
            for problem in problems { FileHandle.standardError.write(Data("xdplab: clean-up problem: \(problem)\n".utf8)) }
        }
        exit(status)
    }
}
