import Foundation
import Glibc
import Realization

/// Tears the lab down on SIGINT and SIGTERM. Deleting a run's namespaces removes everything it created
/// (links, XDP and tc programs, addresses); sockets still open in this process die with it on exit.
public enum Interruption {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var active: [String: RealizedLab] = [:]
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []
    nonisolated(unsafe) private static var cleanups: [@Sendable () -> Void] = []

    /// Also runs `body` on SIGINT/SIGTERM before the labs are torn down (a guest's qemu is ended there).
    public static func onInterrupt(_ body: @escaping @Sendable () -> Void) { lock.withLock { cleanups.append(body) } }

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

    static func register(_ lab: RealizedLab) { lock.withLock { active[lab.run] = lab } }
    static func unregister(_ lab: RealizedLab) { _ = lock.withLock { active.removeValue(forKey: lab.run) } }

    private static func tearDownAndExit(signal signo: Int32, status: Int32) {
        let labs = lock.withLock { Array(active.values) }
        let name = signo == SIGINT ? "SIGINT" : "SIGTERM"
        for cleanup in lock.withLock({ cleanups }) { cleanup() }
        FileHandle.standardError.write(Data("\nxdplab: \(name): tearing down \(labs.count) lab(s)…\n".utf8))
        for lab in labs {
            let namespaces = lab.createdNamespaces
            let problems = lab.teardown()
            FileHandle.standardError.write(Data("xdplab: removed \(namespaces.joined(separator: ", "))\n".utf8))
            for problem in problems { FileHandle.standardError.write(Data("xdplab: clean-up problem: \(problem)\n".utf8)) }
        }
        exit(status)
    }
}
