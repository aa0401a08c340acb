import Foundation
import Glibc
import Sequencing

/// Samples a map ring during a run: every `interval` it reads the write index (control map), the poller's
/// read index and how many slots hold unconsumed packets, then writes the samples as CSV and the picture
/// as SVG, next to the run's capture.
public final class RingWatch: @unchecked Sendable {
    // @unchecked: samples and flags are only touched under `condition`.
    public let poller: MapRingPoller
    public let intervalNanoseconds: UInt64

    private let condition = NSCondition()
    private var samples: [RingSample] = []
    /// Every slot's flag at each sample, in the same order as `samples`.
    private var slotSnapshots: [RingSlotSnapshot] = []
    private var running = false
    private var stopRequested = false
    private var finished = false
    private var failure: String?

    public init(poller: MapRingPoller, intervalNanoseconds: UInt64 = 1_000_000) {
        precondition(intervalNanoseconds > 0, "a sampling interval must be longer than zero")
        self.poller = poller
        self.intervalNanoseconds = intervalNanoseconds
    }

    deinit { stop() }

    /// One sample now. The write index is read through a system call, the rest from the mapped ring. The
    /// writer and the poller move while they are read, so a sample is taken again until both indices held
    /// still across it (a few tries at most); indices from different moments would show the reader ahead of
    /// the writer, or the writer further ahead than it ever was.
    public func sample() throws -> RingSample {
        var taken = try snapshot()
        for _ in 0..<Self.snapshotTries where !taken.isSteady {
            taken = try snapshot()
        }
        return taken.sample
    }

    private static let snapshotTries = 16

    private func snapshot() throws -> (sample: RingSample, isSteady: Bool) {
        let readBefore = poller.readIndex
        let writeBefore = try poller.control().writeIndex
        let occupied = poller.occupiedSlots()
        let stalled = poller.isStalled
        let writeAfter = try poller.control().writeIndex
        let readAfter = poller.readIndex
        let sample = RingSample(time: MonotonicClock.now(), writeIndex: writeAfter, readIndex: readBefore,
                                occupied: occupied, ringSize: poller.ringSize, stalled: stalled)
        return (sample, readBefore == readAfter && writeBefore == writeAfter)
    }

    /// Starts sampling on a thread of its own. Sampling runs once.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        precondition(!running && !finished, "a RingWatch starts once")
        running = true
        let thread = Thread { [self] in run() }
        thread.name = "map-ring-watch"
        thread.start()
    }

    /// Takes a last sample, stops sampling and returns every sample. Safe to call twice.
    @discardableResult
    public func stop() -> [RingSample] {
        condition.lock()
        defer { condition.unlock() }
        if running {
            stopRequested = true
            condition.broadcast()
            while !finished { condition.wait() }
            running = false
        }
        return samples
    }

    /// The samples so far.
    public var collected: [RingSample] {
        condition.lock()
        defer { condition.unlock() }
        return samples
    }

    /// Each sample's slot flags (0 free, 1 valid, 2 being written), taken right after the sample.
    public var collectedSlotStates: [RingSlotSnapshot] {
        condition.lock()
        defer { condition.unlock() }
        return slotSnapshots
    }

    /// Why sampling ended early (the control map could not be read), if it did.
    public var error: String? {
        condition.lock()
        defer { condition.unlock() }
        return failure
    }

    private func run() {
        var next = MonotonicClock.now()
        condition.lock()
        while !stopRequested {
            condition.unlock()
            let taken = Result { (try sample(), poller.slotStates()) }
            condition.lock()
            switch taken {
            case .success(let (sample, states)):
                samples.append(sample)
                slotSnapshots.append(RingSlotSnapshot(time: sample.time, states: states))
            case .failure(let error): failure = "\(error)"; stopRequested = true
            }
            next += intervalNanoseconds
            let now = MonotonicClock.now()
            if next <= now { next = now + intervalNanoseconds }   // fell behind: skip, do not burst
            let wait = Double(next - now) / 1e9
            if !stopRequested { _ = condition.wait(until: Date(timeIntervalSinceNow: wait)) }
        }
        if failure == nil, let last = try? sample() {
            samples.append(last)
            slotSnapshots.append(RingSlotSnapshot(time: last.time, states: poller.slotStates()))
        }
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    // MARK: output

    /// Where the samples of a run captured in `pcapPath` go: "run.pcap" gives "run.ring.csv" and "run.ring.svg".
    public static func companionPaths(forCapture pcapPath: String) -> (csv: String, svg: String) {
        let base = pcapPath.hasSuffix(".pcap") ? String(pcapPath.dropLast(5))
            : pcapPath.hasSuffix(".pcapng") ? String(pcapPath.dropLast(7)) : pcapPath
        return (base + ".ring.csv", base + ".ring.svg")
    }

    /// The samples and the poller's stall windows as a picture.
    public func plot(title: String) -> RingOccupancyPlot {
        RingOccupancyPlot(title: title, samples: collected, stalls: poller.stallWindows())
    }

    /// Writes the CSV and the SVG beside `pcapPath`; returns their paths.
    @discardableResult
    public func write(besideCapture pcapPath: String, title: String) throws -> (csv: String, svg: String) {
        let paths = Self.companionPaths(forCapture: pcapPath)
        try RingSample.csv(collected).write(toFile: paths.csv, atomically: true, encoding: .utf8)
        try plot(title: title).svg().write(toFile: paths.svg, atomically: true, encoding: .utf8)
        return paths
    }
}
