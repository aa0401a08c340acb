import Foundation
import Glibc
import Realization

/// Tears the lab down on SIGINT and SIGTERM. Deleting a run's namespaces removes everything it created
/// (links, XDP and tc programs, addresses); sockets still open in this process die with it on exit.
public enum Interruption {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var active: [String: RealizedLab] = [:]
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    nonisolated(unsafe) private static var hooks: [@Sendable (Int32) -> Void] = []
    /// Runs whose namespaces may be coming up right now, before there is a `RealizedLab` to tear down.
    nonisolated(unsafe) private static var starting: Set<String> = []

    /// Installs the handlers once; safe to call repeatedly.
    public static func install() {
        lock.withLock {
            guard sources.isEmpty else { return }
            for (signo, status) in [(SIGINT, Int32(130)), (SIGTERM, Int32(143))] {
                signal(signo, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
                source.setEventHandler { tearDownAndExit(signal: signo, status: status) }
                source.resume()
                sources.append(source)
            }
        }
    }

    /// Runs `hook` with the signal before the labs are torn down (e.g. to pass it on to child processes).
    public static func onInterrupt(_ hook: @escaping @Sendable (Int32) -> Void) { lock.withLock { hooks.append(hook) } }

    static func register(_ lab: RealizedLab) { lock.withLock { active[lab.run] = lab; starting.remove(lab.run) } }
    static func unregister(_ lab: RealizedLab) { _ = lock.withLock { active.removeValue(forKey: lab.run) } }
    /// A run about to create its namespaces: a signal meanwhile deletes whatever of them exists.
    static func registerStarting(run: String) { _ = lock.withLock { starting.insert(run) } }
    static func unregisterStarting(run: String) { _ = lock.withLock { starting.remove(run) } }

    private static func tearDownAndExit(signal signo: Int32, status: Int32) {
        for hook in lock.withLock({ hooks }) { hook(signo) }
        let labs = lock.withLock { Array(active.values) }
        let name = signo == SIGINT ? "SIGINT" : "SIGTERM"
        FileHandle.standardError.write(Data("\nxdplab: \(name): tearing down \(labs.count) lab(s)…\n".utf8))
        for run in lock.withLock({ starting }) {
            for name in Ownership.existingNamespaces() where Ownership.runID(ofNamespace: name) == run {
                NamespaceMembers.end(in: name, grace: 0.5)
                _ = try? Cleaner.deleteNamespace(name)
                FileHandle.standardError.write(Data("xdplab: removed \(name) (still being set up)\n".utf8))
            }
            Ownership.removeRecord(run: run)
        }
        for lab in labs {
            let namespaces = lab.createdNamespaces
            let problems = lab.teardown()
            FileHandle.standardError.write(Data("xdplab: removed \(namespaces.joined(separator: ", "))\n".utf8))
            for problem in problems { FileHandle.standardError.write(Data("xdplab: clean-up problem: \(problem)\n".utf8)) }
        }
        exit(status)
    }
}
