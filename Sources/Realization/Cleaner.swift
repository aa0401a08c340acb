import Foundation
import SystemSupport

/// Removes leftovers of killed runs: namespaces named as ours whose run is no longer alive, and the processes
/// still inside them (a command stack, a watchdog). Labs kept on purpose (`xdplab run --keep`) stay until they
/// are destroyed by name or `includingKept` is given.
/// Deleting a namespace takes its veth ends, XDP programs, tc filters and sockets' bindings with it; netdevsim
/// devices live on their bus and are deleted by id.
public enum Cleaner {
    public struct Removal: Sendable {
        public let namespace: String
        public let run: String
        public let error: String?
    }

    /// Removes every namespace of a dead run, and the records of dead runs. A kept run counts as dead only with
    /// `includingKept`; a kept run whose namespaces are all gone loses its record either way.
    @discardableResult
    public static func removeLeftovers(includingKept: Bool = false) -> [Removal] {
        var spare: [String: Bool] = [:]   // one record read per run
        func isSpared(_ run: String) -> Bool {
            if let known = spare[run] { return known }
            let record = Ownership.record(run: run)
            let spared = (record?.ownerAlive ?? false) || (!includingKept && record?.kept != nil)
            spare[run] = spared
            return spared
        }
        // netdevsim devices first: a namespace deleted before its port's device hands the port to the machine's
        // own namespace until the device goes.
        let records = Ownership.records()
        var removals = removeNetdevsims { id in
            guard let owner = records.first(where: { $0.netdevsims.contains(id) }) else { return "no run" }
            return isSpared(owner.run) ? nil : owner.run
        }
        for name in Ownership.existingNamespaces() {
            guard let run = Ownership.runID(ofNamespace: name), !isSpared(run) else { continue }
            removals.append(remove(name, of: run))
        }
        // Records of runs that left no namespace behind.
        let present = Set(Ownership.existingNamespaces().compactMap(Ownership.runID(ofNamespace:)))
        for record in Ownership.records() where !isSpared(record.run) || (!record.ownerAlive && !present.contains(record.run)) {
            Ownership.removeRecord(run: record.run)
        }
        return removals
    }

    /// Why `destroy` left a run alone.
    public enum DestroyRefusal: Error, CustomStringConvertible {
        /// Its process is running the lab now; that process tears it down when it ends.
        case live(run: String, pid: Int32)
        /// No namespace and no record with this run id.
        case unknown(run: String)

        public var description: String {
            switch self {
            case .live(let run, let pid):
                return "run \(run) is live: process \(pid) is running it and tears it down when it ends "
                    + "(kill -TERM \(pid) ends it now)"
            case .unknown(let run):
                return "no run \(run) on this machine; `xdplab list` shows the runs that are up"
            }
        }
    }

    /// Takes one run's lab down: ends the processes inside its namespaces, deletes the namespaces and its record.
    /// Refuses a run whose process is still running it.
    public static func destroy(run: String) throws -> [Removal] {
        let record = Ownership.record(run: run)
        if let record, record.ownerAlive, record.kept == nil, let pid = record.pid {
            throw DestroyRefusal.live(run: run, pid: pid)
        }
        let names = Ownership.existingNamespaces().filter { Ownership.runID(ofNamespace: $0) == run }
        guard record != nil || !names.isEmpty else { throw DestroyRefusal.unknown(run: run) }
        let ids = Set(record?.netdevsims ?? [])
        let removals = removeNetdevsims { ids.contains($0) ? run : nil } + names.map { remove($0, of: run) }
        if removals.allSatisfy({ $0.error == nil }) { Ownership.removeRecord(run: run) }
        return removals
    }

    /// Deletes xdplab's netdevsim devices (ids in `Netdevsim.idRange`) for which `doomed` names a run (the
    /// owner, or "no run"); nil keeps the device. A removal names the device as `netdevsim<ID>`.
    static func removeNetdevsims(doomed: (UInt32) -> String?) -> [Removal] {
        Netdevsim.existingIDs().filter { Netdevsim.idRange.contains($0) }.compactMap { id in
            guard let run = doomed(id) else { return nil }
            var problem: String?
            do { try Netdevsim.delete(id: id) } catch { problem = "\(error)" }
            return Removal(namespace: "netdevsim\(id)", run: run, error: problem)
        }
    }

    private static func remove(_ name: String, of run: String) -> Removal {
        var problem: String?
        NamespaceMembers.end(in: name)
        do { try deleteNamespace(name) } catch { problem = "\(error)" }
        return Removal(namespace: name, run: run, error: problem)
    }

    public static func deleteNamespace(_ name: String) throws {
        try RouteNetlink.deleteNamespace(name)
    }
}
