import Foundation
import Glibc
import KernelObservation
import Realization
import SystemSupport
import XSKSockets

/// Where the matrix runs: a network namespace of the check's own with a veth pair of N queues and one real
/// AF_XDP socket per queue, so that `ingress_ifindex`/`rx_queue_index` name real RX queues and the
/// registered state holds real sockets. When the namespace or the sockets cannot be made, the check still
/// runs the empty state (in this namespace, on a device with enough RX queues) and says why in `notes`.
final class CheckEnvironment {
    static let interface = "check0"
    static let peerInterface = "check1"

    /// nil: the calling process's own namespace.
    let namespace: String?
    let interface: String
    let ifindex: Int32
    /// RX queues the matrix runs on: 0..<queues.
    let queues: Int
    private(set) var sockets: [IdleXSKSocket] = []
    private(set) var notes: [String] = []
    private let ownershipRun: String?
    private var torn = false

    private init(namespace: String?, interface: String, ifindex: Int32, queues: Int, ownershipRun: String?, notes: [String]) {
        self.namespace = namespace
        self.interface = interface
        self.ifindex = ifindex
        self.queues = queues
        self.ownershipRun = ownershipRun
        self.notes = notes
    }

    deinit { teardown() }

    /// Never throws: every failure degrades the check and becomes a note. `ifindex`: give the veth this
    /// index (a program may compare `ctx->ingress_ifindex` with its interface's); `sockets` false: none, for
    /// a check that only needs the device's queues.
    static func make(queues: Int, isolation: CheckOptions.Isolation, label: String, ifindex: Int32? = nil,
                     sockets: Bool = true) -> CheckEnvironment {
        var notes: [String] = []
        if case .ownNamespace(let requested) = isolation {
            let run = requested == nil ? Ownership.newRunID() : nil
            let name = requested ?? Ownership.namespaceName(run: run!, host: "check")
            do {
                let environment = try inNamespace(name, queues: queues, ownershipRun: run, label: label, ifindex: ifindex)
                if sockets { environment.openSockets() }
                return environment
            } catch {
                notes.append("no namespace of its own (\(error)); the registered state needs one, so only the empty state ran")
            }
        } else {
            notes.append("asked to run in this namespace: no AF_XDP sockets, so only the empty state ran")
        }
        return inCurrentNamespace(queues: queues, notes: notes)
    }

    private static func inNamespace(_ name: String, queues: Int, ownershipRun: String?, label: String,
                                    ifindex wanted: Int32?) throws -> CheckEnvironment {
        if let ownershipRun { try Ownership.writeRecord(run: ownershipRun, lab: label, namespaces: [name]) }
        do {
            try Command.checked("ip", ["netns", "add", name])
        } catch {
            if let ownershipRun { Ownership.removeRecord(run: ownershipRun) }
            throw error
        }
        do {
            let q = String(queues)
            let alias = Ownership.linkAlias(run: ownershipRun ?? name)
            func script(index: Int32?) -> String {
                """
                link add \(interface)\(index.map { " index \($0)" } ?? "") numtxqueues \(q) numrxqueues \(q) type veth peer name \(peerInterface) numtxqueues \(q) numrxqueues \(q)
                link set dev \(interface) alias \(alias)
                link set dev \(peerInterface) alias \(alias)
                link set dev \(interface) up
                link set dev \(peerInterface) up

                """
            }
            var notes: [String] = []
            // A fresh namespace holds only lo (ifindex 1), so any other index is free.
            if let wanted, wanted > 1 {
                do {
                    try Command.checked("ip", ["-n", name, "-batch", "-"], input: script(index: wanted))
                } catch {
                    notes.append("could not give \(interface) ifindex \(wanted) (\(error)); it has another")
                    _ = try? Command.run("ip", ["-n", name, "link", "del", interface])
                    try Command.checked("ip", ["-n", name, "-batch", "-"], input: script(index: nil))
                }
            } else {
                try Command.checked("ip", ["-n", name, "-batch", "-"], input: script(index: nil))
            }
            let index = try NetworkNamespace.run(name) { () throws -> Int32 in
                let index = if_nametoindex(interface)
                guard index != 0 else { throw SystemError("find \(interface) in \(name)", errno: Glibc.errno) }
                return Int32(index)
            }
            return CheckEnvironment(namespace: name, interface: interface, ifindex: index, queues: queues,
                                    ownershipRun: ownershipRun, notes: notes)
        } catch {
            try? Cleaner.deleteNamespace(name)
            if let ownershipRun { Ownership.removeRecord(run: ownershipRun) }
            throw error
        }
    }

    /// One socket per queue; if any cannot be made, none are kept and the note says why.
    private func openSockets() {
        guard let namespace else { return }
        do {
            sockets = try NetworkNamespace.run(namespace) {
                try (0..<queues).map { try IdleXSKSocket(interface: interface, queue: $0) }
            }
        } catch {
            notes.append("could not create AF_XDP sockets (\(error)); only the empty state ran")
        }
    }

    /// The device of this namespace with the most RX queues (BPF_PROG_TEST_RUN only reads its queue info).
    private static func inCurrentNamespace(queues: Int, notes: [String]) -> CheckEnvironment {
        var notes = notes
        let root = "/sys/class/net"
        var best: (name: String, index: Int32, queues: Int)?
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).sorted() {
            let count = ((try? FileManager.default.contentsOfDirectory(atPath: "\(root)/\(name)/queues")) ?? [])
                .filter { $0.hasPrefix("rx-") }.count
            guard let text = try? String(contentsOfFile: "\(root)/\(name)/ifindex", encoding: .utf8),
                  let index = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            if count > (best?.queues ?? 0) { best = (name, index, count) }
            if count >= queues { break }
        }
        guard let best else {
            notes.append("no device with RX queues found in this namespace; ran on the loopback queue 0 only")
            return CheckEnvironment(namespace: nil, interface: "lo", ifindex: 0, queues: 1, ownershipRun: nil, notes: notes)
        }
        let usable = min(queues, best.queues)
        if usable < queues {
            notes.append("\(best.name), the device with the most RX queues here, has \(best.queues); "
                         + "queues \(usable)-\(queues - 1) did not run")
        }
        return CheckEnvironment(namespace: nil, interface: best.name, ifindex: best.index, queues: usable,
                                ownershipRun: nil, notes: notes)
    }

    /// Runs `body` on a thread inside the namespace (ifindexes are looked up in the caller's namespace).
    func perform<T>(_ body: () throws -> T) throws -> T {
        guard let namespace else { return try body() }
        return try NetworkNamespace.run(namespace, body)
    }

    /// Closes the sockets, deletes the namespace with its veth pair, and removes the ownership record. Idempotent.
    func teardown() {
        guard !torn else { return }
        torn = true
        sockets.forEach { $0.close() }
        sockets.removeAll()
        if let namespace {
            do { try Cleaner.deleteNamespace(namespace) } catch { notes.append("could not delete \(namespace): \(error)") }
        }
        if let ownershipRun { Ownership.removeRecord(run: ownershipRun) }
    }
}
