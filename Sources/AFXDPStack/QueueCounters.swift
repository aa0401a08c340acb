import Glibc
import XDPShim
import SystemSupport

/// The driver's per-RX-queue counters of one interface (veth: `rx_queue_N_xdp_packets`, `_xdp_redirect`,
/// `_xdp_drops`, …), read with the SIOCETHTOOL ioctl (ETHTOOL_GSTRINGS + ETHTOOL_GSTATS) through a
/// datagram socket that lives in the interface's network namespace.
final class QueueCounters {
    private let interface: String
    private let socketFD: Int32

    /// Must run on a thread inside the interface's network namespace.
    init(interface: String) throws {
        self.interface = interface
        socketFD = try syscall("open a control socket for ethtool statistics of \(interface)") {
            socket(AF_INET, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        }
    }

    deinit { close(socketFD) }

    /// `[queue: [counter: value]]` with the `rx_queue_N_` prefix removed.
    func read() throws -> [Int: [String: UInt64]] {
        let attempted = "read ethtool statistics of \(interface)"
        let count = try negativeErrno(attempted, xdpshim_ethtool_stat_count(socketFD, interface))
        let nameLength = 32   // ETH_GSTRING_LEN
        var names = [CChar](repeating: 0, count: Int(count) * nameLength)
        var values = [UInt64](repeating: 0, count: Int(count))
        try negativeErrno(attempted, xdpshim_ethtool_stat_read(socketFD, interface, UInt32(count), &names, &values))
        var result: [Int: [String: UInt64]] = [:]
        for i in 0..<Int(count) {
            let name = names[(i * nameLength)..<((i + 1) * nameLength)].withUnsafeBufferPointer { field in
                String(decoding: field.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
            if let (queue, counter) = Self.split(name) { result[queue, default: [:]][counter] = values[i] }
        }
        return result
    }

    /// "rx_queue_3_xdp_drops" → (3, "xdp_drops"); other counters → nil.
    static func split(_ name: String) -> (Int, String)? {
        let prefix = "rx_queue_"
        guard name.hasPrefix(prefix) else { return nil }
        let rest = name.dropFirst(prefix.count)
        guard let underscore = rest.firstIndex(of: "_"), let queue = Int(rest[..<underscore]) else { return nil }
        return (queue, String(rest[rest.index(after: underscore)...]))
    }
}
