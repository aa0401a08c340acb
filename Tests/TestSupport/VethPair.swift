import Foundation
import Glibc
import Realization
import SystemSupport

/// Two network namespaces of a test's own joined by one veth, removed again by `remove()` (or when the value
/// goes). The names are unique per pair, `xdplab-t<label>-<8 hex>-a` and `-b`, so test runs and lab runs on the
/// same machine never meet; the `t` keeps them from parsing as a lab run's namespace (whose run id is 6 hex
/// digits), so `xdplab clean` leaves them alone.
public final class VethPair: @unchecked Sendable {
    public struct End: Sendable {
        public let namespace: String
        public let interface: String
        public let mac: [UInt8]
    }

    /// The first end, created in namespace `-a`.
    public let a: End
    /// The peer, in namespace `-b`.
    public let b: End
    public let queues: Int
    private var removed = false

    /// `queues` TX and RX queues on each end (the XDP side needs at least as many RX queues as the peer has TX
    /// queues). With `quiet`, no IPv6 address generation, so the kernel itself puts no frame on the link; both
    /// ends are up.
    public init(label: String, interfaces: (String, String), macs: ([UInt8], [UInt8]), queues: Int = 1,
                quiet: Bool = true) throws {
        let unique = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let base = "xdplab-t\(label)-\(unique)"
        a = End(namespace: "\(base)-a", interface: interfaces.0, mac: macs.0)
        b = End(namespace: "\(base)-b", interface: interfaces.1, mac: macs.1)
        self.queues = queues
        do {
            try Command.checked("ip", ["netns", "add", a.namespace])
            try Command.checked("ip", ["netns", "add", b.namespace])
            try Command.checked("ip", ["-n", a.namespace, "link", "add", "name", a.interface, "address", Self.text(a.mac),
                                       "numtxqueues", "\(queues)", "numrxqueues", "\(queues)", "type", "veth",
                                       "peer", "name", b.interface, "address", Self.text(b.mac), "netns", b.namespace,
                                       "numtxqueues", "\(queues)", "numrxqueues", "\(queues)"])
            for end in [a, b] {
                try Command.checked("ip", ["-n", end.namespace, "link", "set", "dev", end.interface]
                                    + (quiet ? ["addrgenmode", "none"] : []) + ["up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    /// Deletes both namespaces (and with them the veth and whatever is attached to it). Safe to call twice.
    public func remove() {
        guard !removed else { return }
        removed = true
        _ = try? Command.run("ip", ["netns", "del", a.namespace])
        _ = try? Command.run("ip", ["netns", "del", b.namespace])
    }

    deinit { remove() }

    /// Both namespaces exist.
    public var exists: Bool {
        [a, b].allSatisfy { FileManager.default.fileExists(atPath: NetworkNamespace.path($0.namespace)) }
    }

    static func text(_ mac: [UInt8]) -> String { mac.map { String(format: "%02x", $0) }.joined(separator: ":") }
}
