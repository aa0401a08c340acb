import Foundation
import Glibc
import XDPShim
import BPFSupport
import SystemSupport

/// Sends marked traffic to a chosen RX queue of the receiver.
///
/// A tc clsact egress program on the sender's interface (`bpf/queue_steering.bpf.c`) turns
/// `skb->mark == mark(forQueue: q)` into TX queue q; on veth, TX queue q of one end is RX queue q of
/// the other. Sockets opt in with `SO_MARK`, so unmarked traffic of the sender is left alone.
public final class QueueSteering {
    /// Which RX queue of the receiver a frame sent on TX queue q reaches.
    public enum Mapping: Sendable {
        /// RX queue q (veth).
        case sameQueue
        /// RX queue q − 1 as generic XDP sees it (netdevsim: the peer keeps the TX queue in `queue_mapping`, the
        /// receive path reads that as the recorded RX queue + 1). The sender needs one TX queue more than the
        /// receiver's highest RX queue.
        case previousQueue

        var programName: String { self == .sameQueue ? "steer_by_mark" : "steer_to_next_tx_queue" }
    }

    /// "XD" in the high half; the low half is the queue. Must match STEER_BASE in the BPF source.
    public static let markBase: UInt32 = 0x5844_0000

    public let namespace: String
    public let interface: String
    private var attachment: OpaquePointer?
    private let lock = NSLock()

    public static func mark(forQueue queue: Int) -> UInt32 {
        precondition(queue >= 0 && queue < 0xFFFF, "queue \(queue) out of range")
        return markBase | UInt32(queue)
    }

    /// Compiles the steering program into `workDirectory`, loads it and attaches it to the egress
    /// hook of `interface` inside `namespace`.
    public static func install(namespace: String, interface: String, workDirectory: String,
                               mapping: Mapping = .sameQueue) throws -> QueueSteering {
        let programName = mapping.programName
        guard let folder = Bundle.module.url(forResource: "bpf", withExtension: nil) else {
            throw SystemError("find the traffic layer's bpf resource folder", errno: ENOENT)
        }
        let source = folder.appendingPathComponent("queue_steering.bpf.c").path
        let object = try BPFCompiler.object(for: source, outputDirectory: workDirectory)
        let attachment = try NetworkNamespace.run(namespace) { () throws -> OpaquePointer in
            let ifindex = if_nametoindex(interface)
            guard ifindex != 0 else { throw SystemError("find interface \(namespace):\(interface)", errno: errno) }
            var error: Int32 = 0
            var stage: UnsafePointer<CChar>?
            guard let attached = xdpshim_tc_attach_egress(object, programName, Int32(ifindex), &error, &stage) else {
                let step = stage.map { String(cString: $0) } ?? "attach"
                throw SystemError("\(step) for tc program '\(programName)' (\(object)) on \(namespace):\(interface) egress",
                                  errno: -error)
            }
            return attached
        }
        return QueueSteering(namespace: namespace, interface: interface, attachment: attachment)
    }

    private init(namespace: String, interface: String, attachment: OpaquePointer) {
        self.namespace = namespace
        self.interface = interface
        self.attachment = attachment
    }

    /// Detaches the program (and the clsact hook if it made it). Safe to call twice, and after the
    /// namespace is gone (which removed the hook already).
    public func remove() {
        lock.lock()
        let attached = attachment
        attachment = nil
        lock.unlock()
        guard let attached else { return }
        let detached = (try? NetworkNamespace.run(namespace) { xdpshim_tc_detach(attached) }) != nil
        if !detached { xdpshim_tc_release(attached) }
    }

    deinit { remove() }
}
