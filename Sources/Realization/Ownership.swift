import Foundation
import SystemSupport
import Glibc

/// How xdplab marks what it creates, so clean-up removes its own objects and nothing else.
///
/// Every namespace is named `xdplab-<run>-<host>`; every link carries the alias `xdplab:<run>`; every run
/// leaves a record `/run/xdplab/runs/<run>` with its process id while it lives. A namespace whose run
/// record is missing or names a dead process is a leftover of a killed run. netdevsim devices live outside the
/// namespaces (on the bus): their ids come from `Netdevsim.idRange` and are listed in the record, so one in that
/// range that no live run lists is a leftover too.
public enum Ownership {
    public static let prefix = "xdplab-"
    public static let recordDirectory = "/run/xdplab/runs"

    public static func namespaceName(run: String, host: String) -> String { "\(prefix)\(run)-\(host)" }

    public static func linkAlias(run: String) -> String { "xdplab:\(run)" }

    /// A fresh run id: 6 hex digits, not used by any namespace on this machine.
    public static func newRunID() -> String {
        while true {
            let id = String(format: "%06x", UInt32.random(in: 0..<0x100_0000))
            if !existingNamespaces().contains(where: { runID(ofNamespace: $0) == id }) { return id }
        }
    }

    /// The run id inside a namespace name of ours, or nil when the name is not ours.
    public static func runID(ofNamespace name: String) -> String? {
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let dash = rest.firstIndex(of: "-") else { return nil }
        let id = String(rest[..<dash])
        guard id.count == 6, id.allSatisfy(\.isHexDigit) else { return nil }
        return id
    }

    /// Names under /run/netns. Read with readdir(3): Foundation's directory listing comes back empty
    /// there, because every entry is an nsfs bind mount.
    public static func existingNamespaces() -> [String] {
        guard let dir = opendir(NetworkNamespace.runDirectory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public static func writeRecord(run: String, lab: String, namespaces: [String], netdevsims: [UInt32] = []) throws {
        try FileManager.default.createDirectory(atPath: recordDirectory, withIntermediateDirectories: true)
        let started = Int(Date().timeIntervalSince1970)
        let text = "pid \(getpid())\nlab \(lab)\nstarted \(started)\n" + namespaces.map { "namespace \($0)\n" }.joined()
            + netdevsims.map { "netdevsim \($0)\n" }.joined()
        try text.write(toFile: "\(recordDirectory)/\(run)", atomically: true, encoding: .utf8)
    }

    /// Marks the run as kept (`xdplab run --keep`): its lab stays up after its process exits, and only
    /// `xdplab destroy RUN` or `xdplab clean --all` remove it.
    public static func markKept(run: String) throws {
        let path = "\(recordDirectory)/\(run)"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try (text + "kept \(Int(Date().timeIntervalSince1970))\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The run's record, if it has one.
    public static func record(run: String) -> RunRecord? {
        guard let text = try? String(contentsOfFile: "\(recordDirectory)/\(run)", encoding: .utf8) else { return nil }
        let modified = (try? FileManager.default.attributesOfItem(atPath: "\(recordDirectory)/\(run)"))?[.modificationDate] as? Date
        return RunRecord(run: run, text: text, written: modified)
    }

    /// Every run record, by run id.
    public static func records() -> [RunRecord] {
        let runs = (try? FileManager.default.contentsOfDirectory(atPath: recordDirectory)) ?? []
        return runs.sorted().compactMap { record(run: $0) }
    }

    public static func removeRecord(run: String) {
        try? FileManager.default.removeItem(atPath: "\(recordDirectory)/\(run)")
    }

    /// True when the run's record names a process that is still alive.
    public static func isLive(run: String) -> Bool { record(run: run)?.ownerAlive ?? false }
}

/// What `/run/xdplab/runs/<run>` says: the owning process, the lab, its namespaces, when it started, and whether
/// it was kept. Lines are `key value`; records written before a key existed simply lack it.
public struct RunRecord: Sendable, Equatable {
    public let run: String
    public let pid: pid_t?
    public let lab: String?
    public let namespaces: [String]
    /// Ids of the run's netdevsim devices.
    public let netdevsims: [UInt32]
    /// When the run began; for records without a `started` line, when the record was written.
    public let started: Date?
    /// When the lab was kept, if it was.
    public let kept: Date?

    public init(run: String, text: String, written: Date? = nil) {
        var pid: pid_t?, lab: String?, namespaces: [String] = [], netdevsims: [UInt32] = [], started: Date?, kept: Date?
        for line in text.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "pid": pid = pid_t(parts[1])
            case "lab": lab = parts[1]
            case "namespace": namespaces.append(parts[1])
            case "netdevsim": if let id = UInt32(parts[1]) { netdevsims.append(id) }
            case "started": started = Double(parts[1]).map { Date(timeIntervalSince1970: $0) }
            case "kept": kept = Double(parts[1]).map { Date(timeIntervalSince1970: $0) }
            default: continue
            }
        }
        self.run = run
        self.pid = pid
        self.lab = lab
        self.namespaces = namespaces
        self.netdevsims = netdevsims
        self.started = started ?? written
        self.kept = kept
    }

    /// True while the owning process lives (this process included).
    public var ownerAlive: Bool {
        guard let pid else { return false }
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || Glibc.errno == EPERM
    }
}
