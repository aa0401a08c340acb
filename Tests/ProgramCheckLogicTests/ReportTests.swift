import Foundation
import Testing
@testable import ProgramCheck

@Suite("reports: terminal table, JSON, JUnit")
struct ReportTests {
    /// A small failing report: UDP to 8003 ABORTED with an empty slot on both queues.
    static func failing() -> CheckReport {
        var udp = ClassTally(caseClass: .udpValidatorPort, frames: 1)
        udp.counts = [[2, 0, 0, 0, 0, 0], [0, 0, 0, 0, 2, 0]]
        udp.violations = [2, 0]
        var ssh = ClassTally(caseClass: .ssh, frames: 1)
        ssh.counts = [[0, 0, 2, 0, 0, 0], [0, 0, 2, 0, 0, 0]]
        let violation = CheckViolation(caseName: "udp4-to-8003", caseClass: .udpValidatorPort, state: .empty, queues: [0, 1],
                                       verdict: .aborted, expectation: .claim, frame: FrameKit().udp4(to: 8003))
        var timing = CheckTiming()
        timing.testRuns = 0.5
        timing.judging = 0.5
        timing.total = 2
        return CheckReport(program: "/labs/flags_zero.bpf.c", objectPath: "/tmp/flags_zero.bpf.o", ports: [8003],
                           queuesRequested: 2, queuesRun: 2, states: [.empty, .registered], notes: [], corpusCases: 3,
                           notRun: ["runt-1-bytes"], frames: 2, runs: 8, tallies: [ssh, udp], violations: [violation],
                           lint: [RedirectLint.Call(instruction: 40, map: "xsks_map", flags: [0], computedAtRunTime: false)],
                           timing: timing)
    }

    @Test("the terminal report: lint, table, rate and each violation with its hex dump")
    func terminal() {
        let text = CheckTerminalReport.render(Self.failing(), color: false)
        #expect(text.contains("lint: instruction 40: bpf_redirect_map(xsks_map, key, 0): an empty slot gives XDP_ABORTED"))
        #expect(text.contains("  class               frames  slot empty    socket registered\n"))
        #expect(text.contains("  udp-validator-port       1  ABORTED 2 ✗2  REDIRECT 2\n"))
        #expect(text.contains("  ssh-tcp                  1  PASS 2        PASS 2\n"))
        #expect(text.contains("8 runs (2 frames × 2 queues, × 2 states) in 1.00 s: 0.00 M runs/s"))
        #expect(text.contains("not run: 1 case shorter than an Ethernet header (runt-1-bytes)"))
        #expect(text.contains("FAIL  2 runs broke the rules (1 entry):"))
        #expect(text.contains("✗ udp4-to-8003  udp-validator-port · slot empty · queues 0-1 → ABORTED, allowed PASS"))
        #expect(text.contains("0000  02 00 5e 10 00 01 02 00  5e 10 00 02 08 00 45 00  ..^.....^.....E."))
        #expect(!text.contains("\u{1B}["), "no colour codes when colour is off")
    }

    @Test("JSON: verdicts by class and state, each violation with its frame in hex, the lint")
    func json() throws {
        let text = CheckJSONReport.render(Self.failing())
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let check = try #require(object["check"] as? [String: Any])
        #expect(check["passed"] as? Bool == false)
        #expect(check["runs"] as? Int == 8)
        #expect(check["runsPerSecond"] as? Double == 8)
        let classes = try #require(check["classes"] as? [[String: Any]])
        #expect(classes.map { $0["class"] as? String } == ["ssh-tcp", "udp-validator-port"])
        #expect((classes[1]["verdicts"] as? [String: [String: Int]])?["empty"] == ["ABORTED": 2])
        let violations = try #require(check["violations"] as? [[String: Any]])
        #expect(violations.first?["case"] as? String == "udp4-to-8003")
        #expect(violations.first?["queues"] as? [Int] == [0, 1])
        #expect((violations.first?["frame"] as? String)?.hasPrefix("02005e10000102005e1000020800") == true)
        #expect((check["lint"] as? [[String: Any]])?.first?["fallbacks"] as? [String] == ["XDP_ABORTED"])
        let error = CheckJSONReport.render(program: "x.bpf.c", error: "clang could not compile x.bpf.c")
        #expect(error.contains("\"error\" : \"clang could not compile x.bpf.c\""))
    }

    @Test("JUnit: a testcase per class and state, failures carry the violations")
    func junit() {
        let xml = CheckJUnitReport.render(Self.failing())
        #expect(xml.contains("<testsuites name=\"xdplab check\" tests=\"5\" failures=\"1\" errors=\"0\" skipped=\"0\""))
        #expect(xml.contains("name=\"udp-validator-port · slot empty\""))
        #expect(xml.contains("<failure message=\"2 runs broke the rules\" type=\"verdict\">udp4-to-8003, queues 0-1: ABORTED, allowed PASS"))
        #expect(xml.contains("name=\"lint · bpf_redirect_map fallback\""))
        let error = CheckJUnitReport.render(program: "x.bpf.c", error: "a <bad> \"thing\"")
        #expect(error.contains("<error message=\"a &lt;bad&gt; &quot;thing&quot;\" type=\"check-error\">"))
    }

    @Test("hex dumps")
    func hexDump() {
        let bytes = (0..<20).map { UInt8($0 + 0x41) }
        #expect(HexDump.lines(bytes) == [
            "0000  41 42 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50  ABCDEFGHIJKLMNOP",
            "0010  51 52 53 54                                       QRST",
        ])
        #expect(HexDump.lines(bytes, limit: 16).last == "…     4 more bytes")
        #expect(HexDump.compact([0, 0xAB]) == "00ab")
    }

    @Test("the one-line summary names the first violations")
    func shortText() {
        #expect(Self.failing().shortText
                == "check flags_zero.bpf.c: FAILED, 2 of 8 runs (2 frames × 2 queues, × 2 states) broke the rules: "
                + "udp4-to-8003 (slot empty, queues 0-1): ABORTED")
    }
}
