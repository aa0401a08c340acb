import Evidence
import LabModel
import Verification

/// Builds hand-made observations: packets of a class on a queue with a chosen fate, plus kernel evidence.
/// The default lab has 4 queues with sockets on 0 and 1, SSH off, tracepoints attached and no events.
struct Scenario {
    var injected: [InjectedPacket] = []
    var kernel: [UInt64: Double] = [:]
    var xsk: [UInt64: Int] = [:]
    var socketQueues: Set<Int> = [0, 1]
    var queueCount = 4
    var sessions: [SessionRecord] = []
    var sshMaxStall = 2.0
    var sshEnabled = false
    var evidence = KernelEvidence(tracepointsAttached: true)
    var neighbourFrames = 0
    var captureDrops: UInt32 = 0
    var socketsRegisteredAt: Double?
    private var nextID: UInt64 = 1

    static let matchingClasses: Set<String> = ["validator-udp4", "validator-udp6", "ipv4-options"]

    /// Adds `count` packets, sent at `from`, `from` + 0.1, …, that ended as `fate`.
    mutating func add(_ trafficClass: String, queue: Int, count: Int = 5, fate: Fate, from: Double = 0) {
        for index in 0..<count {
            let id = nextID
            nextID += 1
            let matching = Self.matchingClasses.contains(trafficClass)
            let flow = matching ? "udp 198.18.0.2:\(40000 + id) > 198.18.0.1:8003" : "\(trafficClass) 198.18.0.2 > 198.18.0.1 #\(id)"
            injected.append(InjectedPacket(id: id, trafficClass: trafficClass, queue: queue, matching: matching,
                                           flow: flow, sentAt: from + Double(index) / 10))
            switch fate {
            case .kernel: kernel[id] = 0.5
            case .xsk(let socketQueue): xsk[id] = socketQueue
            case .both(let socketQueue): kernel[id] = 0.5; xsk[id] = socketQueue
            case .lost: break
            }
        }
    }

    /// Where a correct stack sends each class on each queue.
    mutating func addHealthy(_ trafficClass: String, queues: ClosedRange<Int> = 0...3, count: Int = 5) {
        for queue in queues {
            let matching = Self.matchingClasses.contains(trafficClass)
            add(trafficClass, queue: queue, count: count,
                fate: matching && socketQueues.contains(queue) ? .xsk(queue: queue) : .kernel)
        }
    }

    mutating func addSessions(stall: Double = 0.2, completed: Int = 30, failure: String? = nil, queues: [Int] = [0, 1]) {
        sshEnabled = true
        for queue in queues {
            sessions.append(SessionRecord(queue: queue, flow: "tcp 198.18.0.2:\(41000 + queue) > 198.18.0.1:22",
                                          exchangesPlanned: 30, exchangesCompleted: completed, longestStall: stall,
                                          stalledAt: completed < 30 ? 3.5 : nil, failure: failure))
        }
    }

    /// Validator and other traffic that a correct stack handles, with healthy SSH.
    static var healthy: Scenario {
        var scenario = Scenario()
        for trafficClass in ["validator-udp4", "validator-udp6", "other-udp4", "arp", "ndp", "vlan-tagged"] {
            scenario.addHealthy(trafficClass)
        }
        scenario.addSessions()
        scenario.neighbourFrames = 12
        return scenario
    }

    var observations: Observations {
        Observations(injected: injected, kernelIDs: kernel, xskArrivals: xsk, socketQueues: socketQueues,
                     queueCount: queueCount, sessions: sessions, sshMaxStall: sshMaxStall, sshEnabled: sshEnabled,
                     evidence: evidence, neighbourFrames: neighbourFrames, captureDrops: captureDrops,
                     socketsRegisteredAt: socketsRegisteredAt)
    }

    func evaluate(_ name: CheckName, expected: Outcome = .holds) -> CheckResult {
        Verifier.evaluate([CheckRequest(name: name, expected: expected)], observations: observations)[0]
    }

    var diagnosis: [String] {
        let results = Verifier.evaluate(CheckName.allCases.filter { !$0.needsSequence }
                                            .map { CheckRequest(name: $0, expected: .holds) },
                                        observations: observations)
        return Verifier.diagnosis(of: results, observations: observations)
    }
}
