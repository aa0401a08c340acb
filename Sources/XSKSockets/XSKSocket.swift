import Foundation
import Synchronization
import Glibc
import CLibBPF
import Evidence
import Packets
import SystemSupport
import BPFSupport
import Sequencing

/// One AF_XDP socket with a UMEM of its own, bound to one RX queue in copy mode, and the thread that
/// drains it. Created with libxdp's `xsk_umem__create` and `xsk_socket__create`; libxdp is told not to
/// load a program of its own (`XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD`): the program under test is the one
/// that redirects here.
public final class XSKSocket: @unchecked Sendable {
    // @unchecked: its C rings are consumed only by the poll thread once it runs; set-up and `close()` happen before
    // it starts and after it ends.
    public let queue: Int
    private let frameSize: Int
    private let area: UnsafeMutableRawPointer
    private let areaSize: Int
    // Zeroed on purpose: libxdp leaves some cached indexes (the fill ring's cached_prod) as it finds them,
    // and garbage there makes the first fill land on the wrong ring slots.
    private let fill = UnsafeMutablePointer<xsk_ring_prod>.zeroed()
    private let completion = UnsafeMutablePointer<xsk_ring_cons>.zeroed()
    private let rx = UnsafeMutablePointer<xsk_ring_cons>.zeroed()
    private var umem: OpaquePointer?
    private var socket: OpaquePointer?
    private var poller: Poller?
    /// Stalls the drain loop on purpose (sequence labs' fault injection); nil: never stalls.
    private let gate: ConsumerGate?

    /// The socket's descriptor: the value written into the XSKMAP.
    public var fd: Int32 { socket.map { xsk_socket__fd($0) } ?? -1 }

    /// Must run on a thread inside the interface's network namespace: the socket binds there.
    public init(interface: String, queue: Int, options: XSKSocketOptions) throws {
        self.queue = queue
        gate = options.gate
        frameSize = options.frameSize
        areaSize = options.umemFrames * options.frameSize
        // The UMEM must be page-aligned; anonymous memory is. Registering it pins its pages and charges them to
        // RLIMIT_MEMLOCK unless the process has CAP_IPC_LOCK (root has; without it the registration fails with ENOBUFS).
        let mapped = mmap(nil, areaSize, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        guard let mapped, mapped != UnsafeMutableRawPointer(bitPattern: -1) else {
            let code = Glibc.errno
            fill.deallocate(); completion.deallocate(); rx.deallocate()
            throw SystemError("map \(areaSize) bytes of UMEM for queue \(queue)", errno: code)
        }
        area = mapped
        do {
            try create(interface: interface, options: options)
        } catch {
            close()
            throw error
        }
    }

    private func create(interface: String, options: XSKSocketOptions) throws {
        let ring = UInt32(options.ringSize)
        var umemConfig = xsk_umem_config(fill_size: ring, comp_size: ring, frame_size: UInt32(frameSize),
                                         frame_headroom: 0, flags: 0)
        try BPFLog.withMessages { messages in
            var created: OpaquePointer?
            let result = xsk_umem__create(&created, area, UInt64(areaSize), fill, completion, &umemConfig)
            if result < 0 {
                throw Self.failure("create UMEM for \(interface) queue \(queue)", -result, messages())
            }
            umem = created
        }
        var socketConfig = xsk_socket_config()
        socketConfig.rx_size = ring
        socketConfig.tx_size = 0
        socketConfig.libxdp_flags = UInt32(XSK_LIBXDP_FLAGS__INHIBIT_PROG_LOAD)
        socketConfig.xdp_flags = 0
        socketConfig.bind_flags = UInt16(XDP_COPY)   // veth has no zero-copy
        try BPFLog.withMessages { messages in
            var created: OpaquePointer?
            let result = xsk_socket__create(&created, interface, UInt32(queue), umem, rx, nil, &socketConfig)
            if result < 0 {
                throw Self.failure("create AF_XDP socket on \(interface) queue \(queue) (copy mode)", -result, messages())
            }
            socket = created
        }
        // Hand the kernel its first frames.
        let count = UInt32(min(options.initialFill, options.ringSize, options.umemFrames))
        var index: UInt32 = 0
        guard xsk_ring_prod__reserve(fill, count, &index) == count else {
            throw SystemError("reserve \(count) slots on the fill ring of queue \(queue)", errno: ENOSPC)
        }
        for i in 0..<count {
            xsk_ring_prod__fill_addr(fill, index &+ i).pointee = UInt64(i) * UInt64(frameSize)
        }
        xsk_ring_prod__submit(fill, count)
    }

    /// EPERM means this process may not open AF_XDP sockets at all: a missing capability, not a lab error.
    private static func failure(_ attempted: String, _ code: Int32, _ log: String) -> Error {
        let error = SystemError(attempted, errno: code, extra: log)
        guard code == EPERM else { return error }
        return CapabilityError(capability: "AF_XDP sockets (CAP_NET_RAW, CAP_NET_ADMIN)", detail: error.description)
    }

    /// Starts the thread that drains the RX ring, reports the frames of each batch in one call and, when
    /// `refill` is set, gives them back to the fill ring before reporting them. `poll()` wakes it at least
    /// every 100 ms, so `close()` is prompt. Load-phase frames are not reported: they go to `loadCounts`,
    /// counted per template.
    public func startPolling(refill: Bool, loadCounts: LoadCounts,
                             report: @escaping @Sendable ([ReceivedFrame]) -> Void) {
        guard poller == nil, socket != nil else { return }
        let poller = Poller()
        self.poller = poller
        let thread = Thread { [self] in
            self.drain(until: poller, refill: refill, loadCounts: loadCounts, report: report)
            poller.finished.signal()
        }
        thread.name = "xsk-queue-\(queue)"
        thread.start()
    }

    /// Frames taken off the RX ring at once. The kernel fills the ring in NAPI polls of up to 64 frames; a
    /// consumer that fell behind catches up in fewer, larger steps.
    static let batch: UInt32 = 256

    private func drain(until poller: Poller, refill: Bool, loadCounts: LoadCounts, report: ([ReceivedFrame]) -> Void) {
        var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        var returned = [UInt64]()
        returned.reserveCapacity(Int(Self.batch))
        var received = [ReceivedFrame]()
        received.reserveCapacity(Int(Self.batch))
        var loadHits = [Int]()
        loadHits.reserveCapacity(Int(Self.batch))
        while !poller.stopRequested {
            gate?.holdIfStalled { poller.stopRequested }
            var index: UInt32 = 0
            var count = xsk_ring_cons__peek(rx, Self.batch, &index)
            if count == 0 {
                // Sleep in poll() only when the ring is empty: a consumer that is behind goes straight on.
                guard poll(&descriptor, 1, 100) > 0 else { continue }
                count = xsk_ring_cons__peek(rx, Self.batch, &index)
                guard count > 0 else { continue }
            }
            let nanoseconds = MonotonicClock.now()
            for i in 0..<count {
                let entry = xsk_ring_cons__rx_desc(rx, index &+ i)!.pointee
                let bytes = UnsafeRawBufferPointer(start: xsk_umem__get_data(area, entry.addr), count: Int(entry.len))
                if refill { returned.append(entry.addr - entry.addr % UInt64(frameSize)) }
                let id = PacketTag.find(in: bytes)
                if let id, let slot = LoadTag.slot(of: id) {
                    loadHits.append(slot)
                    continue
                }
                let sequenced = SequencedFrame.payload(in: bytes)
                received.append(ReceivedFrame(id: id, queue: queue, arrivalNanoseconds: nanoseconds,
                                              sequence: sequenced?.sequence, sentNanoseconds: sequenced?.sentNanoseconds))
            }
            // The frames are read: hand the buffers back first, so the kernel has them while the batch is recorded.
            xsk_ring_cons__release(rx, count)
            if refill {
                giveBack(returned)
                returned.removeAll(keepingCapacity: true)
            }
            if !loadHits.isEmpty {
                loadCounts.add(loadHits)
                loadHits.removeAll(keepingCapacity: true)
            }
            if !received.isEmpty {
                report(received)
                received.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Puts frames back on the fill ring. There is always room: only frames taken from it come back.
    private func giveBack(_ frames: [UInt64]) {
        var index: UInt32 = 0
        let count = UInt32(frames.count)
        guard xsk_ring_prod__reserve(fill, count, &index) == count else { return }
        for (i, address) in frames.enumerated() {
            xsk_ring_prod__fill_addr(fill, index &+ UInt32(i)).pointee = address
        }
        xsk_ring_prod__submit(fill, count)
    }

    /// The socket's counters (getsockopt SOL_XDP / XDP_STATISTICS).
    public func statistics() throws -> SocketStatistics {
        var stats = xdp_statistics()
        var length = socklen_t(MemoryLayout<xdp_statistics>.size)
        try syscall("read XDP_STATISTICS of the AF_XDP socket on queue \(queue)") {
            getsockopt(fd, SOL_XDP, XDP_STATISTICS, &stats, &length)
        }
        return SocketStatistics(rxDropped: stats.rx_dropped, rxInvalidDescs: stats.rx_invalid_descs,
                                txInvalidDescs: stats.tx_invalid_descs, rxRingFull: stats.rx_ring_full,
                                rxFillRingEmptyDescs: stats.rx_fill_ring_empty_descs,
                                txRingEmptyDescs: stats.tx_ring_empty_descs)
    }

    /// Stops the poller, then deletes the socket (which also leaves every XSKMAP) and the UMEM. Idempotent.
    public func close() {
        if let poller {
            poller.requestStop()
            poller.finished.wait()
            self.poller = nil
        }
        if let socket { xsk_socket__delete(socket) }
        socket = nil
        if let umem { _ = xsk_umem__delete(umem) }
        umem = nil
    }

    deinit {
        close()
        munmap(area, areaSize)
        fill.deallocate()
        completion.deallocate()
        rx.deallocate()
    }

    private final class Poller: Sendable {
        private let stop = Atomic<Bool>(false)
        let finished = DispatchSemaphore(value: 0)
        var stopRequested: Bool { stop.load(ordering: .acquiring) }
        func requestStop() { stop.store(true, ordering: .releasing) }
    }
}

private extension UnsafeMutablePointer {
    /// One value's worth of memory, every byte zero (the C structs here have a zero initializer).
    static func zeroed() -> UnsafeMutablePointer<Pointee> {
        let pointer = UnsafeMutablePointer<Pointee>.allocate(capacity: 1)
        UnsafeMutableRawPointer(pointer).initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<Pointee>.size)
        return pointer
    }
}
