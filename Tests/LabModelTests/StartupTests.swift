import Testing
@testable import LabModel

@Suite("startup: order rules and pauses")
struct StartupTests {
    private func yaml(_ startup: String) -> String {
        Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003]\n  startup: \(startup)")
    }

    @Test("unsafe but legal orders are kept as written", arguments: [
        ("[load, register, create-sockets, attach]", nil as [StartupStep]?),
        ("[load, attach, create-sockets, register]", [.load, .attach, .createSockets, .register]),
        ("[create-sockets, load, {wait: 2s}, attach, {wait: 250ms}, register]",
         [.createSockets, .load, .wait(2), .attach, .wait(0.25), .register]),
    ])
    func orders(startup: String, expected: [StartupStep]?) throws {
        guard let expected else {
            #expect(onlyProblem(yaml: yaml(startup)).hasPrefix("12:19: 'register' must come after 'create-sockets'"))
            return
        }
        #expect(try LabLoader.parse(yaml: yaml(startup), path: Fixtures.inlinePath).stack.startup == expected)
    }

    @Test("step problems", arguments: [
        ("[register, load, create-sockets, attach]",
         "12:13: 'register' must come after 'load': xsks_map exists only once the program is loaded"),
        ("[attach, load, create-sockets, register]", "12:13: 'attach' must come after 'load': only a loaded program can be attached"),
        ("[load, create-sockets, register]",
         "12:12: startup is missing 'attach'; load, create-sockets, register and attach each appear exactly once"),
        ("[load, load, create-sockets, register, attach]",
         "12:19: 'load' appears twice in startup; load, create-sockets, register and attach each appear exactly once"),
        ("[load, create-sockets, register, atach]", "12:45: unknown start-up step 'atach'; did you mean 'attach'?"),
        ("[load, wait 2s, create-sockets, register, attach]",
         "12:19: a pause is written as a mapping, such as {wait: 2s}; got 'wait 2s'"),
        ("[load, {wait: 0s}, create-sockets, register, attach]",
         "12:26: wait must be a duration greater than zero such as 250ms, 2s, 1.5s or 1m (a bare number means seconds), got '0s'"),
        ("[load, {wiat: 1s}, create-sockets, register, attach]", "12:20: unknown key 'wiat'; did you mean 'wait'?"),
        ("load", "12:12: startup must be a list such as [load, create-sockets, register, attach], got 'load'"),
    ])
    func problems(startup: String, expected: String) {
        let found = diagnostics(yaml: yaml(startup)).map { "\($0.location.line):\($0.location.column): \($0.message)" }
        #expect(found.first == expected)
    }
}
