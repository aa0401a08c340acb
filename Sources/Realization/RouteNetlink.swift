import Foundation
import SystemSupport
import Glibc
import CLinux

/// Builds and changes lab namespaces and links through rtnetlink from this process (`clinux_netlink.c`) instead
/// of spawning `ip` for each step. Every call names what it attempted in its error.
public enum RouteNetlink {
    /// The corresponding C function is `clinux_netns_add`.
    public static func addNamespace(_ name: String) throws {
        try negativeErrno("create network namespace \(name)", clinux_netns_add(name))
    }

    /// The corresponding C function is `clinux_netns_delete`; a namespace that is not there is fine.
    public static func deleteNamespace(_ name: String) throws {
        let result = clinux_netns_delete(name)
        if result == -ENOENT { return }
        try negativeErrno("delete network namespace \(name)", result)
    }

    /// A veth pair with `queues` queues on both ends: `a` in namespace `namespaceA`, `b` in `namespaceB`.
    public static func addVeth(_ a: String, in namespaceA: String, peer b: String, in namespaceB: String, queues: Int) throws {
        let attempted = "create veth \(namespaceA):\(a) ⇄ \(namespaceB):\(b) with \(queues) queues"
        let peerFD = try syscall("\(attempted): open \(namespaceB)") { open(NetworkNamespace.path(namespaceB), O_RDONLY | O_CLOEXEC) }
        defer { close(peerFD) }
        try NetworkNamespace.run(namespaceA) {
            _ = try negativeErrno(attempted, clinux_veth_add(a, b, peerFD, UInt32(queues)))
        }
    }

    /// Renames an interface that is down (a netdevsim port takes the driver's `eth%d` name first).
    public static func rename(_ interface: String, in namespace: String, to name: String) throws {
        try NetworkNamespace.run(namespace) {
            _ = try negativeErrno("rename \(namespace):\(interface) to \(name)", clinux_link_rename(interface, name))
        }
    }

    public static func setUp(_ interface: String, in namespace: String) throws {
        try NetworkNamespace.run(namespace) {
            _ = try negativeErrno("set \(namespace):\(interface) up", clinux_link_up(interface))
        }
    }

    public static func setAlias(_ interface: String, in namespace: String, to alias: String) throws {
        try NetworkNamespace.run(namespace) {
            _ = try negativeErrno("set the alias of \(namespace):\(interface)", clinux_link_set_alias(interface, alias))
        }
    }

    /// Adds "198.18.0.1/24" or "2001:2::1/64" (IPv6 without duplicate address detection).
    public static func addAddress(_ cidr: String, to interface: String, in namespace: String) throws {
        let attempted = "add address \(cidr) to \(namespace):\(interface)"
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let prefix = UInt8(parts[1]) else { throw SystemError(attempted, errno: EINVAL) }
        let family = parts[0].contains(":") ? AF_INET6 : AF_INET
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(family, String(parts[0]), &bytes) == 1 else { throw SystemError(attempted, errno: EINVAL) }
        try NetworkNamespace.run(namespace) {
            _ = try negativeErrno(attempted, clinux_addr_add(interface, family, bytes, prefix))
        }
    }

    /// Deletes the interface's non-permanent neighbour entries of both families; returns how many went.
    @discardableResult
    public static func flushNeighbours(_ interface: String, in namespace: String) throws -> Int {
        try NetworkNamespace.run(namespace) {
            var deleted = 0
            for family in [AF_INET, AF_INET6] {
                deleted += Int(try negativeErrno("flush the neighbours of \(namespace):\(interface)",
                                                 clinux_neigh_flush(interface, family)))
            }
            return deleted
        }
    }

    public static func mac(of interface: String, in namespace: String) throws -> [UInt8] {
        try NetworkNamespace.run(namespace) {
            var mac = [UInt8](repeating: 0, count: 6)
            try negativeErrno("read the MAC address of \(namespace):\(interface)", clinux_link_mac(interface, &mac))
            return mac
        }
    }
}
