import Testing
import Reports
import Foundation

@Suite("terminal summary")
struct TerminalReportTests {
    @Test("matches the recorded snapshot for fixed reports, without colour")
    func snapshot() {
        let summary = TerminalReport.summary([ReportFixtures.failing, ReportFixtures.passing, ReportFixtures.broken], color: false)
        if summary != Self.recorded { print("terminal summary snapshot differs; actual:\n\(summary)") }
        #expect(summary == Self.recorded)
    }

    @Test("colour adds ANSI codes and nothing else")
    func colour() {
        let labs = [ReportFixtures.failing, ReportFixtures.passing]
        let coloured = TerminalReport.summary(labs, color: true)
        #expect(coloured.contains("\u{1B}[31mFAIL \u{1B}[0m"))
        let stripped = coloured.replacingOccurrences(of: "\u{1B}\\[[0-9]+m", with: "", options: .regularExpression)
        #expect(stripped == TerminalReport.summary(labs, color: false))
    }

    static let recorded = """
        FAIL  fallback <abort> & co  Labs/fallback-abort.yaml  (12.3s)
          ✗ failed-redirects-pass  expected holds, violated
              2 of 2 validator packets on queues without a registered socket did not go where they had to:
                validator-udp4 on queue 2: 2 of 2 lost — expected the kernel (no socket on queue 2, the fallback must pass them), observed: lost; e.g. #5 udp 198.18.0.2:40005 > 198.18.0.1:8003, #6 udp 198.18.0.2:40006 > 198.18.0.1:8003
              kernel evidence: xdp_exception: 2 events with action 0 (XDP_ABORTED); veth xdp_drops on queue 2: 2
          ✓ matching-reach-xsk     expected holds, held
              4 validator packets on queues with a registered socket (queues 0, 1), all reached the socket on their queue
          ✗ ssh-survives           expected violated, could not be judged
              no SSH sessions in this lab's traffic
          packets         injected  kernel  xsk  lost
          validator-udp4         6       0    4     2
          arp                    2       2    0     0
          other-udp4             1       0    1     0
          total                  9       2    5     2
          ! 1 packet reached both the kernel and a socket (counted as xsk)
          diagnosis:
            • bpf_redirect_map fell back to XDP_ABORTED for queues without a socket (queue 2: 2 validator packets lost, xdp_exception with action 0 fired 2 times): its flags argument is 0. Pass XDP_PASS as flags, as in bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS), so a failed lookup falls through to the kernel.
            • The filter claims packets it must leave to the kernel: other-udp4: 1 reached AF_XDP sockets (its port check claims ports outside validator_ports).
            • Could not be judged: ssh-survives (no SSH sessions in this lab's traffic).
          capture: Captures/fallback-abort/run-1

        PASS  healthy  Labs/healthy.yaml  (3.0s)
          ✓ matching-reach-xsk  expected holds, held
              2 validator packets on queues with a registered socket (queues 0, 1), all reached the socket on their queue
          ✓ ssh-survives        expected holds, held
              1 session completed 30 of 30 exchanges, longest stall 0.2s (limit 2s); but no ARP/ND frame of the hosts' own was seen, so neighbour expiry was not exercised
          packets         injected  kernel  xsk  lost
          validator-udp4         2       0    2     0
          total                  2       0    2     0

        ERROR broken  Labs/broken.yaml  (0.5s)
          could not run: missing capability: "CAP_BPF" <needed> for\u{FFFD}loading
            second line

        1 of 3 labs passed

        """
}
