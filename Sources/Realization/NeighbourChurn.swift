import Foundation
import SystemSupport
import Synchronization

/// Forces ARP/ND re-resolution during a run by flushing the neighbour entries of chosen lab interfaces
/// at a fixed period.
///
/// A short reachable time alone is not enough: TCP confirms the neighbour on every ACK that advances, so
/// a busy session keeps its entry REACHABLE indefinitely and never re-resolves. In production the entry
/// eventually went through FAILED (the "SSH hung after ~30 s" incident); flushing reproduces that moment
/// every period, so a program that breaks ARP or ND stalls sessions within seconds.
public final class NeighbourChurn: Sendable {
    public struct Target: Sendable {
        public var namespace: String
        public var interface: String
        public init(namespace: String, interface: String) { self.namespace = namespace; self.interface = interface }
    }

    private let stopped = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let isStopped = Atomic<Bool>(false)

    public init(targets: [Target], period: Double) {
        Thread.detachNewThread { [self] in
            while stopped.wait(timeout: .now() + period) == .timedOut {
                for target in targets {
                    _ = try? RouteNetlink.flushNeighbours(target.interface, in: target.namespace)
                }
            }
            finished.signal()
        }
    }

    /// Stops flushing; idempotent.
    public func stop() {
        guard !isStopped.exchange(true, ordering: .acquiringAndReleasing) else { return }
        stopped.signal()
        finished.wait()
    }
}
