import LabModel
import Evidence

/// Sentences on a load phase that lost packets, from the kernel counters that rose while it ran.
enum LoadDiagnosis {
    static func sentences(_ results: [CheckResult], observations: Observations) -> [String] {
        guard let load = observations.load,
              results.contains(where: { $0.name == CheckName.loadNoLoss.rawValue && $0.judged && !$0.held }) else { return [] }
        var sentences: [String] = []
        let lost = load.templates.filter { $0.lost > 0 }
        if !lost.isEmpty {
            let total = lost.reduce(0) { $0 + $1.lost }
            let lostQueues = Set(lost.map(\.queue))
            let queues = (lostQueues.count == 1 ? "queue " : "queues ") + Words.queues(lostQueues)
            let fillEmpty = load.losses.queues.reduce(0) { $0 + $1.fillRingEmpty }
            let ringFull = load.losses.queues.reduce(0) { $0 + $1.ringFull }
            var sentence = "Under load (\(Int(load.achievedRate.rounded())) packets/s), \(Words.plural(total, "packet")) "
                + "that XDP saw were lost on \(queues)"
            if fillEmpty > 0 {
                sentence += ": the socket's fill ring ran empty \(fillEmpty) times (xdp_redirect_err ENOMEM), so the kernel "
                    + "had no frame to copy into. A burst is redirected a NAPI poll (up to 64 frames) at a time, before the "
                    + "consumer can hand any frame back: keep every free frame on the fill ring, not just a few"
            } else if ringFull > 0 {
                sentence += ": the socket's RX ring was full \(ringFull) times, so the consumer read too slowly for this "
                    + "rate or was kept off the CPU; read in larger batches or give it larger rings"
            } else {
                sentence += "; no socket or driver counter rose, so the kernel dropped them after XDP passed them "
                    + "(look at nstat on the stack's host)"
            }
            sentences.append(sentence + ".")
        }
        let wrong = LoadCheck.misdelivered(load, socketQueues: observations.socketQueues)
        if wrong > 0 {
            sentences.append("Under load, \(Words.plural(wrong, "packet")) went to the wrong side (a socket instead of the "
                             + "kernel or back), which the paced part did not show.")
        }
        return sentences
    }
}
