import Foundation
import Glibc
import CLibBPF
import SystemSupport
import Evidence
import LabModel

/// Puts planned frames on the sender's interface.
///
/// One AF_PACKET raw socket per RX queue, each opened inside the sender's namespace, bound to the
/// sender's interface and carrying `SO_MARK = QueueSteering.mark(forQueue:)`, so the steering program
/// sends its frames to that queue. Frames go through the normal transmit path (no
/// PACKET_QDISC_BYPASS), which is where the tc egress hook runs.
public final class Injector {
    public let endpoints: TrafficEndpoints
    private var sockets: [Int32]

    public init(endpoints: TrafficEndpoints) throws {
        self.endpoints = endpoints
        // One socket per queue, each marked for its queue, so a frame's queue picks its socket.
        var opened: [Int32] = []
        do {
            for queue in 0..<max(1, endpoints.queues) {
                opened.append(try SteeredPacketSocket.open(endpoints.sender, queue: queue))
            }
        } catch {
            opened.forEach { _ = Glibc.close($0) }
            throw error
        }
        sockets = opened
    }

    /// Sends `frames` in order, frame i at `startedAt + i × duration / count`, so they spread evenly
    /// over `duration` seconds; a frame that falls behind goes at once. `startedAt` (a
    /// `TrafficClock.now()` value, default: now) is the origin of the returned `sentAt` times.
    /// `progress` hears (sent, total) about a hundred times over the run.
    public func send(_ frames: [PlannedFrame], over duration: Double, startedAt: Double? = nil,
                     progress: ((Int, Int) -> Void)?) throws -> [InjectedPacket] {
        guard !sockets.isEmpty else { throw SystemError("send on a closed injector", errno: EBADF) }
        let origin = startedAt ?? TrafficClock.now()
        let start = TrafficClock.now()
        let spacing = frames.isEmpty ? 0 : max(0, duration) / Double(frames.count)
        let step = max(1, frames.count / 100)
        var records: [InjectedPacket] = []
        records.reserveCapacity(frames.count)
        for (index, planned) in frames.enumerated() {
            guard planned.queue >= 0 && planned.queue < sockets.count else {
                throw SystemError("send frame \(planned.id) to queue \(planned.queue) of \(sockets.count)", errno: EINVAL)
            }
            TrafficClock.sleep(until: start + Double(index) * spacing)
            try transmit(planned, on: sockets[planned.queue])
            records.append(InjectedPacket(id: planned.id, trafficClass: planned.packetClass.rawValue, queue: planned.queue,
                                          matching: planned.matching, flow: planned.flow, sentAt: TrafficClock.now() - origin))
            if let progress, (index + 1) % step == 0 || index + 1 == frames.count { progress(index + 1, frames.count) }
        }
        return records
    }

    /// One `send(2)`. A full transmit queue (ENOBUFS, EAGAIN) is waited out briefly, since the
    /// receiver drains it; anything else, or a queue that stays full for a second, is an error.
    private func transmit(_ planned: PlannedFrame, on fd: Int32) throws {
        let deadline = TrafficClock.now() + 1
        while true {
            let sent = planned.frame.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) }
            if sent == planned.frame.count { return }
            let code = sent < 0 ? errno : EMSGSIZE
            let retry = code == EINTR || ((code == ENOBUFS || code == EAGAIN) && TrafficClock.now() < deadline)
            if !retry {
                throw SystemError("send frame \(planned.id) (\(planned.flow)) on \(endpoints.sender.namespace):\(endpoints.sender.interface)",
                                  errno: code)
            }
            if code != EINTR { usleep(200) }
        }
    }

    /// Closes the sockets; safe to call twice.
    public func close() {
        sockets.forEach { _ = Glibc.close($0) }
        sockets = []
    }

    deinit { close() }
}
