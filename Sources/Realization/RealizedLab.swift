import Foundation
import SystemSupport
import Synchronization

/// A lab that exists in the kernel: its namespaces, links and addresses. Owns them until `teardown()`.
public final class RealizedLab: Sendable {
    public let run: String
    public let plan: TopologyPlan
    private struct State {
        var namespaces: [String: String] = [:]   // host → namespace
        var netdevsims: [UInt32] = []
        var torn = false
    }
    private let state = Mutex(State())

    init(run: String, plan: TopologyPlan) {
        self.run = run
        self.plan = plan
    }

    public func namespace(of host: String) -> String {
        Ownership.namespaceName(run: run, host: host)
    }

    public var createdNamespaces: [String] { state.withLock { Array($0.namespaces.values).sorted() } }

    func recordNamespace(host: String, name: String) {
        state.withLock { $0.namespaces[host] = name }
    }

    func recordNetdevsim(_ id: UInt32) {
        state.withLock { $0.netdevsims.append(id) }
    }

    /// MAC address of an interface in a host's namespace.
    public func mac(host: String, interface: String) throws -> [UInt8] {
        try RouteNetlink.mac(of: interface, in: namespace(of: host))
    }

    /// Ends every process still inside the run's namespaces, deletes its netdevsim devices (before the
    /// namespaces, which would hand their ports back to the machine's namespace), then the namespaces (which
    /// removes veth links, XDP and tc programs with them). Idempotent.
    @discardableResult
    public func teardown() -> [String] {
        let (names, netdevsims): ([String], [UInt32]) = state.withLock {
            if $0.torn { return ([], []) }
            $0.torn = true
            return (Array($0.namespaces.values), $0.netdevsims)
        }
        var problems: [String] = []
        for id in netdevsims {
            do { try Netdevsim.delete(id: id) } catch { problems.append("\(error)") }
        }
        for name in names.sorted() {
            let ended = NamespaceMembers.end(in: name)
            if !NamespaceMembers.pids(in: name).isEmpty {
                problems.append("processes \(ended.map(String.init).joined(separator: ", ")) in \(name) would not end")
            }
            do { try Cleaner.deleteNamespace(name) } catch { problems.append("\(error)") }
        }
        Ownership.removeRecord(run: run)
        return problems
    }
}
