/// A span of time, nanoseconds on one clock (an offset from a run's start, or CLOCK_MONOTONIC).
public struct StallWindow: Sendable, Hashable {
    public var start: UInt64
    public var end: UInt64

    public init(start: UInt64, end: UInt64) {
        self.start = start
        self.end = max(start, end)
    }

    public init(start: UInt64, duration: UInt64) {
        self.init(start: start, end: start + duration)
    }

    public var duration: UInt64 { end - start }
    public func contains(_ time: UInt64) -> Bool { time >= start && time < end }
}

/// When a consumer should stop consuming (fault injection): single windows and/or one every period.
/// Times are offsets in nanoseconds from the moment the consumer starts.
public struct StallPlan: Sendable, Hashable {
    public struct Periodic: Sendable, Hashable {
        public var every: UInt64
        public var duration: UInt64
        public var firstAt: UInt64

        public init(every: UInt64, duration: UInt64, firstAt: UInt64) {
            self.every = every
            self.duration = duration
            self.firstAt = firstAt
        }
    }

    public var windows: [StallWindow]
    public var periodic: Periodic?

    public init(windows: [StallWindow] = [], periodic: Periodic? = nil) {
        self.windows = windows
        self.periodic = periodic
    }

    public static let none = StallPlan()

    /// One stall of `duration` starting `at` nanoseconds after the start.
    public static func once(at start: UInt64, for duration: UInt64) -> StallPlan {
        StallPlan(windows: [StallWindow(start: start, duration: duration)])
    }

    /// A stall of `duration` every `period`, the first at `firstAt` (default: one period in).
    public static func periodic(every period: UInt64, for duration: UInt64, firstAt: UInt64? = nil) -> StallPlan {
        precondition(period > 0, "a stall period must be longer than zero")
        return StallPlan(periodic: Periodic(every: period, duration: min(duration, period), firstAt: firstAt ?? period))
    }

    public var isEmpty: Bool { windows.isEmpty && periodic == nil }

    /// The planned stall covering `offset`, or nil when the consumer should be running at `offset`.
    /// Where windows overlap, the one ending last.
    public func window(at offset: UInt64) -> StallWindow? {
        var found: StallWindow?
        for window in windows where window.contains(offset) && window.end > (found?.end ?? 0) { found = window }
        if let periodic, periodic.duration > 0, offset >= periodic.firstAt {
            let start = offset - (offset - periodic.firstAt) % periodic.every
            let window = StallWindow(start: start, duration: periodic.duration)
            if window.contains(offset) && window.end > (found?.end ?? 0) { found = window }
        }
        return found
    }

    /// When the stall covering `offset` ends, or nil when the consumer should be running at `offset`.
    public func stallEnd(at offset: UInt64) -> UInt64? { window(at: offset)?.end }

    /// Every planned window that starts before `horizon`, in start order (for plots and reports).
    public func windows(before horizon: UInt64) -> [StallWindow] {
        var result = windows.filter { $0.start < horizon && $0.duration > 0 }
        if let periodic, periodic.duration > 0 {
            var start = periodic.firstAt
            while start < horizon {
                result.append(StallWindow(start: start, duration: periodic.duration))
                start += periodic.every
            }
        }
        return result.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    }
}
