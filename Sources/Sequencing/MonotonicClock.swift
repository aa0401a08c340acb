#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CLOCK_MONOTONIC in nanoseconds: the clock `bpf_ktime_get_ns` reads in the kernel, so send stamps
/// taken here and arrival stamps taken by an XDP program can be subtracted. The C function is `clock_gettime`.
public enum MonotonicClock {
    public static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }

    /// Returns at or just after `deadline`. Sleeps while more than `spinBelow` nanoseconds remain, then
    /// spins: a sleep alone overshoots by tens of microseconds, far more than a 1 µs pacing interval.
    public static func wait(until deadline: UInt64, spinBelow: UInt64 = 100_000) {
        while true {
            let current = now()
            if current >= deadline { return }
            let remaining = deadline - current
            if remaining > spinBelow {
                let nap = remaining - spinBelow
                var request = timespec(tv_sec: Int(nap / 1_000_000_000), tv_nsec: Int(nap % 1_000_000_000))
                _ = nanosleep(&request, nil)
            }
        }
    }
}
