import Testing
import Evidence
import Verification

@Suite("packet fates")
struct FateTests {
    @Test("kernel, socket, both and lost follow from the capture and the sockets")
    func fates() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 0, count: 1, fate: .kernel)
        scenario.add("validator-udp4", queue: 0, count: 1, fate: .xsk(queue: 0))
        scenario.add("validator-udp4", queue: 1, count: 1, fate: .both(queue: 1))
        scenario.add("validator-udp4", queue: 2, count: 1, fate: .lost)
        let observations = scenario.observations
        let fates = observations.injected.map { Verifier.fate(of: $0, in: observations) }
        #expect(fates == [.kernel, .xsk(queue: 0), .both(queue: 1), .lost])
    }

    @Test("expected fates: non-matching and socketless queues go to the kernel, the rest to their queue's socket")
    func expectedFates() {
        var scenario = Scenario()
        scenario.add("arp", queue: 0, count: 1, fate: .kernel)
        scenario.add("validator-udp4", queue: 2, count: 1, fate: .kernel)
        scenario.add("validator-udp4", queue: 1, count: 1, fate: .kernel)
        let observations = scenario.observations
        #expect(observations.injected.map { Verifier.expectedFate(of: $0, in: observations) } == [.kernel, .kernel, .xsk(queue: 1)])
        #expect(Verifier.expectation(for: observations.injected[1], in: observations)
            == "the kernel (no socket on queue 2, the fallback must pass them)")
    }
}
