import Foundation
import Glibc
import SystemSupport
import CLinux

/// The netdevsim driver through its bus files under /sys/bus/netdevsim: devices with one port each, created inside
/// a lab namespace, renamed to the lab's interface name, and linked peer to peer (Linux 6.9+).
///
/// xdplab's devices take ids from `idRange` and every run lists its ids in its record, so clean-up deletes only
/// devices of dead runs. Deleting a device unlinks its peer (the driver clears both peer pointers) and removes its
/// port from whichever namespace holds it; a namespace deleted first would instead hand the port back to the
/// machine's own namespace, where it would stay until the device goes.
public enum Netdevsim {
    public static let bus = "/sys/bus/netdevsim"
    /// "XD" in the high half, like the steering mark: ids no other user of netdevsim is likely to pick.
    public static let idRange: ClosedRange<UInt32> = 0x5844_0000...0x5844_FFFF

    /// True when the driver is built in (or loaded) and can link ports across namespaces (6.9+).
    public static var canLink: Bool { FileManager.default.fileExists(atPath: bus + "/link_device") }

    /// Ids of every netdevsim device on the machine (`/sys/bus/netdevsim/devices/netdevsim<ID>`).
    public static func existingIDs() -> [UInt32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: bus + "/devices")) ?? []
        return names.compactMap { $0.hasPrefix("netdevsim") ? UInt32($0.dropFirst("netdevsim".count)) : nil }.sorted()
    }

    /// `count` ids in xdplab's range that no device has.
    static func freeIDs(_ count: Int) -> [UInt32] {
        var used = Set(existingIDs())
        var ids: [UInt32] = []
        while ids.count < count {
            let id = UInt32.random(in: idRange)
            if used.insert(id).inserted { ids.append(id) }
        }
        return ids
    }

    /// Creates device `id` with one port of `queues` RX and TX queues. The bus file is written from a thread
    /// inside `namespace`: the driver creates the port in the writer's namespace, so it never appears in the
    /// machine's own. Returns the port's name there (the driver's `eth%d`), found as the one new interface.
    static func create(id: UInt32, queues: Int, in namespace: String, timeout: Double = 5) throws -> String {
        let attempted = "create netdevsim device \(id) with \(queues) queues in \(namespace)"
        guard canLink else {
            throw SystemError(attempted + ": \(bus)/link_device is absent (no netdevsim in this kernel, or older than 6.9)",
                              errno: ENOENT)
        }
        return try NetworkNamespace.run(namespace) {
            let before = Set(interfaceNames())
            try writeBusFile("new_device", "\(id) 1 \(queues)", attempted: attempted)
            // The port registers while the write returns; a bounded wait covers a driver that probes asynchronously.
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let name = interfaceNames().first(where: { !before.contains($0) }) { return name }
                usleep(20_000)
            }
            throw SystemError(attempted + ": no new interface appeared within \(Int(timeout)) s", errno: ETIMEDOUT)
        }
    }

    /// Links two ports peer to peer: what one sends, the other receives.
    static func link(_ a: (namespace: String, interface: String), _ b: (namespace: String, interface: String)) throws {
        let attempted = "link netdevsim ports \(a.namespace):\(a.interface) ⇄ \(b.namespace):\(b.interface)"
        // The driver reads "netnsfd:ifindex netnsfd:ifindex" with the descriptors of the writing process.
        let fdA = try syscall("\(attempted): open \(a.namespace)") { open(NetworkNamespace.path(a.namespace), O_RDONLY | O_CLOEXEC) }
        defer { close(fdA) }
        let fdB = try syscall("\(attempted): open \(b.namespace)") { open(NetworkNamespace.path(b.namespace), O_RDONLY | O_CLOEXEC) }
        defer { close(fdB) }
        let indexA = try NetworkNamespace.run(a.namespace) { if_nametoindex(a.interface) }
        let indexB = try NetworkNamespace.run(b.namespace) { if_nametoindex(b.interface) }
        guard indexA != 0, indexB != 0 else { throw SystemError(attempted + ": an interface is missing", errno: ENODEV) }
        try writeBusFile("link_device", "\(fdA):\(indexA) \(fdB):\(indexB)", attempted: attempted)
    }

    /// Deletes device `id` (its port and its link go with it); a device that is not there is fine.
    public static func delete(id: UInt32) throws {
        guard existingIDs().contains(id) else { return }
        try writeBusFile("del_device", "\(id)", attempted: "delete netdevsim device \(id)")
    }

    /// Interface names in the calling thread's namespace.
    private static func interfaceNames() -> [String] {
        guard let list = if_nameindex() else { return [] }
        defer { if_freenameindex(list) }
        var names: [String] = []
        var entry = list
        while entry.pointee.if_index != 0, let name = entry.pointee.if_name {
            names.append(String(cString: name))
            entry += 1
        }
        return names
    }

    /// One write(2) of `text` to a bus file: the driver answers through its return value (errno), which
    /// Foundation's file writing would hide.
    private static func writeBusFile(_ file: String, _ text: String, attempted: String) throws {
        let path = bus + "/" + file
        let fd = try syscall("\(attempted): open \(path)") { open(path, O_WRONLY | O_CLOEXEC) }
        defer { close(fd) }
        let bytes = Array(text.utf8)
        _ = try syscall("\(attempted): write '\(text)' to \(path)") { write(fd, bytes, bytes.count) }
    }
}
