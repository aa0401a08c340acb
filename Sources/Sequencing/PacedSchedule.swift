/// When each packet of a sequenced run is due.
///
/// Deadlines are fixed offsets from the start (start + i × interval), never "interval after the previous
/// send": a late packet does not push the rest of the run back, so the mean rate holds.
public struct PacedSchedule: Sendable, Hashable {
    public enum Pacing: Sendable, Hashable {
        /// One packet every `nanoseconds`; 0 means as fast as possible.
        case interval(nanoseconds: UInt64)
        case asFastAsPossible
    }

    public enum Extent: Sendable, Hashable {
        case count(Int)
        case duration(nanoseconds: UInt64)
    }

    public let pacing: Pacing
    public let extent: Extent

    public init(pacing: Pacing, extent: Extent) {
        self.pacing = pacing
        self.extent = extent
    }

    /// The pacing interval, nil when sending as fast as possible.
    public var interval: UInt64? {
        if case .interval(let nanoseconds) = pacing, nanoseconds > 0 { return nanoseconds }
        return nil
    }

    /// How many packets the run sends, when that is known before it starts
    /// (not for "as fast as possible for a duration").
    public var plannedCount: Int? {
        switch extent {
        case .count(let count): return max(count, 0)
        case .duration(let duration):
            guard let interval else { return nil }
            return Int((duration + interval - 1) / interval)
        }
    }

    /// Nanoseconds after the start when packet `index` (from 0) is due; nil when the run has no such packet
    /// by count. "As fast as possible" packets are all due at once (offset 0).
    public func offset(ofPacket index: Int) -> UInt64? {
        guard index >= 0 else { return nil }
        if let planned = plannedCount, index >= planned { return nil }
        return UInt64(index) * (interval ?? 0)
    }

    public func deadline(ofPacket index: Int, start: UInt64) -> UInt64? {
        offset(ofPacket: index).map { start + $0 }
    }

    /// Every deadline, when the number of packets is known in advance.
    public func deadlines(start: UInt64) -> [UInt64]? {
        guard let planned = plannedCount else { return nil }
        return (0..<planned).map { start + UInt64($0) * (interval ?? 0) }
    }

    /// Whether a sender that started at `start` and has sent `sent` packets is done at `now`.
    public func isFinished(sent: Int, start: UInt64, now: UInt64) -> Bool {
        switch extent {
        case .count(let count): return sent >= count
        case .duration(let duration):
            if let planned = plannedCount, sent >= planned { return true }
            return now >= start + duration
        }
    }

    /// Sends a whole run on the calling thread: waits for each deadline, calls `send(index)` and records
    /// when it returned. The result feeds `PacingReport`.
    public func run(start: UInt64 = MonotonicClock.now(), send: (Int) throws -> Void) rethrows -> [UInt64] {
        var sendTimes: [UInt64] = []
        if let planned = plannedCount { sendTimes.reserveCapacity(planned) }
        var index = 0
        while !isFinished(sent: index, start: start, now: MonotonicClock.now()) {
            guard let deadline = deadline(ofPacket: index, start: start) else { break }
            if interval != nil { MonotonicClock.wait(until: deadline) }
            try send(index)
            sendTimes.append(MonotonicClock.now())
            index += 1
        }
        return sendTimes
    }
}
