import Evidence
import LabModel

/// `no-xdp-exceptions`: no xdp_exception or xdp_redirect_err event of the program, no veth xdp_drops, no socket drops.
enum ExceptionCheck {
    static func result(expected: Outcome, observations: Observations) -> CheckResult {
        let name = CheckName.noXDPExceptions.rawValue
        let evidence = observations.evidence
        let exceptions = evidence.exceptionTotal
        let redirectErrors = evidence.redirectErrorTotal
        let drops = evidence.queueTotal("xdp_drops")
        let socketDrops = EvidenceText.socketDrops(evidence)
        let clean = exceptions == 0 && redirectErrors == 0 && drops == 0 && socketDrops == 0
        if clean && evidence.tracepointsAttached {
            var detail = "no xdp_exception or xdp_redirect_err events, no veth xdp_drops, no socket rx_dropped"
            if !evidence.gaps.isEmpty { detail += "\nevidence gaps: " + evidence.gaps.joined(separator: "; ") }
            return CheckResult(name: name, expected: expected, held: true, detail: detail)
        }
        if clean {
            let why = evidence.gaps.isEmpty ? "" : " (\(evidence.gaps.joined(separator: "; ")))"
            return CheckResult(name: name, expected: expected, held: false, judged: false,
                               detail: "the xdp tracepoints were not attached\(why), so exceptions cannot be ruled out; "
                                   + "no veth xdp_drops and no socket rx_dropped")
        }
        var counts: [String] = []
        if exceptions > 0 { counts.append("\(exceptions) xdp_exception events") }
        if redirectErrors > 0 { counts.append("\(redirectErrors) xdp_redirect_err events") }
        if drops > 0 { counts.append("\(drops) veth xdp_drops") }
        if socketDrops > 0 { counts.append("\(socketDrops) packets dropped by AF_XDP sockets") }
        let lines = [counts.joined(separator: ", ") + ":"] + EvidenceText.lines(evidence).map { "  " + $0 }
        return CheckResult(name: name, expected: expected, held: false, detail: lines.joined(separator: "\n"))
    }
}
