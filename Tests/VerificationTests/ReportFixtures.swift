import Evidence
import Verification
import Reports
import LabModel

/// Fixed reports for the renderer tests: one failing lab with evidence, one passing lab, one that could not run.
enum ReportFixtures {
    static var failing: LabReport {
        var scenario = Scenario()
        scenario.addHealthy("validator-udp4", queues: 0...1, count: 2)
        scenario.add("validator-udp4", queue: 2, count: 2, fate: .lost)
        scenario.add("arp", queue: 0, count: 2, fate: .kernel)
        scenario.add("other-udp4", queue: 1, count: 1, fate: .both(queue: 1))
        scenario.evidence.exceptions = [ExceptionCount(action: 0, count: 2)]
        scenario.evidence.queueCounters = [2: ["xdp_drops": 2]]
        let observations = scenario.observations
        let requests = [CheckRequest(name: .failedRedirectsPass, expected: .holds),
                        CheckRequest(name: .matchingReachXSK, expected: .holds),
                        CheckRequest(name: .sshSurvives, expected: .violated)]
        let results = Verifier.evaluate(requests, observations: observations)
        return LabReport.make(lab: "fallback <abort> & co", file: "Labs/fallback-abort.yaml", results: results,
                              observations: observations, diagnosis: Verifier.diagnosis(of: results, observations: observations),
                              durationSeconds: 12.34, captureDirectory: "Captures/fallback-abort/run-1")
    }

    /// A session that never answered: its stall is infinite, which JSON has no number for.
    static var infiniteStall: LabReport {
        var scenario = Scenario()
        scenario.addSessions(stall: .infinity, completed: 0)
        let observations = scenario.observations
        let results = Verifier.evaluate([CheckRequest(name: .sshSurvives, expected: .holds)], observations: observations)
        return LabReport.make(lab: "stall", file: "s.yaml", results: results, observations: observations,
                              diagnosis: [], durationSeconds: 1, captureDirectory: nil)
    }

    static var passing: LabReport {
        var scenario = Scenario()
        scenario.addHealthy("validator-udp4", queues: 0...1, count: 1)
        scenario.addSessions(queues: [0])
        let observations = scenario.observations
        let results = Verifier.evaluate([CheckRequest(name: .matchingReachXSK, expected: .holds),
                                         CheckRequest(name: .sshSurvives, expected: .holds)], observations: observations)
        return LabReport.make(lab: "healthy", file: "Labs/healthy.yaml", results: results, observations: observations,
                              diagnosis: [], durationSeconds: 3, captureDirectory: nil)
    }

    static var broken: LabReport {
        LabReport(lab: "broken", file: "Labs/broken.yaml", passed: false, checks: [],
                  packets: PacketCounts(injected: 0, kernel: 0, xsk: 0, lost: 0), classes: [], diagnosis: [],
                  durationSeconds: 0.5, captureDirectory: nil, evidence: nil, sessions: [],
                  error: "missing capability: \"CAP_BPF\" <needed> for\u{1}loading\nsecond line")
    }
}
