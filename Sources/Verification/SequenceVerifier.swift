import LabModel
import Sequencing

/// Judges a sequence lab: `in-order` and `no-loss`, and a diagnosis from the receiver's own counters.
public enum SequenceVerifier {
    /// Gap lines shown in a check's detail; the report counts all of them.
    public static let gapLines = 10

    public static func evaluate(_ requests: [CheckRequest], observations: SequenceObservations) -> [CheckResult] {
        requests.map { request in
            switch request.name {
            case .inOrder: return inOrder(request.expected, observations)
            case .noLoss: return noLoss(request.expected, observations)
            default:
                let known = CheckName.allCases.filter(\.needsSequence).map(\.rawValue).joined(separator: ", ")
                return CheckResult(name: request.name.rawValue, expected: request.expected, held: false, judged: false,
                                   detail: "a sequence lab judges only \(known); \"\(request.name.rawValue)\" needs packet classes")
            }
        }
    }

    static func inOrder(_ expected: Outcome, _ observations: SequenceObservations) -> CheckResult {
        let report = observations.report
        let name = CheckName.inOrder.rawValue
        guard report.received > 0 else {
            return CheckResult(name: name, expected: expected, held: false, judged: false,
                               detail: "nothing arrived at the \(observations.receiver.rawValue) receiver, so there is no order to judge")
        }
        if report.isInOrder {
            let gaps = report.discontinuities == 0 ? "without a gap"
                : "\(count(report.discontinuities, "gap")) where packets were lost: " + report.gapLines.prefix(3).joined(separator: "; ")
                    + (report.discontinuities > 3 ? "; …" : "")
            return CheckResult(name: name, expected: expected, held: true,
                               detail: "all \(report.received) arrivals came in the order sent, \(gaps)")
        }
        var lines = ["\(report.outOfOrder) of \(report.received) arrivals came out of order and \(report.duplicated) twice; "
                     + "\(count(report.discontinuities, "discontinuity", plural: "discontinuities")), the first:"]
        lines += report.gapLines.prefix(gapLines).map { "  \($0)" }
        if report.discontinuities > min(gapLines, report.gaps.count) {
            lines.append("  … \(report.discontinuities - min(gapLines, report.gaps.count)) more")
        }
        return CheckResult(name: name, expected: expected, held: false, detail: lines.joined(separator: "\n"))
    }

    static func noLoss(_ expected: Outcome, _ observations: SequenceObservations) -> CheckResult {
        let name = CheckName.noLoss.rawValue
        let report = observations.report, attribution = observations.attribution
        guard observations.sent > 0 else {
            return CheckResult(name: name, expected: expected, held: false, judged: false,
                               detail: "the sender sent nothing, so there is no loss to judge")
        }
        let lost = report.lost
        let share = lost == 0 ? "" : " (\(percent(lost, of: report.expected)))"
        var detail = "lost \(lost) of \(observations.sent) sent\(share)"
        let held: Bool
        if let allowed = observations.allowedLoss {
            held = lost <= allowed
            detail += allowed == 0 ? "" : ", at most \(allowed) allowed (max-loss \(observations.lossBound.name))"
            if lost > 0, !observations.faults.isEmpty {
                detail += "; \(attribution.lostDuringFaults) sent while a fault was in force, \(attribution.lostOutsideFaults) outside"
            }
        } else {
            held = attribution.lostOutsideFaults == 0
            if lost > 0 {
                detail += held ? ", every one sent while a fault was in force (max-loss during-faults)"
                    : "; \(attribution.lostOutsideFaults) of them outside every fault, which max-loss during-faults does not allow"
            }
        }
        if !attribution.firstOutside.isEmpty, !held {
            detail += (observations.faults.isEmpty ? "\n  lost, e.g. " : "\n  lost outside the faults, e.g. ")
                + attribution.firstOutside.map { "#\($0)" }.joined(separator: ", ")
        }
        if !observations.faults.isEmpty {
            detail += "\n  faults: " + observations.faults.map(\.description).joined(separator: ", ")
        }
        return CheckResult(name: name, expected: expected, held: held, detail: detail)
    }

    static func count(_ value: Int, _ noun: String, plural: String? = nil) -> String {
        "\(value) \(value == 1 ? noun : plural ?? noun + "s")"
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        guard whole > 0 else { return "0%" }
        let hundredths = (Double(part) * 10_000 / Double(whole)).rounded()
        let units = Int(hundredths) / 100, fraction = Int(hundredths) % 100
        return "\(units).\(fraction < 10 ? "0" : "")\(fraction)%"
    }
}
