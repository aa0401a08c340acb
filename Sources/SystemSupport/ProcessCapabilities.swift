import Foundation

/// The capabilities a lab run needs, checked before anything is built, so that a container or a CI runner that
/// lacks one gets "this machine lacks CAP_IPC_LOCK" (exit status 3) instead of a cryptic ENOBUFS halfway through.
public enum ProcessCapabilities {
    public struct Need: Sendable, Equatable {
        public let bit: Int
        public let name: String
        public let why: String
    }

    /// Each was shown necessary on Linux 6.18 by running the gate lab with it dropped from the bounding set; with
    /// just these five the gate passes (CAP_SYS_ADMIN also grants what CAP_BPF and CAP_PERFMON would).
    public static let needs: [Need] = [
        Need(bit: 21, name: "CAP_SYS_ADMIN", why: "network namespaces, the private tracefs mount, BPF and perf events"),
        Need(bit: 12, name: "CAP_NET_ADMIN", why: "veth links, XDP and tc programs, SO_MARK"),
        Need(bit: 13, name: "CAP_NET_RAW", why: "AF_XDP and packet sockets, the capture"),
        Need(bit: 14, name: "CAP_IPC_LOCK", why: "AF_XDP UMEM pages beyond RLIMIT_MEMLOCK (or an unlimited memlock limit)"),
        Need(bit: 10, name: "CAP_NET_BIND_SERVICE", why: "the SSH-like sessions' server on a port below 1024"),
    ]

    /// What is missing from `effective` (the CapEff bits); CAP_IPC_LOCK is not needed with an unlimited
    /// RLIMIT_MEMLOCK, CAP_NET_BIND_SERVICE only for a session port below 1024.
    public static func missing(effective: UInt64, memlockUnlimited: Bool, sessionPort: UInt16?) -> [Need] {
        needs.filter { need in
            if effective & (1 << UInt64(need.bit)) != 0 { return false }
            if need.name == "CAP_IPC_LOCK" { return !memlockUnlimited }
            if need.name == "CAP_NET_BIND_SERVICE" { return (sessionPort ?? 1024) < 1024 }
            return true
        }
    }

    /// What this process lacks, or nil when its capabilities cannot be read (then the run finds out itself).
    public static func missing(sessionPort: UInt16?) -> [Need]? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("CapEff:") }),
              let effective = UInt64(line.dropFirst("CapEff:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return nil }
        // "Max locked memory         unlimited            unlimited            bytes": the soft limit first.
        let limits = (try? String(contentsOfFile: "/proc/self/limits", encoding: .utf8)) ?? ""
        let memlock = limits.split(separator: "\n").first { $0.hasPrefix("Max locked memory") }
        let unlimited = memlock?.dropFirst("Max locked memory".count).split(separator: " ").first == "unlimited"
        return missing(effective: effective, memlockUnlimited: unlimited, sessionPort: sessionPort)
    }
}
