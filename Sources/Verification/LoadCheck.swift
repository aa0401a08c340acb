import LabModel
import Evidence
import Sequencing
import Foundation

/// `load-no-loss`: under the load phase, every copy that reached XDP went where it had to (matching packets on a
/// queue with a socket to that socket, everything else to the kernel), and none was lost. Copies the sender's veth
/// refused never reached the stack; they are reported, not judged.
enum LoadCheck {
    static func result(expected: Outcome, observations: Observations) -> CheckResult {
        let name = CheckName.loadNoLoss.rawValue
        guard let load = observations.load else {
            return CheckResult(name: name, expected: expected, held: false, judged: false,
                               detail: "the lab had no load phase (traffic.load)")
        }
        let wrong = misdelivered(load, socketQueues: observations.socketQueues)
        let lost = load.templates.reduce(0) { $0 + $1.lost }
        var lines = [LoadText.summary(load)]
        if wrong > 0 {
            lines.append("\(Words.plural(wrong, "packet")) went to the wrong side (a socket instead of the kernel or back)")
        }
        if lost > 0 { lines += LoadText.lossLines(load) }
        return CheckResult(name: name, expected: expected, held: wrong == 0 && lost == 0,
                           detail: lines.joined(separator: "\n"))
    }

    /// Copies that reached the side their template must not reach.
    static func misdelivered(_ load: LoadRecord, socketQueues: Set<Int>) -> Int {
        load.templates.reduce(0) { total, template in
            let toSocket = template.matching && socketQueues.contains(template.queue)
            return total + (toSocket ? template.kernel : template.socket)
        }
    }
}

/// Load-phase figures in words, for the check, the diagnosis and the terminal.
public enum LoadText {
    /// "1,234,567 packets in 3.00 s (411,522/s, rate max): 600,000 to sockets, 634,000 to the kernel, 567 lost; …"
    public static func summary(_ load: LoadRecord) -> String {
        let socket = load.templates.reduce(0) { $0 + $1.socket }
        let kernel = load.templates.reduce(0) { $0 + $1.kernel }
        let lost = load.templates.reduce(0) { $0 + $1.lost }
        let backlog = load.templates.reduce(0) { $0 + $1.backlogDrops }
        var text = "\(load.offered) packets in \(DurationText.seconds(load.seconds, digits: 2, fixed: true, unit: " s")) "
            + "(\(Int(load.achievedRate.rounded()))/s, rate \(load.requestedRate)): \(socket) to sockets, "
            + "\(kernel) to the kernel, \(lost) lost after XDP"
        if backlog > 0 { text += "; \(backlog) refused by the sender's veth (its ring towards the stack was full)" }
        return text
    }

    /// Per queue: "queue 0: 410,000 sent, 200,000 to its socket, 209,990 to the kernel, 10 lost".
    public static func queueLines(_ load: LoadRecord) -> [String] {
        Set(load.templates.map(\.queue)).sorted().map { queue in
            let members = load.templates.filter { $0.queue == queue }
            func sum(_ value: (LoadTemplateRecord) -> Int) -> Int { members.reduce(0) { $0 + value($1) } }
            var line = "queue \(queue): \(sum(\.offered)) sent, \(sum(\.socket)) to its socket, \(sum(\.kernel)) to the kernel, "
                + "\(sum(\.lost)) lost"
            if sum(\.backlogDrops) > 0 { line += ", \(sum(\.backlogDrops)) refused by the sender's veth" }
            return line
        }
    }

    /// Per queue with losses: how many, and what the kernel's counters say happened to them.
    public static func lossLines(_ load: LoadRecord) -> [String] {
        var lines: [String] = []
        for queue in Set(load.templates.map(\.queue)).sorted() {
            let lost = load.templates.filter { $0.queue == queue }.reduce(0) { $0 + $1.lost }
            guard lost > 0 else { continue }
            var causes: [String] = []
            if let counters = load.losses.queues.first(where: { $0.queue == queue }) {
                if counters.fillRingEmpty > 0 { causes.append("fill ring empty \(counters.fillRingEmpty)") }
                if counters.ringFull > 0 { causes.append("RX ring full \(counters.ringFull)") }
                if counters.socketDropped > 0 { causes.append("socket rx_dropped \(counters.socketDropped)") }
                if counters.xdpDrops > 0 { causes.append("veth xdp_drops \(counters.xdpDrops)") }
            }
            lines.append("  queue \(queue): \(lost) lost" + (causes.isEmpty ? " (no kernel counter rose)" : " (\(causes.joined(separator: ", ")))"))
        }
        let errors = load.losses.redirectErrors.map { "\($0.count) × \(EvidenceText.errno($0.errno))" }
        if !errors.isEmpty { lines.append("  xdp_redirect_err: " + errors.joined(separator: ", ")) }
        if load.losses.exceptions > 0 { lines.append("  xdp_exception: \(load.losses.exceptions)") }
        return lines
    }
}
