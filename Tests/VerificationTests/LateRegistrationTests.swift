import Evidence
import Testing
import Verification
import LabModel

/// Sockets on every queue, registered 1.5 s into the traffic (a late `register` step).
private func lateRegistration() -> Scenario {
    var scenario = Scenario()
    scenario.socketQueues = [0, 1, 2, 3]
    scenario.socketsRegisteredAt = 1.5
    return scenario
}

@Suite("a late registration: packets are judged by whether their slot was registered when they were sent")
struct LateRegistrationTests {
    @Test("packets sent before the registration must reach the kernel; lost ones violate failed-redirects-pass")
    func windowLossesAreFallbackFailures() {
        var scenario = lateRegistration()
        scenario.add("validator-udp4", queue: 0, count: 5, fate: .lost, from: 0.5)      // 0.5 … 0.9 s: window
        scenario.add("validator-udp4", queue: 0, count: 5, fate: .xsk(queue: 0), from: 2)  // after it
        scenario.evidence.exceptions = [ExceptionCount(action: 0, count: 5)]
        let fallback = scenario.evaluate(.failedRedirectsPass)
        #expect(!fallback.held)
        #expect(fallback.offenders.count == 5)
        #expect(fallback.detail.contains("was not registered yet"))
        #expect(scenario.evaluate(.matchingReachXSK).held)
        #expect(scenario.diagnosis.contains { $0.contains("attached before its sockets were registered") })
    }

    @Test("with XDP_PASS as fallback the window's packets reach the kernel and every check holds")
    func passFallbackHolds() {
        var scenario = lateRegistration()
        scenario.add("validator-udp4", queue: 1, count: 5, fate: .kernel, from: 0.5)
        scenario.add("validator-udp4", queue: 1, count: 5, fate: .xsk(queue: 1), from: 2)
        #expect(scenario.evaluate(.failedRedirectsPass).held)
        #expect(scenario.evaluate(.matchingReachXSK).held)
    }

    @Test("packets sent within the margin of the registration are not judged either way")
    func boundaryIsNotJudged() {
        var scenario = lateRegistration()
        scenario.add("validator-udp4", queue: 2, count: 1, fate: .kernel, from: 1.48)
        scenario.add("validator-udp4", queue: 2, count: 1, fate: .xsk(queue: 2), from: 1.52)
        let observations = scenario.observations
        #expect(observations.injected.allSatisfy { observations.socketState(of: $0) == .registering })
        #expect(!scenario.evaluate(.failedRedirectsPass).judged)
        #expect(!scenario.evaluate(.matchingReachXSK).judged)
    }
}
