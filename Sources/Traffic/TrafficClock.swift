import Glibc
import Sequencing

/// The monotonic clock that `sentAt` and session times are measured on (CLOCK_MONOTONIC), so that
/// injection and sessions started by one orchestrator can share one origin.
public enum TrafficClock {
    /// Seconds on CLOCK_MONOTONIC.
    public static func now() -> Double {
        Double(MonotonicClock.now()) / 1e9
    }

    /// Sleeps until `deadline` (a `now()` value); returns at once if it has passed.
    static func sleep(until deadline: Double) {
        while true {
            let remaining = deadline - now()
            guard remaining > 0 else { return }
            var request = timespec(tv_sec: Int(remaining), tv_nsec: Int((remaining - Double(Int(remaining))) * 1e9))
            var left = timespec()
            if nanosleep(&request, &left) == 0 { return }
        }
    }
}
