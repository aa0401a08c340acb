import Foundation
import Glibc

/// How xdplab marks what it creates, so clean-up removes its own objects and nothing else.
///
/// Every namespace is named `xdplab-<run>-<host>`; every link carries the alias `xdplab:<run>`; every run
/// leaves a record `/run/xdplab/runs/<run>` with its process id while it lives. A namespace whose run
/// record is missing or names a dead process is a leftover of a killed run.
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

    public static func writeRecord(run: String, lab: String, namespaces: [String]) throws {
        try FileManager.default.createDirectory(atPath: recordDirectory, withIntermediateDirectories: true)
        let text = "pid \(getpid())\nlab \(lab)\n" + namespaces.map { "namespace \($0)\n" }.joined()
        try text.write(toFile: "\(recordDirectory)/\(run)", atomically: true, encoding: .utf8)
    }

    public static func removeRecord(run: String) {
        try? FileManager.default.removeItem(atPath: "\(recordDirectory)/\(run)")
    }

    /// True when the run's record names a process that is still alive.
    public static func isLive(run: String) -> Bool {
        guard let text = try? String(contentsOfFile: "\(recordDirectory)/\(run)", encoding: .utf8),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("pid ") }),
              let pid = pid_t(line.dropFirst(4)) else { return false }
        if pid == getpid() { return true }
        return kill(pid, 0) == 0 || Glibc.errno == EPERM
    }
}
