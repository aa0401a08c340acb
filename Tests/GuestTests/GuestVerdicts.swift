import Testing
import Reports
import Verification

/// What a guest kernel's reports must say about per-packet XDP verdicts (fexit loads on Debian's 6.1 and 6.12).
/// Every expectation compares two independent records of the run: the program's verdict (fexit) and where the
/// packet was seen (capture, sockets), so a recorder that recorded nothing, or the wrong thing, fails them.
enum GuestVerdicts {
    /// The gate lab: a verdict for every packet, each agreeing with its fate: XDP_PASS where the kernel saw it,
    /// XDP_REDIRECT to the packet's own queue where its socket did.
    static func expectGate(_ report: LabReport, text: String) throws {
        let verdicts = try #require(report.verdicts, "the guest's gate report has no verdicts")
        #expect(verdicts.unavailable == nil, "\(verdicts.unavailable ?? "")")
        #expect(verdicts.recorded == report.packets.injected && verdicts.missing == 0, "\(verdicts.headline)")
        #expect(verdicts.packets.count == report.packets.injected)
        #expect(verdicts.disagreements.isEmpty, "\(verdicts.disagreements.map(\.text))")
        for row in verdicts.packets {
            switch row.fate {
            case .kernel: #expect(row.action == 2, "\(row.text)")
            case .xsk(let queue):
                #expect(row.action == 4 && row.redirectKey == Int32(queue) && row.redirectErrno == 0, "\(row.text)")
            case .both, .lost: Issue.record("the gate lost or doubled a packet: \(row.text)")
            }
        }
        #expect(text.contains("per-packet XDP verdicts (fexit on "))
    }

    /// The incident: every lost packet is named with the verdict its program returned, in the diagnosis too.
    static func expectIncident(_ report: LabReport) throws {
        let verdicts = try #require(report.verdicts, "the guest's incident report has no verdicts")
        #expect(verdicts.unavailable == nil, "\(verdicts.unavailable ?? "")")
        let lost = verdicts.packets.filter { $0.fate == .lost }
        #expect(!lost.isEmpty && lost.count == report.packets.lost, "\(lost.count) lost rows, \(report.packets.lost) lost")
        for row in lost {
            // The program redirects to key 0 from every queue; the socket there is bound to queue 0.
            #expect(row.action == 4 && row.redirectKey == 0 && row.redirectErrno == 22 && row.queue != 0, "\(row.text)")
        }
        let sentence = try #require(report.diagnosis.first { $0.hasPrefix("Lost packets, by the verdict") })
        #expect(sentence.contains("program returned XDP_REDIRECT to key 0, failed: EINVAL"))
        let named = report.checks.flatMap(\.offenders).filter { $0.observedFate == .lost }
        #expect(!named.isEmpty && named.allSatisfy { $0.verdict == "XDP_REDIRECT to key 0, failed: EINVAL" })
    }

    /// Every lab says where its verdicts came from, or why there are none: never silence.
    static func expectSaid(_ report: LabReport) {
        guard let verdicts = report.verdicts else {
            Issue.record("\(report.lab) on \(report.kernel ?? "?"): no verdict summary at all")
            return
        }
        if let reason = verdicts.unavailable { #expect(reason.contains("fexit"), "\(reason)") } else { #expect(verdicts.recorded > 0) }
    }
}
