import Foundation
import AFXDPStack
import MapRing
import Sequencing
import Traffic
import Verification
import Evidence
import XSKSockets

/// The three receivers of a sequence lab behind one face, so the run, its faults and its judgement do not
/// care which one the lab chose.
protocol SequenceReceiver: AnyObject, Sendable {
    /// Makes the receiver ready to take packets: a late one is the `delay-registration` fault.
    func register() throws
    /// Stops the consumer reading for `nanoseconds` from now (`stall-consumer`).
    func stall(for nanoseconds: UInt64)
    /// Waits until whatever reached the receiver has been taken, or about `timeout` nanoseconds.
    func settle(timeout: UInt64)
    /// Sequence arrivals in the order the consumer took them.
    func arrivals() -> [SequenceArrival]
    /// The stalls the consumer actually took, CLOCK_MONOTONIC.
    func stallWindows() -> [StallWindow]
    func evidence() -> ReceiverEvidence
    /// Why the consumer stopped reading before the end, if it did: a dead reader looks like packet loss.
    var failure: String? { get }
    /// Stops the consumer; what it took stays readable.
    func stop()
}

extension SequenceReceiver {
    var failure: String? { nil }
}

/// The lab stack's AF_XDP socket on the sequence's queue; `ConsumerGate` stalls its drain loop.
final class AFXDPSequenceReceiver: SequenceReceiver {
    let stack: AFXDPStack
    let queue: Int
    let gate: ConsumerGate

    init(stack: AFXDPStack, queue: Int, gate: ConsumerGate) {
        self.stack = stack
        self.queue = queue
        self.gate = gate
    }

    func register() throws { try stack.perform(.register) }
    func stall(for nanoseconds: UInt64) { gate.stall(for: nanoseconds) }
    /// The drain loop takes a full RX ring in well under the timeout; its frames are only read once.
    func settle(timeout: UInt64) { MonotonicClock.wait(until: MonotonicClock.now() + timeout, spinBelow: 0) }

    func arrivals() -> [SequenceArrival] {
        stack.receivedPackets().compactMap { frame in
            guard frame.queue == queue, let sequence = frame.sequence else { return nil }
            return SequenceArrival(sequence: sequence, arrivalNanoseconds: frame.arrivalNanoseconds,
                                   sentNanoseconds: frame.sentNanoseconds)
        }
    }

    func stallWindows() -> [StallWindow] { gate.windows() }
    func evidence() -> ReceiverEvidence { .afXDP(stack.evidence().sockets[queue]) }
    func stop() {}
}

/// A kernel UDP socket in the stack's namespace; the lab's stack runs too, passing the port on.
final class UDPSocketSequenceReceiver: SequenceReceiver {
    let socket: UDPSequenceReceiver
    /// The namespace's UDP counters before the run, to report what grew.
    private let countersBefore: [String: UInt64]

    init(socket: UDPSequenceReceiver) {
        self.socket = socket
        countersBefore = (try? UDPSequenceReceiver.kernelCounters(namespace: socket.side.namespace)) ?? [:]
    }

    func register() throws { try socket.start() }
    func stall(for nanoseconds: UInt64) { socket.gate.stall(for: nanoseconds) }

    /// Until the count of datagrams taken stops growing for 50 ms.
    func settle(timeout: UInt64) {
        let deadline = MonotonicClock.now() + timeout
        var last = -1
        while MonotonicClock.now() < deadline {
            let current = socket.receivedCount
            if current == last && !socket.gate.isHolding { return }
            last = current
            usleep(50_000)
        }
    }

    func arrivals() -> [SequenceArrival] { socket.arrivals() }
    func stallWindows() -> [StallWindow] { socket.gate.windows() }

    func evidence() -> ReceiverEvidence {
        guard let after = try? UDPSequenceReceiver.kernelCounters(namespace: socket.side.namespace) else { return .none }
        return .udpSocket(counters: after.reduce(into: [:]) { grown, counter in
            grown[counter.key] = counter.value &- (countersBefore[counter.key] ?? 0)
        })
    }

    var failure: String? { socket.error.map { "the UDP socket's reader stopped: \($0)" } }

    func stop() { socket.stop() }
}

/// A map-ring program's ring, drained by `MapRingPoller`, which has stalls of its own.
final class MapRingSequenceReceiver: SequenceReceiver {
    let poller: MapRingPoller

    init(poller: MapRingPoller) { self.poller = poller }

    func register() throws { poller.start() }
    func stall(for nanoseconds: UInt64) { poller.stall(for: nanoseconds) }

    func settle(timeout: UInt64) {
        guard poller.startedAt > 0 else { return }
        _ = poller.waitUntilIdle(timeoutNanoseconds: timeout)
    }

    func arrivals() -> [SequenceArrival] { poller.arrivals() }
    func stallWindows() -> [StallWindow] { poller.stallWindows() }

    func evidence() -> ReceiverEvidence {
        guard let control = try? poller.control() else { return .none }
        return .mapRing(MapRingState(writeIndex: control.writeIndex, stored: control.stored, fullDrops: control.fullDrops,
                                     contentionDrops: control.contentionDrops, consumed: poller.readIndex,
                                     occupied: poller.occupiedSlots(), ringSize: poller.ringSize))
    }

    func stop() { poller.stop() }
}
