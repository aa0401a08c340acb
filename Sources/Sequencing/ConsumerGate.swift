#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Fault injection for a consumer that drains in a loop of its own (an AF_XDP socket's poller, a UDP
/// socket's reader): another thread calls `stall(for:)`, the consumer calls `holdIfStalled` between batches
/// and stops reading until the stall is over. It records the stalls it actually took, on CLOCK_MONOTONIC,
/// so losses can be set against them. (The map-ring poller has stalls of its own.)
public final class ConsumerGate: Sendable {
    /// CLOCK_MONOTONIC nanoseconds until which the consumer must not read; 0 when no stall is due.
    private let stalledUntil = Atomic<UInt64>(0)
    private let holding = Atomic<Bool>(false)
    private let taken = Mutex<[StallWindow]>([])

    public init() {}

    /// Makes the consumer stop reading for `nanoseconds` from now; a stall already running longer is kept.
    public func stall(for nanoseconds: UInt64) {
        let end = MonotonicClock.now() + nanoseconds
        var current = stalledUntil.load(ordering: .acquiring)
        while current < end {
            let (exchanged, found) = stalledUntil.compareExchange(expected: current, desired: end,
                                                                  ordering: .acquiringAndReleasing)
            if exchanged { break }
            current = found
        }
    }

    /// Whether the consumer is parked in `holdIfStalled` right now.
    public var isHolding: Bool { holding.load(ordering: .acquiring) }

    /// For the consumer, between batches: returns at once unless a stall is due (one atomic load), else naps
    /// in steps of at most 1 ms until it is over or `shouldStop()` says so.
    public func holdIfStalled(shouldStop: () -> Bool = { false }) {
        guard stalledUntil.load(ordering: .acquiring) != 0 else { return }
        let start = MonotonicClock.now()
        var until = stalledUntil.load(ordering: .acquiring)
        guard start < until else {
            _ = stalledUntil.compareExchange(expected: until, desired: 0, ordering: .acquiringAndReleasing)
            return
        }
        holding.store(true, ordering: .releasing)
        while true {
            let now = MonotonicClock.now()
            until = stalledUntil.load(ordering: .acquiring)
            if now >= until || shouldStop() { break }
            let nap = min(until - now, 1_000_000)
            var request = timespec(tv_sec: 0, tv_nsec: Int(nap))
            _ = nanosleep(&request, nil)
        }
        _ = stalledUntil.compareExchange(expected: until, desired: 0, ordering: .acquiringAndReleasing)
        let end = MonotonicClock.now()
        taken.withLock { $0.append(StallWindow(start: start, end: end)) }
        holding.store(false, ordering: .releasing)
    }

    /// The stalls the consumer took, CLOCK_MONOTONIC, in order. Several consumers may share a gate (one per
    /// socket); a stall they took together is one window.
    public func windows() -> [StallWindow] {
        var merged: [StallWindow] = []
        for window in taken.withLock({ $0 }).sorted(by: { $0.start < $1.start }) {
            if let last = merged.last, window.start <= last.end {
                merged[merged.count - 1] = StallWindow(start: last.start, end: max(last.end, window.end))
            } else {
                merged.append(window)
            }
        }
        return merged
    }
}
