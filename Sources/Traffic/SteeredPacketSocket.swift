import Glibc
import CLibBPF  // SOCK_RAW and SOCK_CLOEXEC resolve through CLibBPF in this module
import SystemSupport

/// An AF_PACKET raw socket that only sends: opened in the sender's namespace, bound to its interface and
/// marked with `SO_MARK = QueueSteering.mark(forQueue:)`, so the steering program puts its frames on RX queue
/// `queue` of the receiver. Frames take the normal transmit path (no PACKET_QDISC_BYPASS): the tc egress
/// hook must see them. The C functions are `socket`, `setsockopt` and `bind`.
enum SteeredPacketSocket {
    static func open(_ side: TrafficSide, queue: Int) throws -> Int32 {
        let place = "\(side.namespace):\(side.interface)"
        return try NetworkNamespace.run(side.namespace) { () throws -> Int32 in
            let ifindex = if_nametoindex(side.interface)
            guard ifindex != 0 else { throw SystemError("find interface \(place)", errno: errno) }
            // Protocol 0: the socket never receives a copy of anything.
            let fd = try syscall("open AF_PACKET socket on \(place)") {
                socket(AF_PACKET, Int32(SOCK_RAW.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            }
            do {
                try Sockets.setOption(fd, SOL_SOCKET, SO_MARK, QueueSteering.mark(forQueue: queue),
                                      "SO_MARK for queue \(queue) on \(place)")
                var address = sockaddr_ll()
                address.sll_family = UInt16(AF_PACKET)
                address.sll_ifindex = Int32(ifindex)
                try syscall("bind AF_PACKET socket to \(place)") {
                    withUnsafePointer(to: &address) {
                        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_ll>.size))
                        }
                    }
                }
            } catch {
                Glibc.close(fd)
                throw error
            }
            return fd
        }
    }
}
