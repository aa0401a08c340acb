import Foundation
import Glibc
import Synchronization
import CMapRing
import BPFSupport
import SystemSupport
import Sequencing

/// The user-space consumer of a map ring: polls slot[read % N] and, when its flag says valid, copies the
/// payload out, frees the slot and moves on. It never skips a slot, as the published poller did not: that
/// is what lets the buggy ring's runaway write index show as reordering.
///
/// Fault injection: `pause()`/`resume()`, `stall(for:)` and a `StallPlan` make it stop consuming while
/// the XDP program keeps producing. Arrivals (payloads that parse as a `SequencePayload`) feed a
/// `SequenceChecker`; the stalls it actually took feed a `RingOccupancyPlot`.
///
/// Call `stop()` when done: the poll thread keeps the poller alive until then.
public final class MapRingPoller: @unchecked Sendable {
    // @unchecked: the poll thread owns the loop's locals; everything shared is an atomic or guarded by `condition`.

    public let options: Options
    /// Slots in the ring (the map's max_entries).
    public var ringSize: Int { ring.slots }

    let ring: MappedRing
    let controlFD: Int32

    /// Bumped whenever `commands` change, so the loop looks at them without taking the lock each poll.
    private let generation = Atomic<UInt64>(0)
    private let readCounter = Atomic<UInt64>(0)
    private let idlePolls = Atomic<UInt64>(0)
    private let stalledNow = Atomic<Bool>(false)

    private let condition = NSCondition()
    private var commands = Commands()
    private var shared = Shared()

    private struct Commands {
        var stop = false
        var paused = false
        var manualStallEnd: UInt64 = 0
        /// Planned windows that began before this time (CLOCK_MONOTONIC) were ended early by `resume()`.
        var resumedAt: UInt64 = 0
    }

    private struct Shared {
        var running = false
        var finished = false
        var parked = false
        var startedAt: UInt64 = 0
        /// Filled in chunks handed over whole, so a flush never copies what came before: a long run's
        /// array doubling would otherwise stall the poll thread for as long as the ring lasts.
        var arrivalChunks: [[SequenceArrival]] = []
        var payloadChunks: [[MapRingPayload]] = []
        var foreign = 0
        var stalls: [StallWindow] = []
        var openStall: UInt64?
    }

    /// - Parameters: the loaded object's `ring_slots` and `ring_control` map descriptors. Both are
    ///   duplicated: the caller may close its own.
    public init(ringMapFD: Int32, controlMapFD: Int32, options: Options = Options()) throws {
        let control = try BPFMapInfo(fd: controlMapFD)
        guard control.valueSize == MapRingLayout.controlSize, control.keySize == 4, control.maxEntries >= 1 else {
            throw SystemError("map ring control of map \(control.name) (\(control.keySize)-byte keys, "
                              + "\(control.valueSize)-byte values): expected struct map_ring_control of "
                              + "\(MapRingLayout.controlSize) bytes", errno: EINVAL)
        }
        ring = try MappedRing(ringMapFD: ringMapFD)
        controlFD = try syscall("duplicate control map fd \(controlMapFD)") { fcntl(controlMapFD, F_DUPFD_CLOEXEC, 0) }
        self.options = options
    }

    /// Takes the maps from a loaded map_ring / map_ring_overwrite object.
    public convenience init(object: BPFObject, options: Options = Options()) throws {
        guard let ringMap = object.map(named: MapRingLayout.ringMapName),
              let controlMap = object.map(named: MapRingLayout.controlMapName) else {
            throw SystemError("find maps \(MapRingLayout.ringMapName) and \(MapRingLayout.controlMapName) "
                              + "in \(object.fileName)", errno: ENOENT)
        }
        try self.init(ringMapFD: ringMap.fd, controlMapFD: controlMap.fd, options: options)
    }

    deinit {
        stop()
        close(controlFD)
    }

    // MARK: running

    /// Starts the poll thread. A poller runs once.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        precondition(!shared.running && !shared.finished, "a MapRingPoller starts once")
        shared.running = true
        shared.startedAt = MonotonicClock.now()
        let thread = Thread { [self] in poll() }
        thread.name = "map-ring-poller"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Stops the poll thread and waits for it; what it consumed stays readable. Safe to call twice.
    public func stop() {
        condition.lock()
        defer { condition.unlock() }
        guard shared.running else { return }
        commands.stop = true
        generation.add(1, ordering: .releasing)
        while !shared.finished { condition.wait() }
        shared.running = false
    }

    /// Stops consuming until `resume()`. Returns once the poller has parked, so nothing is consumed after it.
    public func pause() {
        condition.lock()
        defer { condition.unlock() }
        commands.paused = true
        generation.add(1, ordering: .releasing)
        while shared.running && !shared.finished && !shared.parked { condition.wait() }
    }

    /// Ends the current stall, whatever caused it (`pause()`, `stall(for:)` or the plan); later planned
    /// stalls still happen.
    public func resume() {
        condition.lock()
        commands.paused = false
        commands.manualStallEnd = 0
        commands.resumedAt = MonotonicClock.now()
        generation.add(1, ordering: .releasing)
        condition.unlock()
    }

    /// Stops consuming for `nanoseconds` from now (fault injection). Returns once the poller has parked,
    /// or the stall is already over; it resumes by itself.
    public func stall(for nanoseconds: UInt64) {
        let end = MonotonicClock.now() + nanoseconds
        condition.lock()
        defer { condition.unlock() }
        commands.manualStallEnd = max(commands.manualStallEnd, end)
        generation.add(1, ordering: .releasing)
        while shared.running && !shared.finished && !shared.parked && MonotonicClock.now() < end {
            _ = condition.wait(until: Date(timeIntervalSinceNow: 0.001))
        }
    }

    // MARK: observing

    /// Slots consumed so far (the read index).
    public var readIndex: UInt64 { readCounter.load(ordering: .acquiring) }

    /// Whether the poller is stalled on purpose right now.
    public var isStalled: Bool { stalledNow.load(ordering: .acquiring) }

    /// The producer's write index and counters. The C function is `bpf_map_lookup_elem_flags`.
    public func control() throws -> MapRingControl { try MapRingControl(controlMapFD: controlFD) }

    /// Slots holding an unconsumed packet now.
    public func occupiedSlots() -> Int { ring.occupied() }

    /// Every slot's flag: 0 free, 1 valid, 2 being written.
    public func slotStates() -> [UInt32] { ring.states() }

    /// Sequence-payload arrivals in the order they were consumed.
    public func arrivals() -> [SequenceArrival] { Array(withShared { $0.arrivalChunks }.joined()) }

    /// Slots whose payload was not a sequence payload.
    public var foreignPayloads: Int { withShared { $0.foreign } }

    /// Raw slot contents, when `Options.keepPayloads` is set.
    public func payloads() -> [MapRingPayload] { Array(withShared { $0.payloadChunks }.joined()) }

    /// Stalls the poller took, CLOCK_MONOTONIC; one still going is shown ending now.
    public func stallWindows() -> [StallWindow] {
        withShared { shared in
            shared.stalls + (shared.openStall.map { [StallWindow(start: $0, end: MonotonicClock.now())] } ?? [])
        }
    }

    /// CLOCK_MONOTONIC when `start()` ran, 0 before.
    public var startedAt: UInt64 { withShared { $0.startedAt } }

    /// The arrivals judged against the sequence numbers the sender sent.
    public func report(expected: Range<UInt64>? = nil, gapLimit: Int = 10) -> SequenceReport {
        SequenceChecker.check(arrivals(), expected: expected, gapLimit: gapLimit)
    }

    /// Waits until the poller has found the slot at its read index not ready after this call began, i.e.
    /// it consumed everything it could. False on timeout (a paused poller never gets there).
    public func waitUntilIdle(timeoutNanoseconds: UInt64 = 2_000_000_000) -> Bool {
        let target = idlePolls.load(ordering: .acquiring) + 2
        return waitFor(timeoutNanoseconds) { self.idlePolls.load(ordering: .acquiring) >= target }
    }

    /// Waits until at least `count` slots were consumed. False on timeout.
    public func waitUntilConsumed(_ count: UInt64, timeoutNanoseconds: UInt64 = 2_000_000_000) -> Bool {
        waitFor(timeoutNanoseconds) { self.readIndex >= count }
    }

    private func waitFor(_ timeout: UInt64, _ done: () -> Bool) -> Bool {
        let deadline = MonotonicClock.now() + timeout
        while !done() {
            if MonotonicClock.now() >= deadline || withShared({ $0.finished }) { return done() }
            usleep(50)
        }
        return true
    }

    private func withShared<T>(_ body: (inout Shared) -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body(&shared)
    }

    // MARK: the poll thread

    /// What the poll thread collected since it last handed over: kept local, so the hot path takes no lock.
    private struct Collected {
        var arrivals: [SequenceArrival] = []
        var payloads: [MapRingPayload] = []
        var foreign = 0

        init() { arrivals.reserveCapacity(MapRingPoller.chunk) }

        var isEmpty: Bool { arrivals.isEmpty && payloads.isEmpty && foreign == 0 }
        var isFull: Bool { arrivals.count >= MapRingPoller.chunk || payloads.count >= MapRingPoller.chunk }
    }

    private func poll() {
        _ = cmapring_set_timer_slack(1_000)
        var seenGeneration = UInt64.max
        var current = Commands()
        var read: UInt64 = 0
        var collected = Collected()
        var idleSince: UInt64?
        let data = UnsafeMutableRawBufferPointer.allocate(byteCount: MapRingLayout.slotDataCapacity, alignment: 8)
        defer { data.deallocate() }
        let started = withShared { $0.startedAt }

        while true {
            let latest = generation.load(ordering: .acquiring)
            if latest != seenGeneration {
                current = withShared { _ in commands }
                seenGeneration = latest
            }
            if current.stop { break }

            if let stallEnd = stallEnd(current, started: started) {
                hand(&collected)
                enterStall()
                let now = MonotonicClock.now()
                // Nap in short steps so resume() and stop() are noticed quickly.
                if stallEnd > now { nap(min(stallEnd - now, 1_000_000)) }
                idleSince = nil
                continue
            }
            if stalledNow.load(ordering: .relaxed) { leaveStall() }

            if take(slot: read, into: data, &collected) {
                read += 1
                readCounter.store(read, ordering: .releasing)
                idleSince = nil
                if collected.isFull { hand(&collected) }
                continue
            }
            // Nothing ready at the read index.
            hand(&collected)
            idlePolls.add(1, ordering: .releasing)
            idle(since: &idleSince)
        }
        hand(&collected)
        if stalledNow.load(ordering: .relaxed) { leaveStall() }
        withShared { shared in
            shared.finished = true
            shared.parked = false
        }
        condition.broadcast()
    }

    /// When the stall in force ends (`.max` while paused), or nil when the poller may read: paused, a manual
    /// stall, or the plan's window (unless `resume()` came after that window began).
    private func stallEnd(_ current: Commands, started: UInt64) -> UInt64? {
        if current.paused { return .max }
        let plan = options.stalls
        guard current.manualStallEnd > 0 || !plan.isEmpty else { return nil }
        let now = MonotonicClock.now()
        var end: UInt64? = current.manualStallEnd > now ? current.manualStallEnd : nil
        if let planned = plan.window(at: now - started), started + planned.start >= current.resumedAt {
            end = max(end ?? 0, started + planned.end)
        }
        return end
    }

    /// Takes the packet in the slot at `read` into `collected`; false when that slot is not ready.
    private func take(slot read: UInt64, into data: UnsafeMutableRawBufferPointer, _ collected: inout Collected) -> Bool {
        var stamp: UInt64 = 0
        let length = cmapring_take(ring.slot(read), MapRingLayout.slotValid,
                                   data.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(data.count), &stamp)
        guard length >= 0 else { return false }
        let bytes = UnsafeRawBufferPointer(rebasing: data[0..<Int(length)])
        if let payload = SequencePayload(payload: bytes) {
            collected.arrivals.append(SequenceArrival(sequence: payload.sequence, arrivalNanoseconds: stamp,
                                                      sentNanoseconds: payload.sentNanoseconds))
        } else {
            collected.foreign += 1
        }
        if options.keepPayloads {
            collected.payloads.append(MapRingPayload(readIndex: read, arrivalNanoseconds: stamp, bytes: Array(bytes)))
        }
        return true
    }

    /// Hands what was collected to the readers, under the lock, and starts afresh.
    private func hand(_ collected: inout Collected) {
        guard !collected.isEmpty else { return }
        let handed = collected
        collected = Collected()
        withShared { shared in
            if !handed.arrivals.isEmpty { shared.arrivalChunks.append(handed.arrivals) }
            if !handed.payloads.isEmpty { shared.payloadChunks.append(handed.payloads) }
            shared.foreign += handed.foreign
        }
    }

    /// After finding nothing to take: go on at once, nap, or nap once the spin time has passed.
    private func idle(since idleSince: inout UInt64?) {
        switch options.idle {
        case .busyPoll:
            break
        case .sleep(let nanoseconds):
            nap(nanoseconds)
        case .adaptive(let spin, let sleep):
            let now = MonotonicClock.now()
            if let since = idleSince {
                if now - since >= spin { nap(sleep) }
            } else {
                idleSince = now
            }
        }
    }

    /// Arrivals handed from the poll thread to readers at a time.
    private static let chunk = 1024

    private func enterStall() {
        guard !stalledNow.load(ordering: .relaxed) else { return }
        stalledNow.store(true, ordering: .releasing)
        withShared { shared in
            shared.openStall = MonotonicClock.now()
            shared.parked = true
        }
        condition.broadcast()
    }

    private func leaveStall() {
        withShared { shared in
            if let start = shared.openStall { shared.stalls.append(StallWindow(start: start, end: MonotonicClock.now())) }
            shared.openStall = nil
            shared.parked = false
        }
        stalledNow.store(false, ordering: .releasing)
    }

    private func nap(_ nanoseconds: UInt64) {
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        _ = nanosleep(&request, nil)
    }
}
