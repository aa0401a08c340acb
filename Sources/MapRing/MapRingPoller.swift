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

    private func poll() {
        _ = cmapring_set_timer_slack(1_000)
        var seenGeneration = UInt64.max
        var current = Commands()
        var read: UInt64 = 0
        var arrivals: [SequenceArrival] = []
        var payloads: [MapRingPayload] = []
        var foreign = 0
        var idleSince: UInt64?
        let data = UnsafeMutableRawBufferPointer.allocate(byteCount: MapRingLayout.slotDataCapacity, alignment: 8)
        defer { data.deallocate() }
        let started = withShared { $0.startedAt }
        let plan = options.stalls

        func flush() {
            guard !arrivals.isEmpty || !payloads.isEmpty || foreign > 0 else { return }
            let arrivalChunk = arrivals, payloadChunk = payloads, foreignCount = foreign
            arrivals = []
            arrivals.reserveCapacity(Self.chunk)
            payloads = []
            foreign = 0
            withShared { shared in
                if !arrivalChunk.isEmpty { shared.arrivalChunks.append(arrivalChunk) }
                if !payloadChunk.isEmpty { shared.payloadChunks.append(payloadChunk) }
                shared.foreign += foreignCount
            }
        }
        arrivals.reserveCapacity(Self.chunk)

        while true {
            let latest = generation.load(ordering: .acquiring)
            if latest != seenGeneration {
                current = withShared { _ in commands }
                seenGeneration = latest
            }
            if current.stop { break }

            // Stalled? paused, a manual stall, or the plan.
            var stallEnd: UInt64?
            if current.paused {
                stallEnd = .max
            } else if current.manualStallEnd > 0 || !plan.isEmpty {
                let now = MonotonicClock.now()
                if current.manualStallEnd > now { stallEnd = current.manualStallEnd }
                if let planned = plan.window(at: now - started), started + planned.start >= current.resumedAt {
                    stallEnd = max(stallEnd ?? 0, started + planned.end)
                }
            }
            if let stallEnd {
                flush()
                enterStall()
                let now = MonotonicClock.now()
                // Nap in short steps so resume() and stop() are noticed quickly.
                if stallEnd > now { nap(min(stallEnd - now, 1_000_000)) }
                idleSince = nil
                continue
            }
            if stalledNow.load(ordering: .relaxed) { leaveStall() }

            var stamp: UInt64 = 0
            let length = cmapring_take(ring.slot(read), MapRingLayout.slotValid,
                                       data.baseAddress!.assumingMemoryBound(to: UInt8.self), UInt32(data.count), &stamp)
            if length >= 0 {
                let bytes = UnsafeRawBufferPointer(rebasing: data[0..<Int(length)])
                if let payload = SequencePayload(payload: bytes) {
                    arrivals.append(SequenceArrival(sequence: payload.sequence, arrivalNanoseconds: stamp,
                                                    sentNanoseconds: payload.sentNanoseconds))
                } else {
                    foreign += 1
                }
                if options.keepPayloads {
                    payloads.append(MapRingPayload(readIndex: read, arrivalNanoseconds: stamp, bytes: Array(bytes)))
                }
                read += 1
                readCounter.store(read, ordering: .releasing)
                idleSince = nil
                if arrivals.count >= Self.chunk || payloads.count >= Self.chunk { flush() }
                continue
            }

            // Nothing ready at the read index.
            flush()
            idlePolls.add(1, ordering: .releasing)
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
        flush()
        if stalledNow.load(ordering: .relaxed) { leaveStall() }
        withShared { shared in
            shared.finished = true
            shared.parked = false
        }
        condition.broadcast()
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
