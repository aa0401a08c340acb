import Foundation
import Testing
@testable import LabModel

@Suite("Recovery drills in the lab file")
struct RecoveryModelTests {
    static func drill(_ recovery: String, expect: String = "expect: [recovers]") -> String {
        Fixtures.base(replacing: "expect: [ssh-survives]", with: expect + "\n" + recovery)
    }

    static let attach = """
        recovery:
          watchdog: [../programs/run-me.sh, --nic, "{interface}"]
          break:
            at: 2s
            by: attach
            program: ../programs/port_redirect.bpf.c
          restore-within: 25s
          on-failure: [../programs/run-me.sh]
        """

    @Test("a drill resolves: watchdog and on-failure from the lab folder, break, bound")
    func resolves() throws {
        let lab = try LabLoader.parse(yaml: Self.drill(Self.attach), path: Fixtures.inlinePath)
        let recovery = try #require(lab.recovery)
        #expect(recovery.watchdog == [Fixtures.program("run-me.sh"), "--nic", "{interface}"])
        #expect(recovery.breakAt == 2 && recovery.breakBy == .attach && recovery.restoreWithin == 25)
        #expect(recovery.breakProgram == Fixtures.program("port_redirect.bpf.c"))
        #expect(recovery.onFailure == [Fixtures.program("run-me.sh")])
        #expect(lab.expectations.map(\.check) == [.recovers])
    }

    @Test("recovers without a drill is an error at the check")
    func recoversNeedsDrill() {
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "expect: [ssh-survives]", with: "expect: [recovers]"))
                == "14:10: recovers judges a recovery drill; add a recovery section (watchdog, break, restore-within), or remove the check")
    }

    @Test("attach needs a program; stack-exit needs a command stack; the break must fall within the traffic")
    func breakRules() {
        let noProgram = Self.attach.replacingOccurrences(of: "    program: ../programs/port_redirect.bpf.c\n", with: "")
        #expect(onlyProblem(yaml: Self.drill(noProgram)).hasSuffix("by: attach puts a program on the interface; name it with "
                                                                   + "program:, such as ../programs/incidents/drop_all.bpf.c"))
        let exit = Self.attach.replacingOccurrences(of: "    by: attach\n    program: ../programs/port_redirect.bpf.c\n",
                                                    with: "    by: stack-exit\n")
        #expect(onlyProblem(yaml: Self.drill(exit)).contains("by: stack-exit kills a command stack's process; this stack is xdplab's built-in one"))
        let late = Self.attach.replacingOccurrences(of: "at: 2s", with: "at: 9s")
        #expect(onlyProblem(yaml: Self.drill(late)).contains("the break at 9s comes after traffic ends (traffic.duration 5s)"))
    }

    @Test("a drill needs SSH sessions and knows its keys")
    func needsSSH() {
        let yaml = Self.drill(Self.attach).replacingOccurrences(of: "  from: peer", with: "  from: peer\n  ssh: off")
        #expect(diagnostics(yaml: yaml).contains { $0.message.hasPrefix("a recovery drill times SSH sessions") })
        let typo = Self.attach.replacingOccurrences(of: "restore-within", with: "restore-in")
        let messages = diagnostics(yaml: Self.drill(typo)).map(\.message)
        #expect(messages.contains { $0.hasPrefix("unknown key 'restore-in'") }, "\(messages)")
    }
}
