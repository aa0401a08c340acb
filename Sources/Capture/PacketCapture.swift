import Foundation
import Glibc
import CLibPcap
import SystemSupport

/// A live libpcap capture on one interface of a lab namespace, written to a pcap file and indexed by tag.
///
/// Two taps are opened on the interface. One sees both directions and feeds the file and the ARP/ND
/// counters; the other sees incoming frames only (`pcap_setdirection(PCAP_D_IN)`) and feeds the tag
/// index, because libpcap does not report a frame's direction for Ethernet links and frames the host
/// sends (echo replies, ICMP errors quoting a packet) can carry tags too. Taps run after XDP, so the
/// incoming tap sees exactly what XDP passed to the kernel.
public final class PacketCapture: @unchecked Sendable {
    // @unchecked: its result is guarded by `lock`; the worker owns the pcap handles (see `CaptureWorker`).
    public let file: String
    private let worker: CaptureWorker
    private let lock = NSLock()
    private var result: CaptureResult?

    private init(file: String, worker: CaptureWorker) {
        self.file = file
        self.worker = worker
    }

    /// Opens a live capture on `interface` inside network namespace `namespace` (handles created on a
    /// namespace thread via `NetworkNamespace.run`; they keep that namespace): immediate mode, snaplen
    /// 2048, promiscuous off. A thread writes every frame to `file` (pcap format, `pcap_dump`) and
    /// indexes it. Creates the file's folder.
    public static func start(namespace: String, interface: String, file: String) throws -> PacketCapture {
        let folder = URL(fileURLWithPath: file).deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var started = timeval()
        gettimeofday(&started, nil)
        let (both, incoming) = try NetworkNamespace.run(namespace) {
            (try PcapHandle(interface: interface, direction: PCAP_D_INOUT),
             try PcapHandle(interface: interface, direction: PCAP_D_IN))
        }
        let dumper = try PcapDumper(handle: both, file: file)
        let worker = CaptureWorker(both: both, incoming: incoming, dumper: dumper, file: file, started: started)
        worker.launch(name: "capture \(namespace):\(interface)")
        return PacketCapture(file: file, worker: worker)
    }

    /// Stops after draining what is buffered, closes the file and returns what was seen. Idempotent:
    /// later calls return the same result.
    public func stop() -> CaptureResult {
        lock.withLock {
            if let result { return result }
            let finished = worker.finish()
            result = finished
            return finished
        }
    }

    deinit { _ = stop() }
}

/// Writes frames to a pcap file. The corresponding C functions are `pcap_dump_open`, `pcap_dump`,
/// `pcap_dump_close`.
final class PcapDumper {
    let dumper: OpaquePointer
    private var closed = false

    init(handle: PcapHandle, file: String) throws {
        guard let dumper = pcap_dump_open(handle.pcap, file) else {
            throw CaptureError("create pcap file \(file)", reason: handle.lastError)
        }
        self.dumper = dumper
    }

    func write(_ header: UnsafePointer<pcap_pkthdr>, _ bytes: UnsafePointer<UInt8>) {
        pcap_dump(UnsafeMutablePointer<UInt8>(dumper), header, bytes)
    }

    func close() {
        guard !closed else { return }
        closed = true
        pcap_dump_close(dumper)
    }

    deinit { close() }
}
