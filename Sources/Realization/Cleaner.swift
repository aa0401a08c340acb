import Foundation

/// Removes leftovers of killed runs: namespaces named as ours whose run is no longer alive, and the processes
/// still inside them (a command stack, a watchdog).
/// Deleting a namespace takes its veth ends, XDP programs, tc filters and sockets' bindings with it.
public enum Cleaner {
    public struct Removal: Sendable {
        public let namespace: String
        public let run: String
        public let error: String?
    }

    /// Removes every namespace of a dead run, and the records of dead runs.
    @discardableResult
    public static func removeLeftovers() -> [Removal] {
        var live: [String: Bool] = [:]   // one record read per run
        func isLive(_ run: String) -> Bool {
            if let known = live[run] { return known }
            let alive = Ownership.isLive(run: run)
            live[run] = alive
            return alive
        }
        var removals: [Removal] = []
        for name in Ownership.existingNamespaces() {
            guard let run = Ownership.runID(ofNamespace: name), !isLive(run) else { continue }
            var problem: String?
            NamespaceMembers.end(in: name)
            do { try deleteNamespace(name) } catch { problem = "\(error)" }
            removals.append(Removal(namespace: name, run: run, error: problem))
        }
        // Records of runs that left no namespace behind.
        let records = (try? FileManager.default.contentsOfDirectory(atPath: Ownership.recordDirectory)) ?? []
        for run in records where !isLive(run) {
            Ownership.removeRecord(run: run)
        }
        return removals
    }

    public static func deleteNamespace(_ name: String) throws {
        try RouteNetlink.deleteNamespace(name)
    }
}
