import Testing
@testable import LabModel

/// The base lab with two ports and two socket queues, plus `stack` lines under `ports`.
private func yaml(_ stackLines: String) -> String {
    Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003, 8004]\n  queues: [0, 1]\n" + stackLines)
}

@Suite("stack layout: shared, or one program per socket")
struct StackLayoutTests {
    @Test("the default layout is shared")
    func sharedByDefault() throws {
        let lab = try LabLoader.parse(yaml: yaml(""), path: Fixtures.inlinePath)
        #expect(lab.stack.layout == .shared)
    }

    @Test("program-per-socket maps each socket queue to its own ports")
    func perSocket() throws {
        let lab = try LabLoader.parse(yaml: yaml("  layout: program-per-socket\n  socket-ports:\n    0: [8003]\n    1: [8004]"),
                                      path: Fixtures.inlinePath)
        #expect(lab.stack.layout == .programPerSocket(portsByQueue: [0: [8003], 1: [8004]]))
    }

    @Test("mistakes are reported where they are", arguments: [
        ("  socket-ports:\n    0: [8003]", "14:5: socket-ports only applies to layout: program-per-socket; remove it or set the layout"),
        ("  layout: program-per-socket",
         "8:3: stack is missing 'socket-ports' (which ports each socket's own program claims, such as {0: [8003], 1: [8004]})"),
        ("  layout: program-per-socket\n  socket-ports:\n    0: [8003]\n    1: [9000]",
         "16:8: port 9000 is not among the stack's ports; list it under ports too"),
        ("  layout: program-per-socket\n  socket-ports:\n    0: [8003]\n    3: [8004]",
         "16:5: queue 3 has no socket; socket-ports keys must be among the stack's queues (0, 1)"),
        ("  layout: program-per-socket\n  socket-ports:\n    0: [8003]",
         "15:5: socket-ports has no entry for queue 1; every socket needs its own program's ports"),
    ])
    func problems(text: String, expected: String) {
        #expect(onlyProblem(yaml: yaml(text)) == expected)
    }
}
