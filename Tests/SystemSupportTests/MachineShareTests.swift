import Foundation
import Glibc
import Synchronization
import Testing
import SystemSupport

/// Each `MachineShare` opens its own lock files, so two in one process contend like two labs in two processes.
@Suite("MachineShare: how the labs of one parallel run share the machine")
struct MachineShareTests {
    let folder: String

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("share-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    /// Runs `body` on a thread of its own; the returned flag turns true when it has returned.
    private func inBackground(_ body: @escaping @Sendable () -> Void) -> DoneFlag {
        let done = DoneFlag()
        Thread.detachNewThread {
            body()
            done.value.store(true, ordering: .sequentiallyConsistent)
        }
        return done
    }

    /// Whether someone holds the gate exclusively (a waiting exclusive phase), polled until `seconds` pass.
    private func gateClosed(within seconds: Double) -> Bool {
        let fd = open("\(folder)/gate.lock", O_RDWR | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if flock(fd, LOCK_SH | LOCK_NB) != 0 { return true }
            _ = flock(fd, LOCK_UN)
            usleep(5_000)
        }
        return false
    }

    @Test("an exclusive phase waits for a busy one to end, and a busy one for an exclusive one")
    func exclusiveExcludesBusy() {
        let first = MachineShare(folder: folder), second = MachineShare(folder: folder)
        #expect(first.isShared && second.isShared)
        first.enter(.busy)
        let exclusive = inBackground { second.enter(.exclusive) }
        usleep(200_000)
        #expect(!exclusive.isDone, "the exclusive phase started while another lab was busy")
        first.enter(.quiet)
        #expect(exclusive.waitDone(seconds: 2), "the exclusive phase never started after the busy one ended")
        let busy = inBackground { first.enter(.busy) }
        usleep(200_000)
        #expect(!busy.isDone, "a busy phase started during an exclusive one")
        second.enter(.busy)
        #expect(busy.waitDone(seconds: 2), "busy phases share the machine")
    }

    @Test("quiet phases run beside an exclusive phase")
    func quietBesideExclusive() {
        let first = MachineShare(folder: folder), second = MachineShare(folder: folder)
        first.enter(.exclusive)
        let quiet = inBackground { second.enter(.quiet) }
        #expect(quiet.waitDone(seconds: 1))
        first.enter(.quiet)
    }

    @Test("a waiting exclusive phase goes before labs that start a burst after it asked")
    func exclusiveHasPrecedence() {
        let holder = MachineShare(folder: folder), sensitive = MachineShare(folder: folder)
        let latecomer = MachineShare(folder: folder)
        holder.enter(.busy)
        let exclusive = inBackground { sensitive.enter(.exclusive) }
        #expect(gateClosed(within: 2), "the exclusive phase never took the gate")
        let late = inBackground { latecomer.enter(.busy) }
        usleep(200_000)
        #expect(!late.isDone, "a new burst slipped in ahead of the waiting exclusive phase")
        holder.enter(.quiet)
        #expect(exclusive.waitDone(seconds: 2))
        #expect(!late.isDone)
        sensitive.enter(.quiet)
        #expect(late.waitDone(seconds: 2))
        latecomer.enter(.quiet)
    }

    @Test("an exclusive phase raises every thread of the process to nice -20, and its end puts each back",
          .enabled(if: geteuid() == 0, "needs root (CAP_SYS_NICE) to raise a priority"))
    func exclusiveRaisesPriority() {
        let which = __priority_which_t(PRIO_PROCESS.rawValue)
        let before = getpriority(which, 0)
        // A thread started before the phase: its nice value must move too. It is the task that appears.
        let tasks = { Set(((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []).compactMap { id_t($0) }) }
        let existing = tasks()
        let release = DispatchSemaphore(value: 0)
        Thread.detachNewThread { release.wait() }
        var started: Set<id_t> = []
        for _ in 0..<200 where started.isEmpty {
            usleep(5_000)
            started = tasks().subtracting(existing)
        }
        guard let tid = started.first else {
            Issue.record("the worker thread never appeared in /proc/self/task")
            return
        }
        let share = MachineShare(folder: folder)
        share.enter(.exclusive)
        #expect(getpriority(which, 0) == -20)
        #expect(getpriority(which, tid) == -20, "a thread started before the phase kept its priority")
        share.enter(.busy)
        #expect(getpriority(which, 0) == before)
        #expect(getpriority(which, tid) == before)
        release.signal()
        share.enter(.quiet)
    }

    @Test("without a folder nothing is shared and nothing waits")
    func alone() {
        let share = MachineShare(folder: nil)
        #expect(!share.isShared)
        #expect(share.enter(.exclusive) == 0)
    }
}

/// Set by a background thread when its call returned.
private final class DoneFlag: Sendable {
    let value = Atomic<Bool>(false)
    var isDone: Bool { value.load(ordering: .sequentiallyConsistent) }

    func waitDone(seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !isDone, Date() < deadline { usleep(10_000) }
        return isDone
    }
}
