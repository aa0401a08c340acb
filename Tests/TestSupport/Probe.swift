import Foundation
import Glibc
import Testing

/// What this machine lets the tests do, probed once, as named traits that disable a test with a reason a
/// reader sees (a skip is visible, never a silent return): `@Suite("…", Probe.labs)`.
public enum Probe {
    /// The effective user is root: what the kernel checks for namespaces, BPF and raw sockets.
    public static let isRoot = geteuid() == 0

    /// The path of `tool` on PATH or in the sbin folders iproute2 lives in; nil when absent.
    public static func which(_ tool: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        let folders = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        return folders.lazy.map { "\($0)/\(tool)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Root and every one of `tools`.
    public static func has(root: Bool = true, tools: [String]) -> Bool {
        (!root || isRoot) && tools.allSatisfy { which($0) != nil }
    }

    /// Enabled when this process is root (if `root`) and has `tools`; otherwise skipped with "needs root, ip and
    /// clang to …".
    public static func needs(root: Bool = true, tools: [String] = [], to purpose: String) -> ConditionTrait {
        let needs = (root ? ["root"] : []) + tools
        let list = needs.count > 1 ? needs.dropLast().joined(separator: ", ") + " and " + needs.last! : needs.joined()
        return .enabled(if: has(root: root, tools: tools), Comment(rawValue: "needs \(list) to \(purpose)"))
    }

    /// Real labs: namespaces, veth links, XDP programs compiled by clang.
    public static let labs = needs(tools: ["ip", "clang"], to: "build lab namespaces and load XDP")
}
