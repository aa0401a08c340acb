import Evidence
import Verification

/// Where the packets of each traffic class went on each RX queue: the grid the HTML page draws, so that a reader
/// sees at once which queue and which class went wrong.
public struct FateGrid: Sendable, Codable, Equatable {
    /// RX queues of the stack's link, numbered 0 to `queueCount` - 1.
    public let queueCount: Int
    /// Queues with a socket registered in the XSKMAP (at some point of the run).
    public let socketQueues: [Int]
    /// Seconds since the start of traffic when the sockets were registered, when that happened during traffic.
    public let socketsRegisteredAt: Double?
    /// One cell per class and queue that had packets, classes in the order they were first sent.
    public let cells: [FateCell]

    public init(queueCount: Int, socketQueues: [Int], socketsRegisteredAt: Double?, cells: [FateCell]) {
        self.queueCount = queueCount
        self.socketQueues = socketQueues
        self.socketsRegisteredAt = socketsRegisteredAt
        self.cells = cells
    }

    /// Counts every injected packet into its cell, with where it went and where it had to go.
    public init(_ observations: Observations) {
        struct Key: Hashable { let trafficClass: String; let queue: Int }
        var order: [Key] = []
        var tallies: [Key: FateCell.Tally] = [:]
        for packet in observations.injected {
            let key = Key(trafficClass: packet.trafficClass, queue: packet.queue)
            if tallies[key] == nil { order.append(key) }
            tallies[key, default: FateCell.Tally()].add(packet, observations)
        }
        let classes = order.map(\.trafficClass).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        let cells = classes.flatMap { name in
            order.filter { $0.trafficClass == name }.sorted { $0.queue < $1.queue }.map { key in
                FateCell(trafficClass: key.trafficClass, queue: key.queue, tally: tallies[key]!)
            }
        }
        self.init(queueCount: observations.queueCount, socketQueues: observations.socketQueues.sorted(),
                  socketsRegisteredAt: observations.socketsRegisteredAt, cells: cells)
    }

    /// Class names in the order of the cells.
    public var classes: [String] {
        cells.map(\.trafficClass).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
    }

    public func cell(_ trafficClass: String, queue: Int) -> FateCell? {
        cells.first { $0.trafficClass == trafficClass && $0.queue == queue }
    }
}

/// The packets of one traffic class on one RX queue.
public struct FateCell: Sendable, Codable, Equatable {
    public let trafficClass: String
    public let queue: Int
    public let injected: Int
    /// Packets the stack must claim (the validator rule); the others are the kernel's.
    public let matching: Int
    /// Observed: reached the kernel only, an AF_XDP socket only, both (impossible for one verdict), nobody.
    public let kernel: Int
    public let xsk: Int
    public let both: Int
    public let lost: Int
    /// Where they had to go: the kernel, or the socket of their queue.
    public let expectedKernel: Int
    public let expectedXSK: Int
    /// Packets sent so close to a late registration that either fate is right: not judged.
    public let unjudged: Int
    /// Judged packets that did not end where they had to.
    public let misplaced: Int

    public init(trafficClass: String, queue: Int, injected: Int, matching: Int, kernel: Int, xsk: Int, both: Int, lost: Int,
                expectedKernel: Int, expectedXSK: Int, unjudged: Int, misplaced: Int) {
        self.trafficClass = trafficClass
        self.queue = queue
        self.injected = injected
        self.matching = matching
        self.kernel = kernel
        self.xsk = xsk
        self.both = both
        self.lost = lost
        self.expectedKernel = expectedKernel
        self.expectedXSK = expectedXSK
        self.unjudged = unjudged
        self.misplaced = misplaced
    }

    init(trafficClass: String, queue: Int, tally: Tally) {
        self.init(trafficClass: trafficClass, queue: queue, injected: tally.injected, matching: tally.matching,
                  kernel: tally.kernel, xsk: tally.xsk,
                  both: tally.both, lost: tally.lost, expectedKernel: tally.expectedKernel, expectedXSK: tally.expectedXSK,
                  unjudged: tally.unjudged, misplaced: tally.misplaced)
    }

    struct Tally {
        var injected = 0, matching = 0, kernel = 0, xsk = 0, both = 0, lost = 0
        var expectedKernel = 0, expectedXSK = 0, unjudged = 0, misplaced = 0

        /// The same judgement as the packet checks: `Verifier.fate` against `Verifier.expectedFate`, packets of
        /// a registration in progress left out.
        mutating func add(_ packet: InjectedPacket, _ observations: Observations) {
            injected += 1
            if packet.matching { matching += 1 }
            let observed = Verifier.fate(of: packet, in: observations)
            switch observed {
            case .kernel: kernel += 1
            case .xsk: xsk += 1
            case .both: both += 1
            case .lost: lost += 1
            }
            guard observations.socketState(of: packet) != .registering else { unjudged += 1; return }
            let expected = Verifier.expectedFate(of: packet, in: observations)
            if expected == .kernel { expectedKernel += 1 } else { expectedXSK += 1 }
            if observed != expected { misplaced += 1 }
        }
    }
}
