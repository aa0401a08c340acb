import Evidence
import Testing
@testable import Verification
import LabModel

/// A session that completed exchanges at `times` (seconds since the start of traffic).
private func session(_ queue: Int, _ times: [Double], planned: Int? = nil) -> SessionRecord {
    SessionRecord(queue: queue, flow: "tcp #\(queue)", exchangesPlanned: planned ?? times.count, exchangesCompleted: times.count,
                  longestStall: 0, stalledAt: nil, failure: nil, answeredAt: times)
}

private func every(_ step: Double, from: Double, to: Double) -> [Double] {
    stride(from: from, through: to, by: step).map { $0 }
}

@Suite("recovers: SSH back within the bound after the drill's break")
struct RecoveryCheckTests {
    static let drill = RecoveryRecord(breakAt: 2, breakAction: "attached drop_all (id 9) in place of port_redirect (id 8)",
                                      restoreWithin: 10,
                                      interfaceChanges: [InterfaceChange(at: 0, program: "port_redirect (id 8)", byBreak: false),
                                                         InterfaceChange(at: 2, program: "drop_all (id 9)", byBreak: true),
                                                         InterfaceChange(at: 6.5, program: "none", byBreak: false)],
                                      finalProgram: "none")

    @Test("the lockout runs from the break to the first exchange after the stall")
    func lockouts() {
        let back = every(0.2, from: 0.2, to: 1.8) + every(0.2, from: 7.0, to: 9.0)
        let quiet = every(0.2, from: 0.2, to: 9.0)
        let never = every(0.2, from: 0.2, to: 2.0)
        let found = RecoveryCheck.lockouts([session(0, back), session(1, quiet), session(2, never, planned: 45)],
                                           breakAt: 2, maxStall: 1)
        #expect(found[0].stalledAt == 1.8 && found[0].backAt == 7.0)
        #expect(abs((found[0].lockout ?? 0) - 5.0) < 1e-9)
        #expect(found[1].stalledAt == nil && found[1].lockout == nil, "a session the break did not touch")
        #expect(found[2].neverBack)
    }

    @Test("holds when every session is back in time and the break is gone; names the watchdog's action")
    func holds() {
        var observations = Scenario().observations
        observations.sessions = [session(0, every(0.2, from: 0.2, to: 1.8) + every(0.2, from: 7.0, to: 9.0))]
        observations.sshMaxStall = 1
        observations.recovery = Self.drill
        let result = RecoveryCheck.result(expected: .holds, observations: observations)
        #expect(result.held && result.judged)
        #expect(result.detail.hasPrefix("SSH came back within 10s of the break (longest lockout 5s)"))
        #expect(result.detail.contains("watchdog acted at 6.5s (4.5s after the break): the interface now runs none"))
    }

    @Test("fails when a session is back too late, never back, or the break is still attached; each named")
    func fails() {
        var observations = Scenario().observations
        observations.sshMaxStall = 1
        observations.sessions = [session(0, every(0.2, from: 0.2, to: 1.8) + [13.0])]
        observations.recovery = Self.drill
        let late = RecoveryCheck.result(expected: .holds, observations: observations)
        #expect(!late.held)
        #expect(late.detail.contains("queue 0: last exchange 1.8s, back at 13s, locked out 11s after the break (bound 10s)"))

        var stuck = Self.drill
        stuck.interfaceChanges.removeLast()
        stuck.finalProgram = "drop_all (id 9)"
        stuck.breakStillAttached = true
        stuck.watchdog = StackProcessRecord(command: ["./w.sh"], pid: 7, logPath: "/x", logTail: ["Cannot find device \"enp1s0f0\""])
        observations.sessions = [session(0, every(0.2, from: 0.2, to: 2.0), planned: 45)]
        observations.recovery = stuck
        let never = RecoveryCheck.result(expected: .violated, observations: observations)
        #expect(!never.held && never.passed)
        #expect(never.detail.contains("the watchdog never changed the interface's XDP program after the break; its last output: \"Cannot find device \"enp1s0f0\"\""))
        #expect(never.detail.contains("queue 0: last exchange 2s, never back"))
        #expect(never.detail.contains("at the end the interface still ran drop_all (id 9), the program that broke it"))
    }

    @Test("a break that could not be made leaves the check undecided")
    func breakFailed() {
        var observations = Scenario().observations
        var failed = Self.drill
        failed.breakError = "the command stack was not running"
        observations.recovery = failed
        let result = RecoveryCheck.result(expected: .holds, observations: observations)
        #expect(!result.judged && !result.passed)
    }
}
