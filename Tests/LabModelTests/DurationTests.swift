import Testing
@testable import LabModel

@Suite("Durations")
struct DurationTests {
    @Test("accepted forms", arguments: [
        ("250ms", 0.25), ("2s", 2.0), ("1.5s", 1.5), ("1m", 60.0), ("3", 3.0), ("0.5", 0.5), ("1.5m", 90.0),
    ])
    func accepted(text: String, seconds: Double) {
        #expect(LabDuration.parse(text) == seconds)
    }

    @Test("refused forms", arguments: ["", "0", "0s", "-1s", "1h", "s", "ms", "1.2.3s", "1e3", "inf", "nan", "2 s", "fast"])
    func refused(text: String) {
        #expect(LabDuration.parse(text) == nil)
    }

    @Test("formatting picks the shortest form", arguments: [
        (0.25, "250ms"), (2.0, "2s"), (1.5, "1.5s"), (60.0, "1m"), (120.0, "2m"), (90.0, "90s"), (0.2, "200ms"),
    ])
    func format(seconds: Double, text: String) {
        #expect(LabDuration.format(seconds) == text)
        #expect(LabDuration.parse(text) == seconds)
    }

    @Test("step names for display")
    func stepNames() {
        #expect(StartupStep.safeOrder.map(\.name) == ["load", "create-sockets", "register", "attach"])
        #expect(StartupStep.wait(2).name == "wait 2s")
        #expect(StartupStep.wait(0.5).name == "wait 500ms")
    }
}
