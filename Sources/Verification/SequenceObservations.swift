import Evidence
import LabModel
import Sequencing

/// Everything a sequence lab's run observed; `in-order` and `no-loss` are pure functions of it.
public struct SequenceObservations: Sendable {
    public var receiver: SequenceReceiverKind
    /// The receiver's arrivals judged against the numbers sent.
    public var report: SequenceReport
    public var sent: Int
    public var lossBound: LossBound
    /// Lost packets split by whether a fault was in force when they were sent.
    public var attribution: LossAttribution
    /// What was done to the receiver, and when, in seconds after the first packet.
    public var faults: [FaultRecord]
    /// Packets of the run that the capture saw reach the kernel on the stack's interface (XDP passed them).
    public var reachedKernel: Int
    public var evidence: ReceiverEvidence
    /// Sends the kernel refused at first for lack of room and that were retried.
    public var senderRetries: Int

    public init(receiver: SequenceReceiverKind, report: SequenceReport, sent: Int, lossBound: LossBound,
                attribution: LossAttribution, faults: [FaultRecord], reachedKernel: Int, evidence: ReceiverEvidence,
                senderRetries: Int = 0) {
        self.receiver = receiver
        self.report = report
        self.sent = sent
        self.lossBound = lossBound
        self.attribution = attribution
        self.faults = faults
        self.reachedKernel = reachedKernel
        self.evidence = evidence
        self.senderRetries = senderRetries
    }

    /// The most packets `no-loss` lets go missing, for the numeric bounds.
    public var allowedLoss: Int? {
        switch lossBound {
        case .packets(let count): return count
        case .fraction(let fraction): return Int((fraction * Double(sent)).rounded(.down))
        case .duringFaults: return nil
        }
    }
}

/// One fault as it happened: seconds after the first packet was due.
public struct FaultRecord: Sendable, Codable, Hashable, CustomStringConvertible {
    /// "consumer stalled", "program detached", "receiver not yet registered".
    public var what: String
    public var from: Double
    public var until: Double

    public init(what: String, from: Double, until: Double) {
        self.what = what
        self.from = from
        self.until = until
    }

    /// "consumer stalled 1.000s–1.201s"
    public var description: String {
        "\(what) \(DurationText.seconds(from, digits: 3, fixed: true))–\(DurationText.seconds(until, digits: 3, fixed: true))"
    }
}

/// The receiver's own account of what it could not take.
public enum ReceiverEvidence: Sendable, Equatable {
    /// XDP_STATISTICS of the AF_XDP socket on the sequence's queue; nil when unreadable.
    case afXDP(SocketStatistics?)
    /// How much the namespace's `Udp:` counters (/proc/net/snmp) grew during the run.
    case udpSocket(counters: [String: UInt64])
    /// The ring's control map after the run, and how full the ring was then.
    case mapRing(MapRingState)
    case none
}

/// The producer's side of a map ring after a run (the `ring_control` map) and the ring's fill.
public struct MapRingState: Sendable, Codable, Equatable {
    public var writeIndex: UInt64
    public var stored: UInt64
    public var fullDrops: UInt64
    public var contentionDrops: UInt64
    /// Packets the poller took out of the ring.
    public var consumed: UInt64
    public var occupied: Int
    public var ringSize: Int

    public init(writeIndex: UInt64, stored: UInt64, fullDrops: UInt64, contentionDrops: UInt64, consumed: UInt64,
                occupied: Int, ringSize: Int) {
        self.writeIndex = writeIndex
        self.stored = stored
        self.fullDrops = fullDrops
        self.contentionDrops = contentionDrops
        self.consumed = consumed
        self.occupied = occupied
        self.ringSize = ringSize
    }

    /// The write index moved past slots it never filled: the overwrite bug's signature.
    public var writeIndexRanAhead: Bool { writeIndex > stored }
}
