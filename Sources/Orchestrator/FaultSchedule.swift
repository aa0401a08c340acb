import Foundation
import LabModel
import Sequencing

/// Plays a sequence lab's faults on a thread of its own, each at its time after the run's first packet:
/// stalls go to the receiver, a late registration registers it, a reattach bounces the XDP program.
/// `finish()` lets a fault that is under way end, drops those whose time never came, and says what happened.
final class FaultSchedule: @unchecked Sendable {
    // @unchecked: `pending`, `cancelled`, `finished` and `outcome` are guarded by `condition`, which also lets the
    // fault thread sleep until the next fault or `finish()`; every other property is an immutable Sendable.

    /// What the faults did, CLOCK_MONOTONIC.
    struct Outcome {
        /// When the receiver registered late: the window before it, from well before the first packet.
        var unregistered: StallWindow?
        /// When no program was attached.
        var detached: [StallWindow] = []
        /// Faults whose time came after the last packet, so they never happened.
        var skipped: [String] = []
        var errors: [String] = []
    }

    private struct Pending {
        var offset: UInt64
        var fault: SequenceFault
    }

    private let start: UInt64
    private let receiver: SequenceReceiver
    private let bounce: @Sendable (UInt64) throws -> StallWindow
    private let progress: Progress
    private let condition = NSCondition()
    private var pending: [Pending]
    private var cancelled = false
    private var finished = false
    private var outcome = Outcome()

    /// - Parameters:
    ///   - start: CLOCK_MONOTONIC when packet 0 is due; every fault time counts from it.
    ///   - bounce: detaches the XDP program, waits the given nanoseconds, attaches it again; returns the gap.
    init(faults: [SequenceFault], start: UInt64, receiver: SequenceReceiver, progress: Progress,
         bounce: @escaping @Sendable (UInt64) throws -> StallWindow) {
        self.start = start
        self.receiver = receiver
        self.bounce = bounce
        self.progress = progress
        pending = faults.map { fault in
            switch fault {
            case .stallConsumer(let at, _), .reattach(let at, _): return Pending(offset: at, fault: fault)
            case .stallConsumerPeriodically(_, _, let firstAt): return Pending(offset: firstAt, fault: fault)
            case .delayRegistration(let delay): return Pending(offset: delay, fault: fault)
            }
        }
        let thread = Thread { [self] in run() }
        thread.name = "sequence-faults"
        thread.start()
    }

    /// Waits for a fault under way, cancels the rest and returns what happened. Safe to call twice.
    func finish() -> Outcome {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        condition.broadcast()
        while !finished { condition.wait() }
        return outcome
    }

    private func run() {
        condition.lock()
        while !cancelled, let next = pending.indices.min(by: { pending[$0].offset < pending[$1].offset }) {
            let due = start + pending[next].offset
            let now = MonotonicClock.now()
            if due > now {
                // Sleep on the condition so `finish()` is heard; the last stretch is spun for precision.
                if due - now > 2_000_000 {
                    _ = condition.wait(until: Date(timeIntervalSinceNow: Double(due - now - 1_000_000) / 1e9))
                    continue
                }
                condition.unlock()
                MonotonicClock.wait(until: due)
                condition.lock()
                if cancelled { break }
            }
            let item = pending.remove(at: next)
            if case .stallConsumerPeriodically(let every, _, _) = item.fault {
                pending.append(Pending(offset: item.offset + every, fault: item.fault))
            }
            condition.unlock()
            perform(item.fault)
            condition.lock()
        }
        outcome.skipped = pending.filter { if case .stallConsumerPeriodically = $0.fault { return false } else { return true } }
            .map(\.fault.name)
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    private func perform(_ fault: SequenceFault) {
        switch fault {
        case .stallConsumer(_, let duration), .stallConsumerPeriodically(_, let duration, _):
            receiver.stall(for: duration)
        case .delayRegistration:
            do {
                try receiver.register()
                let registered = MonotonicClock.now()
                record { $0.unregistered = StallWindow(start: self.start > 1_000_000_000 ? self.start - 1_000_000_000 : 0,
                                                       end: registered) }
                progress("faults: receiver registered \(DurationText.nanoseconds(registered - start)) after the first packet")
            } catch {
                record { $0.errors.append("delay-registration: \(error)") }
            }
        case .reattach(_, let duration):
            do {
                let gap = try bounce(duration)
                record { $0.detached.append(gap) }
                progress("faults: program detached for \(DurationText.nanoseconds(gap.duration)), attached again")
            } catch {
                record { $0.errors.append("reattach: \(error)") }
            }
        }
    }

    private func record(_ change: (inout Outcome) -> Void) {
        condition.lock()
        change(&outcome)
        condition.unlock()
    }
}
