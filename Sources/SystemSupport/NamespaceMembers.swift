import Foundation
import Glibc

/// The processes living in one of xdplab's namespaces. A namespace with a process in it outlives `ip netns
/// delete` (the process holds it), and with it its veth, its XDP program and its sockets; so every member goes
/// before the namespace does, whoever started it (a command stack, its children, a watchdog).
public enum NamespaceMembers {
    /// Ids of the processes whose network namespace is /run/netns/`namespace`, this process excepted.
    public static func pids(in namespace: String) -> [pid_t] {
        var target = stat()
        guard stat(NetworkNamespace.path(namespace), &target) == 0 else { return [] }
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        return entries.compactMap { pid_t($0) }.filter { pid in
            var found = stat()
            return pid != getpid() && stat("/proc/\(pid)/ns/net", &found) == 0
                && found.st_ino == target.st_ino && found.st_dev == target.st_dev
        }.sorted()
    }

    /// SIGTERM to every member, up to `grace` seconds to go, then SIGKILL and up to two seconds more.
    /// Returns the ids that were there.
    @discardableResult
    public static func end(in namespace: String, grace: Double = 1) -> [pid_t] {
        let members = pids(in: namespace)
        guard !members.isEmpty else { return [] }
        members.forEach { kill($0, SIGTERM) }
        if !waitUntilEmpty(namespace, timeout: grace) {
            pids(in: namespace).forEach { kill($0, SIGKILL) }
            _ = waitUntilEmpty(namespace, timeout: 2)
        }
        return members
    }

    private static func waitUntilEmpty(_ namespace: String, timeout: Double) -> Bool {
        let deadline = monotonicSeconds() + timeout
        while !pids(in: namespace).isEmpty {
            if monotonicSeconds() > deadline { return false }
            usleep(20_000)
        }
        return true
    }
}
