import Foundation

/// Removes leftovers of killed runs: namespaces named as ours whose run is no longer alive.
/// Deleting a namespace takes its veth ends, XDP programs, tc filters and sockets' bindings with it.
public enum Cleaner {
    public struct Removal: Sendable {
        public let namespace: String
        public let run: String
        public let error: String?
    }

    /// Removes every namespace of a dead run (and of `run` itself when given), and stale run records.
    @discardableResult
    public static func removeLeftovers(alsoRun current: String? = nil) -> [Removal] {
        var removals: [Removal] = []
        var runsSeen = Set<String>()
        for name in Ownership.existingNamespaces() {
            guard let run = Ownership.runID(ofNamespace: name) else { continue }
            runsSeen.insert(run)
            guard run == current || !Ownership.isLive(run: run) else { continue }
            var problem: String?
            do { try deleteNamespace(name) } catch { problem = "\(error)" }
            removals.append(Removal(namespace: name, run: run, error: problem))
        }
        // Records of runs that left no namespace behind.
        let records = (try? FileManager.default.contentsOfDirectory(atPath: Ownership.recordDirectory)) ?? []
        for run in records where run == current || !Ownership.isLive(run: run) {
            Ownership.removeRecord(run: run)
        }
        return removals
    }

    public static func deleteNamespace(_ name: String) throws {
        let result = try Command.run("ip", ["netns", "delete", name])
        if result.status != 0 && FileManager.default.fileExists(atPath: NetworkNamespace.path(name)) {
            try result.check()
        }
    }
}
