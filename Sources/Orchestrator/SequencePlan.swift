import LabModel
import Sequencing
import Verification

/// Translations from a lab's sequence settings into the terms of the layers that send, stall and judge.
enum SequencePlan {
    /// When each packet is due.
    static func schedule(_ sequence: SequenceSpec) -> PacedSchedule {
        let pacing: PacedSchedule.Pacing
        switch sequence.pacing {
        case .interval(let nanoseconds): pacing = .interval(nanoseconds: nanoseconds)
        case .asFastAsPossible: pacing = .asFastAsPossible
        }
        switch sequence.extent {
        case .count(let count): return PacedSchedule(pacing: pacing, extent: .count(count))
        case .duration(let nanoseconds): return PacedSchedule(pacing: pacing, extent: .duration(nanoseconds: nanoseconds))
        }
    }

    /// "packets for 3 s, one every 20 µs", for progress lines.
    static func describe(_ sequence: SequenceSpec) -> String {
        let extent: String
        switch sequence.extent {
        case .count(let count): extent = "\(count) packets"
        case .duration(let nanoseconds): extent = "packets for \(DurationText.nanoseconds(nanoseconds))"
        }
        switch sequence.pacing {
        case .interval(let nanoseconds): return "\(extent), one every \(DurationText.nanoseconds(nanoseconds))"
        case .asFastAsPossible: return "\(extent) as fast as possible"
        }
    }

    /// When the last stall that began before the last packet ends, CLOCK_MONOTONIC.
    static func lastStallEnd(_ faults: [SequenceFault], origin: UInt64, sendEnd: UInt64) -> UInt64 {
        let elapsed = sendEnd > origin ? sendEnd - origin : 0
        var last = origin
        for fault in faults {
            switch fault {
            case .stallConsumer(let at, let duration) where at <= elapsed:
                last = max(last, origin + at + duration)
            case .stallConsumerPeriodically(let every, let duration, let firstAt) where firstAt <= elapsed:
                last = max(last, origin + firstAt + (elapsed - firstAt) / every * every + duration)
            default:
                break
            }
        }
        return last
    }

    /// The faults as they happened, in seconds after the first packet, in time order.
    static func records(stalls: [StallWindow], faulted: FaultSchedule.Outcome, origin: UInt64) -> [FaultRecord] {
        func seconds(_ time: UInt64) -> Double { (Double(time) - Double(origin)) / 1e9 }
        var records = stalls.map { FaultRecord(what: "consumer stalled", from: seconds($0.start), until: seconds($0.end)) }
        records += faulted.detached.map { FaultRecord(what: "program detached", from: seconds($0.start), until: seconds($0.end)) }
        if let window = faulted.unregistered {
            records.append(FaultRecord(what: "receiver not registered", from: 0, until: seconds(window.end)))
        }
        return records.sorted { $0.from < $1.from }
    }
}
