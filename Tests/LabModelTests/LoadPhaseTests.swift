import Foundation
import Testing
@testable import LabModel

@Suite("The load phase in the lab file")
struct LoadPhaseModelTests {
    static func lab(_ load: String, expect: String = "expect: [ssh-survives, load-no-loss]") -> String {
        Fixtures.base(replacing: "  from: peer", with: "  from: peer\n" + load)
            .replacingOccurrences(of: "expect: [ssh-survives]", with: expect)
    }

    @Test("duration and rate, max by default, 3s by default")
    func resolves() throws {
        let full = try LabLoader.parse(yaml: Self.lab("  load: {duration: 2s, rate: 50000}"), path: Fixtures.inlinePath)
        #expect(full.traffic.load == LoadSpec(duration: 2, rate: 50_000))
        #expect(full.expectations.map(\.check) == [.sshSurvives, .loadNoLoss])
        let max = try LabLoader.parse(yaml: Self.lab("  load: {rate: max}"), path: Fixtures.inlinePath)
        #expect(max.traffic.load == LoadSpec(duration: 3, rate: nil))
        let empty = try LabLoader.parse(yaml: Self.lab("  load: {}"), path: Fixtures.inlinePath)
        #expect(empty.traffic.load == LoadSpec(duration: 3, rate: nil) && empty.traffic.load?.rateText == "max")
        let none = try LabLoader.parse(yaml: Fixtures.baseYAML, path: Fixtures.inlinePath)
        #expect(none.traffic.load == nil)
    }

    @Test("a rate that is neither max nor a number in range is an error at its value")
    func badRate() {
        #expect(onlyProblem(yaml: Self.lab("  load: {rate: fast}"))
                == "14:16: load rate must be max or packets per second such as 50000, got 'fast'")
        #expect(onlyProblem(yaml: Self.lab("  load: {rate: 0}")) == "14:16: load rate must be between 1 and 10000000, got 0")
        #expect(onlyProblem(yaml: Self.lab("  load: {duration: 2m}")).hasPrefix("14:20: load duration must be between 100ms and 1m"))
        #expect(onlyProblem(yaml: Self.lab("  load: fast")) == "14:9: load must be a mapping such as {duration: 3s, rate: max}")
    }

    @Test("load-no-loss without a load phase names the fix")
    func checkNeedsLoad() {
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "expect: [ssh-survives]", with: "expect: [load-no-loss]"))
                == "14:10: load-no-loss judges a load phase; add load: {duration: 3s, rate: max} to traffic, or remove the check")
    }

    @Test("a command stack cannot have a load phase: its sockets are not xdplab's to count")
    func commandStack() {
        let yaml = Self.lab("  load: {rate: max}", expect: "expect: [ssh-survives]")
            .replacingOccurrences(of: "  program: ../programs/port_redirect.bpf.c",
                                  with: "  command: [../programs/run-me.sh]\n  queues: [0]")
        #expect(diagnostics(yaml: yaml).contains { $0.message.hasPrefix("load needs the built-in stack") })
    }
}
