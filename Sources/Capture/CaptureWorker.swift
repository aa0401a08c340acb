import Foundation
import Glibc
import CLibPcap
import Packets

/// The capture thread: polls both taps, dumps and indexes frames, and drains them when asked to stop.
///
/// Counters are touched only by the capture thread until `done` is signalled; `finish()` reads them after.
final class CaptureWorker: @unchecked Sendable {
    // @unchecked: the pcap handles and counters belong to the capture thread until it signals `done`; `finish()`
    // reads them after.
    private let both: PcapHandle
    private let incoming: PcapHandle
    private let dumper: PcapDumper
    private let started: timeval
    private let file: String

    private var frames = 0
    private var arpFrames = 0
    private var neighbourDiscoveryFrames = 0
    private var tagged: [UInt64: Double] = [:]
    private var result: CaptureResult?
    private var failure: String?

    private let stopLock = NSLock()
    private var stopRequested = false
    private let done = DispatchSemaphore(value: 0)

    /// How long one poll waits; bounds how late a stop request is noticed.
    static let pollMilliseconds: Int32 = 20
    /// Draining ends after a poll this long finds nothing new, or after `drainLimit` rounds.
    static let quietMilliseconds: Int32 = 30
    static let drainLimit = 50

    init(both: PcapHandle, incoming: PcapHandle, dumper: PcapDumper, file: String, started: timeval) {
        self.file = file
        self.both = both
        self.incoming = incoming
        self.dumper = dumper
        self.started = started
    }

    func launch(name: String) {
        let thread = Thread { self.run() }
        thread.name = name
        thread.start()
    }

    func finish() -> CaptureResult {
        stopLock.withLock { stopRequested = true }
        done.wait()
        return result!
    }

    private var shouldStop: Bool { stopLock.withLock { stopRequested } }

    private func run() {
        var live = [both, incoming]
        while !shouldStop {
            if live.isEmpty { usleep(UInt32(Self.pollMilliseconds) * 1000); continue }
            _ = round(&live, waiting: Self.pollMilliseconds)
        }
        // Frames already queued on the taps belong to the run: read until the taps stay quiet.
        for _ in 0..<Self.drainLimit where !live.isEmpty {
            if round(&live, waiting: Self.quietMilliseconds) == 0 { break }
        }
        let dropped = both.droppedFrames &+ incoming.droppedFrames
        dumper.close()
        result = CaptureResult(file: file, frames: frames, tagged: tagged, arpFrames: arpFrames,
                               neighbourDiscoveryFrames: neighbourDiscoveryFrames, droppedByCapture: dropped,
                               failure: failure)
        done.signal()
    }

    /// Waits up to `waiting` ms for frames, then reads everything both taps hold. Returns the frames read.
    /// A tap that fails (its interface vanished) is dropped from `live` so the loop cannot spin on it.
    private func round(_ live: inout [PcapHandle], waiting: Int32) -> Int {
        var fds = live.map { pollfd(fd: $0.selectableDescriptor, events: Int16(POLLIN), revents: 0) }
        _ = poll(&fds, nfds_t(fds.count), waiting)
        var read = 0
        var failed: [ObjectIdentifier] = []
        for handle in live {
            let count = dispatch(handle)
            if count >= 0 { read += Int(count); continue }
            failed.append(ObjectIdentifier(handle))
            let why = "capture on \(handle.interface) stopped early: \(handle.lastError)"
            failure = failure.map { "\($0); \(why)" } ?? why
        }
        live.removeAll { failed.contains(ObjectIdentifier($0)) }
        return read
    }

    /// Reads every frame the tap holds now. The corresponding C function is `pcap_dispatch`.
    private func dispatch(_ handle: PcapHandle) -> Int32 {
        let context = Unmanaged.passUnretained(self).toOpaque().assumingMemoryBound(to: UInt8.self)
        if handle === both {
            return pcap_dispatch(handle.pcap, -1, { context, header, bytes in
                guard let context, let header, let bytes else { return }
                Unmanaged<CaptureWorker>.fromOpaque(context).takeUnretainedValue().recordAny(header, bytes)
            }, context)
        }
        return pcap_dispatch(handle.pcap, -1, { context, header, bytes in
            guard let context, let header, let bytes else { return }
            Unmanaged<CaptureWorker>.fromOpaque(context).takeUnretainedValue().recordIncoming(header, bytes)
        }, context)
    }

    /// A frame in either direction: into the file, and counted if the hosts' own neighbour resolution sent it
    /// (untagged ARP or ND: the injected, tagged ones prove nothing about re-resolution).
    private func recordAny(_ header: UnsafePointer<pcap_pkthdr>, _ bytes: UnsafePointer<UInt8>) {
        dumper.write(header, bytes)
        frames += 1
        let frame = UnsafeBufferPointer(start: bytes, count: Int(header.pointee.caplen))
        let kind = FrameKind.of(frame)
        guard kind != .other, PacketTag.find(in: frame) == nil else { return }
        if kind == .arp { arpFrames += 1 } else { neighbourDiscoveryFrames += 1 }
    }

    /// An incoming frame: index its tag with the first time it was seen.
    private func recordIncoming(_ header: UnsafePointer<pcap_pkthdr>, _ bytes: UnsafePointer<UInt8>) {
        guard let id = PacketTag.find(in: UnsafeBufferPointer(start: bytes, count: Int(header.pointee.caplen))),
              tagged[id] == nil else { return }
        let stamp = header.pointee.ts
        tagged[id] = Double(stamp.tv_sec - started.tv_sec) + Double(stamp.tv_usec - started.tv_usec) / 1_000_000
    }
}
