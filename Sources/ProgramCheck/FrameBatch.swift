/// Every runnable frame of one check, packed back to back for the C loop: the corpus cases first, grouped
/// by class in table order, then the three sweeps. Each class is one contiguous range of frame indexes.
/// The corpus runs on every queue; the sweeps run on every queue too (the default), or each value on one
/// queue in turn, which takes a quarter of the runs on four queues.
struct FrameBatch {
    struct Segment: Sendable {
        let caseClass: CaseClass
        let range: Range<Int>
        /// The sweep behind this range, or nil for corpus cases.
        let sweep: Int?
    }

    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [UInt64] = []
    private(set) var lengths: [UInt32] = []
    /// `FrameExpectation` raw values, one per frame.
    private(set) var expectations: [UInt8] = []
    private(set) var segments: [Segment] = []
    /// For the corpus frames (indexes below `cases.count`): which case each one is.
    private(set) var cases: [CheckCase] = []
    let sweeps: [Sweep]
    /// Frames below this index run on every queue; later ones on one queue each.
    let everyQueueCount: Int

    var count: Int { lengths.count }

    init(cases allCases: [CheckCase], sweeps: [Sweep], ports: Set<UInt16>, sweepQueues: CheckOptions.SweepQueues = .every) {
        self.sweeps = sweeps
        let runnableCount = allCases.filter(\.isRunnable).count
        everyQueueCount = sweepQueues == .every ? runnableCount + sweeps.count * Sweep.count : runnableCount
        let runnable = allCases.filter(\.isRunnable)
        // Stable: within a class, cases keep the corpus order.
        cases = runnable.enumerated().sorted { ($0.element.caseClass, $0.offset) < ($1.element.caseClass, $1.offset) }
            .map(\.element)
        // Sized once and filled through pointers: appending 196,608 sweep frames one by one is slow in debug builds.
        let total = cases.count + sweeps.count * Sweep.count
        var layout: [(offset: Int, length: Int)] = []
        layout.reserveCapacity(cases.count)
        var cursor = 0
        for item in cases {
            layout.append((cursor, item.frame.count))
            cursor += item.frame.count
        }
        var sweepBases: [Int] = []
        for sweep in sweeps {
            sweepBases.append(cursor)
            cursor += sweep.frameLength * Sweep.count
        }
        bytes = [UInt8](repeating: 0, count: cursor)
        bytes.withUnsafeMutableBytes { buffer in
            for (item, place) in zip(cases, layout) {
                item.frame.withUnsafeBytes {
                    buffer.baseAddress!.advanced(by: place.offset).copyMemory(from: $0.baseAddress!, byteCount: place.length)
                }
            }
            for (sweep, base) in zip(sweeps, sweepBases) {
                sweep.write(into: UnsafeMutableRawBufferPointer(rebasing: buffer[base..<base + sweep.frameLength * Sweep.count]))
            }
        }
        offsets = Array(unsafeUninitializedCapacity: total) { buffer, count in
            var index = 0
            for place in layout { buffer[index] = UInt64(place.offset); index += 1 }
            for (sweep, base) in zip(sweeps, sweepBases) {
                for value in 0..<Sweep.count { buffer[index] = UInt64(base + value * sweep.frameLength); index += 1 }
            }
            count = index
        }
        lengths = Array(unsafeUninitializedCapacity: total) { buffer, count in
            var index = 0
            for place in layout { buffer[index] = UInt32(place.length); index += 1 }
            for sweep in sweeps {
                buffer.baseAddress!.advanced(by: index).initialize(repeating: UInt32(sweep.frameLength), count: Sweep.count)
                index += Sweep.count
            }
            count = index
        }
        expectations.reserveCapacity(total)
        for item in cases { expectations.append(item.expectation(ports: ports).rawValue) }
        for sweep in sweeps { expectations += sweep.expectations }

        var start = 0
        for (index, item) in cases.enumerated() where index + 1 == cases.count || cases[index + 1].caseClass != item.caseClass {
            segments.append(Segment(caseClass: item.caseClass, range: start..<index + 1, sweep: nil))
            start = index + 1
        }
        for number in sweeps.indices {
            let first = cases.count + number * Sweep.count
            segments.append(Segment(caseClass: sweeps[number].caseClass, range: first..<first + Sweep.count, sweep: number))
        }
    }

    /// The case name and frame bytes of frame `index`.
    func describe(_ index: Int) -> (name: String, frame: [UInt8]) {
        if index < cases.count { return (cases[index].name, cases[index].frame) }
        let (sweep, value) = sweepPosition(index)
        return (sweeps[sweep].caseName(at: value), sweeps[sweep].frame(at: value))
    }

    /// For a sweep frame: which sweep and which value.
    func sweepPosition(_ index: Int) -> (sweep: Int, value: Int) {
        let relative = index - cases.count
        return (relative / Sweep.count, relative % Sweep.count)
    }

    func segment(containing index: Int) -> Segment {
        segments.first { $0.range.contains(index) }!
    }
}
