import Glibc
import XDPShim
import Evidence
import SystemSupport

/// One AF_XDP socket as the kernel reports it, whoever opened it: the queue it is bound to, its rings and
/// its counters. Learnt without asking the process that owns it.
public struct ObservedSocket: Sendable, Equatable {
    /// The socket's inode number (what `/proc/PID/fd/N -> socket:[inode]` shows).
    public let inode: UInt64
    /// The device it is bound to, in the socket's own network namespace; 0 while it is not bound.
    public let ifindex: Int32
    /// The queue it is bound to (`XDP_DIAG_INFO` queue_id).
    public let queue: Int
    /// `XDP_DIAG_STATS`, the same numbers as getsockopt(XDP_STATISTICS) on the socket itself.
    public let statistics: SocketStatistics?
    /// `XDP_DIAG_RX_RING` / `XDP_DIAG_UMEM_FILL_RING`: descriptors in the ring, nil when the socket has none.
    public let rxRingEntries: UInt32?, fillRingEntries: UInt32?
    /// `XDP_DIAG_TX_RING` / `XDP_DIAG_UMEM_COMPLETION_RING`.
    public let txRingEntries: UInt32?, completionRingEntries: UInt32?
    /// `XDP_DIAG_UMEM`: the UMEM's id, shared by sockets that share it.
    public let umemID: UInt32?
    /// Zero-copy (`XDP_DU_F_ZEROCOPY`) rather than copy mode; nil when unknown.
    public let zeroCopy: Bool?
    /// Processes holding a descriptor of the socket, ascending. Only the task-file iterator sees them;
    /// empty when the kernel's sock_diag answered.
    public let owners: [Int32]
    /// How the kernel was asked.
    public let source: ObservedSockets.Source

    public init(inode: UInt64, ifindex: Int32, queue: Int, statistics: SocketStatistics?, rxRingEntries: UInt32?,
                fillRingEntries: UInt32?, txRingEntries: UInt32? = nil, completionRingEntries: UInt32? = nil,
                umemID: UInt32? = nil, zeroCopy: Bool? = nil, owners: [Int32] = [], source: ObservedSockets.Source) {
        self.inode = inode
        self.ifindex = ifindex
        self.queue = queue
        self.statistics = statistics
        self.rxRingEntries = rxRingEntries
        self.fillRingEntries = fillRingEntries
        self.txRingEntries = txRingEntries
        self.completionRingEntries = completionRingEntries
        self.umemID = umemID
        self.zeroCopy = zeroCopy
        self.owners = owners
        self.source = source
    }

    public var isBound: Bool { ifindex != 0 }
}

/// The AF_XDP sockets of a network namespace, from the kernel.
///
/// The kernel's interface for this is `NETLINK_SOCK_DIAG` with `sdiag_family` AF_XDP (net/xdp/xsk_diag.c).
/// A kernel built without `CONFIG_XDP_SOCKETS_DIAG` answers that dump with ENOENT (and with modules
/// disabled nothing can load it); then a BPF iterator over every task's open files reads the same numbers
/// from the sockets themselves (`bpf/xsk_sockets.bpf.c`), which also tells which processes hold them.
public enum ObservedSockets {
    public enum Source: String, Sendable, Equatable {
        /// NETLINK_SOCK_DIAG (xsk_diag).
        case sockDiag = "NETLINK_SOCK_DIAG"
        /// The BPF task_file iterator, for kernels without xsk_diag.
        case taskFileIterator = "BPF task_file iterator"
    }

    /// Every AF_XDP socket in the network namespace, dumped with NETLINK_SOCK_DIAG (sdiag_family AF_XDP,
    /// xdp_diag_req with XDP_SHOW_INFO | XDP_SHOW_RING_CFG | XDP_SHOW_UMEM | XDP_SHOW_STATS), or with the
    /// task_file iterator where the kernel has no xsk_diag. Sorted by ifindex, queue and inode.
    public static func all(namespace: String) throws -> [ObservedSocket] {
        try observe(namespace: namespace, interface: nil).sockets
    }

    /// Only those bound to `interface` (by ifindex in that namespace).
    public static func bound(to interface: String, namespace: String) throws -> [ObservedSocket] {
        let (sockets, ifindex) = try observe(namespace: namespace, interface: interface)
        return sockets.filter { $0.ifindex == ifindex }
    }

    /// The sockets, and the ifindex of `interface` looked up in the same visit to the namespace.
    private static func observe(namespace: String, interface: String?) throws -> (sockets: [ObservedSocket], ifindex: Int32) {
        let (dumped, ifindex) = try NetworkNamespace.run(namespace) { () throws -> ([ObservedSocket]?, Int32) in
            var ifindex: Int32 = 0
            if let interface {
                ifindex = Int32(bitPattern: if_nametoindex(interface))
                guard ifindex > 0 else { throw SystemError("find \(interface) in namespace \(namespace)", errno: Glibc.errno) }
            }
            return (try sockDiag(namespace: namespace), ifindex)
        }
        let sockets = try dumped ?? XSKSocketIterator.sockets(namespace: namespace)
        return (sockets.sorted { ($0.ifindex, $0.queue, $0.inode) < ($1.ifindex, $1.queue, $1.inode) }, ifindex)
    }

    /// The sock_diag dump of the calling thread's namespace; nil when this kernel has no xsk_diag (ENOENT).
    private static func sockDiag(namespace: String) throws -> [ObservedSocket]? {
        var capacity = 64
        while true {
            var entries = [xdpshim_xsk_diag](repeating: xdpshim_xsk_diag(), count: capacity)
            let count = Int(xdpshim_xsk_diag_dump(&entries, UInt32(capacity)))
            if count == -Int(ENOENT) { return nil }
            try negativeErrno("dump the AF_XDP sockets of namespace \(namespace) (NETLINK_SOCK_DIAG)", Int32(count))
            // More sockets than room: dump again with room for them all (and a few that may have appeared).
            guard count <= capacity else { capacity = count + 16; continue }
            return entries.prefix(count).map { ObservedSocket(diag: $0) }
        }
    }
}

extension ObservedSocket {
    /// One entry of the sock_diag dump; the iterator's records come in the same form.
    init(diag entry: xdpshim_xsk_diag, owners: [Int32] = [], source: ObservedSockets.Source = .sockDiag) {
        func has(_ bit: Int) -> Bool { entry.present & UInt32(bit) != 0 }
        let stats = entry.stats
        self.init(
            inode: UInt64(entry.inode),
            ifindex: Int32(bitPattern: entry.info.ifindex),
            queue: Int(entry.info.queue_id),
            statistics: has(XDPSHIM_XSK_STATS)
                ? SocketStatistics(rxDropped: stats.n_rx_dropped, rxInvalidDescs: stats.n_rx_invalid,
                                   txInvalidDescs: stats.n_tx_invalid, rxRingFull: stats.n_rx_full,
                                   rxFillRingEmptyDescs: stats.n_fill_ring_empty, txRingEmptyDescs: stats.n_tx_ring_empty)
                : nil,
            rxRingEntries: has(XDPSHIM_XSK_RX_RING) ? entry.rx_ring_entries : nil,
            fillRingEntries: has(XDPSHIM_XSK_FILL_RING) ? entry.fill_ring_entries : nil,
            txRingEntries: has(XDPSHIM_XSK_TX_RING) ? entry.tx_ring_entries : nil,
            completionRingEntries: has(XDPSHIM_XSK_COMPLETION_RING) ? entry.completion_ring_entries : nil,
            umemID: has(XDPSHIM_XSK_UMEM) ? entry.umem.id : nil,
            zeroCopy: has(XDPSHIM_XSK_UMEM) ? entry.umem.flags & UInt32(XDP_DU_F_ZEROCOPY) != 0 : nil,
            owners: owners, source: source)
    }
}
