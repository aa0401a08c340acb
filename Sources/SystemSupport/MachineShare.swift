import Foundation
import Glibc
import Synchronization

/// How one lab shares the machine with the other labs of an `xdplab run --jobs N`, whose parent names a folder
/// of two lock files in `XDPLAB_SHARE`; without it (a lab run alone) every call does nothing.
///
/// Phases that use the CPU in bursts (building, judging, tearing down) hold the `busy` lock shared; a phase whose
/// verdict depends on having the cores (a sequence run, a load phase, traffic a lab declares timing-sensitive)
/// holds it exclusively; paced traffic, which sleeps between frames, holds nothing, so any number of labs send
/// beside each other and beside one timing-sensitive phase. The `gate` lock in front gives a waiting exclusive
/// phase precedence over labs about to start a burst: flock(2) alone lets shared holders starve it.
/// The kernel drops flock locks when a process dies, so a killed lab cannot wedge the others.
///
/// Paced traffic beside an exclusive phase still wakes up (its sender, its SSH sessions, its capture): a few per
/// cent of a core per lab, enough together to starve a receiver that needs most of one. So for the length of an
/// exclusive phase the process's threads run at the highest priority (nice −20), and go back to where they were
/// after it; a lab run alone never changes its priority.
public final class MachineShare: Sendable {
    public enum Phase: Sendable, Equatable {
        /// Building, judging or tearing down: short bursts of CPU that many labs may make at once.
        case busy
        /// Paced traffic: mostly asleep.
        case quiet
        /// Needs the cores to itself.
        case exclusive
    }

    /// The environment variable through which a parent `xdplab run` hands its children the lock folder.
    public static let environmentKey = "XDPLAB_SHARE"
    /// This process's share, from `XDPLAB_SHARE`.
    public static let current = MachineShare(folder: ProcessInfo.processInfo.environment[environmentKey])
    /// How long a phase waits for the machine before it goes on regardless (the parent bounds each lab anyway).
    static let waitLimit: Double = 600

    private struct Locks {
        let gate: Int32
        let busy: Int32
        var phase: Phase = .quiet
        /// The nice value the process started with, for threads started during an exclusive phase.
        let nice = getpriority(MachineShare.which, 0)
        /// Each thread's nice value before the exclusive phase, restored after it.
        var savedNice: [id_t: Int32] = [:]
    }

    private let locks: Mutex<Locks?>

    /// Opens (creating) the two lock files in `folder`; nil, or a folder that cannot be used, shares nothing.
    public init(folder: String?) {
        guard let folder,
              let gate = Self.open("\(folder)/gate.lock"), let busy = Self.open("\(folder)/busy.lock")
        else {
            locks = Mutex(nil)
            return
        }
        locks = Mutex(Locks(gate: gate, busy: busy))
    }

    /// Whether this process shares the machine with other labs.
    public var isShared: Bool { locks.withLock { $0 != nil } }

    /// Moves this process into `phase`, waiting (at most `waitLimit`) for the locks it needs; returns the seconds
    /// it waited, 0 when it did not share or did not have to wait.
    @discardableResult
    public func enter(_ phase: Phase) -> Double {
        locks.withLock { locks -> Double in
            guard var held = locks, held.phase != phase else { return 0 }
            let started = Date()
            Self.release(held)
            switch phase {
            case .quiet: break
            case .busy:
                // Through the gate: a waiting exclusive phase holds it, and goes first.
                Self.lock(held.gate, LOCK_SH)
                Self.lock(held.busy, LOCK_SH)
                _ = flock(held.gate, LOCK_UN)
            case .exclusive:
                Self.lock(held.gate, LOCK_EX)
                Self.lock(held.busy, LOCK_EX)
            }
            if phase == .exclusive {
                held.savedNice = Self.raisePriority()
            } else if held.phase == .exclusive {
                Self.restorePriority(held.savedNice, others: held.nice)
            }
            held.phase = phase
            locks = held
            return Date().timeIntervalSince(started)
        }
    }

    private static func release(_ held: Locks) {
        _ = flock(held.busy, LOCK_UN)
        _ = flock(held.gate, LOCK_UN)
    }

    /// Every thread of this process to nice −20, returning what each had: on Linux a nice value belongs to a
    /// thread, and the receiver's threads were started long before the phase (threads started later inherit their
    /// creator's). Without CAP_SYS_NICE the kernel refuses, and the threads keep theirs.
    private static func raisePriority() -> [id_t: Int32] {
        var saved: [id_t: Int32] = [:]
        for task in threads() {
            saved[task] = getpriority(which, task)
            _ = setpriority(which, task, -20)
        }
        return saved
    }

    /// Each thread back to its nice value from before the phase; threads started during it to `others`.
    private static func restorePriority(_ saved: [id_t: Int32], others: Int32) {
        for task in threads() { _ = setpriority(which, task, saved[task] ?? others) }
    }

    private static let which = __priority_which_t(PRIO_PROCESS.rawValue)

    private static func threads() -> [id_t] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { id_t($0) }
    }

    /// Takes `operation` on `descriptor`, polling so that the wait stays bounded and signals are still handled.
    private static func lock(_ descriptor: Int32, _ operation: Int32) {
        let deadline = Date().addingTimeInterval(waitLimit)
        while flock(descriptor, operation | LOCK_NB) != 0, Date() < deadline {
            usleep(5_000)
        }
    }

    /// Close-on-exec, so that a stack command or a watchdog the lab starts never holds a lock after the lab ends.
    private static func open(_ path: String) -> Int32? {
        let descriptor = Glibc.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        return descriptor >= 0 ? descriptor : nil
    }
}
