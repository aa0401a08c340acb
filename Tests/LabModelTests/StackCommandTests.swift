import Foundation
import Testing
@testable import LabModel

@Suite("Command stacks: the team's own binary in the lab file")
struct StackCommandTests {
    /// The base lab's stack with `command` lines instead of the built-in start-up; `program` kept unless dropped.
    static func commandLab(_ command: String, keepProgram: Bool = true, extra: String = "") -> String {
        let program = keepProgram ? "  program: ../programs/port_redirect.bpf.c\n" : ""
        return Fixtures.base(replacing: "  program: ../programs/port_redirect.bpf.c\n", with: program + extra)
            .replacingOccurrences(of: "  ports: [8003]", with: "  ports: [8003-8005, 9000]\n  command: \(command)")
    }

    @Test("a command with placeholders resolves: executable from the lab folder, ready defaults to 10s")
    func resolves() throws {
        let lab = try LabLoader.parse(yaml: Self.commandLab("[/bin/true, --iface, \"{interface}\", --obj, \"{program}\"]"),
                                      path: Fixtures.inlinePath)
        let command = try #require(lab.stack.command)
        #expect(command.arguments == ["/bin/true", "--iface", "{interface}", "--obj", "{program}"])
        #expect(command.ready == 10)
        #expect(command.workingDirectory == LabPaths.folder(of: Fixtures.inlinePath))
        #expect(lab.stack.program == Fixtures.program("port_redirect.bpf.c"))
    }

    @Test("a relative executable starts at the lab file's folder; a bare name is looked up on PATH")
    func executablePaths() throws {
        let relative = try LabLoader.parse(yaml: Self.commandLab("[../programs/run-me.sh]", keepProgram: false),
                                           path: Fixtures.inlinePath)
        #expect(relative.stack.command?.arguments == [Fixtures.program("run-me.sh")])
        #expect(relative.stack.program == nil, "a command stack needs no program")
        let onPath = try LabLoader.parse(yaml: Self.commandLab("[sh, -c, \"exit 0\"]", keepProgram: false),
                                         path: Fixtures.inlinePath)
        #expect(onPath.stack.command?.arguments.first == "sh")
    }

    @Test("placeholders expand in every argument and reach the environment")
    func expansion() {
        let values = StackPlaceholders(interface: "eth0", queues: [0, 2], ports: [8003, 8004, 8005, 9000],
                                       program: "/run/x.o", namespace: "xdplab-abc123-validator",
                                       peerIPv4: "198.18.0.2", peerIPv6: "2001:2::2")
        let command = StackCommand(arguments: ["/bin/stack", "--iface={interface}", "{queues}", "{ports}", "{program}",
                                               "{namespace}", "{unknown}", "{", "a{interface}b{queues}"],
                                   workingDirectory: "/")
        #expect(command.expanded(values) == ["/bin/stack", "--iface=eth0", "0,2", "8003-8005,9000", "/run/x.o",
                                             "xdplab-abc123-validator", "{unknown}", "{", "aeth0b0,2"])
        #expect(values.environment == ["XDPLAB_INTERFACE": "eth0", "XDPLAB_QUEUES": "0,2", "XDPLAB_PORTS": "8003-8005,9000",
                                       "XDPLAB_PROGRAM": "/run/x.o", "XDPLAB_NAMESPACE": "xdplab-abc123-validator",
                                       "XDPLAB_PEER_IPV4": "198.18.0.2", "XDPLAB_PEER_IPV6": "2001:2::2"])
        var noProgram = values
        noProgram.program = nil
        #expect(noProgram.environment["XDPLAB_PROGRAM"] == nil)
    }

    @Test("port lists fold into ranges")
    func portRanges() {
        #expect(PortRanges.text([8005, 8003, 8004, 22, 9000, 9001]) == "22,8003-8005,9000-9001")
        #expect(PortRanges.text([53]) == "53")
    }

    @Test("startup and command are exclusive, said at startup's line and column")
    func exclusive() {
        let yaml = Self.commandLab("[/bin/true]", extra: "  startup: [load, create-sockets, register, attach]\n")
        #expect(onlyProblem(yaml: yaml) == "11:12: startup and command are exclusive: a command stack starts itself "
                + "(command at line 13); remove startup")
    }

    @Test("every other built-in start-up key is refused with a command too")
    func builtInKeys() {
        let yaml = Self.commandLab("[/bin/true]", extra: "  fill-ring: starve\n  attach-mode: generic\n")
        let messages = diagnostics(yaml: yaml).map(\.message)
        #expect(messages.count == 2)
        #expect(messages.allSatisfy { $0.contains("and command are exclusive") })
    }

    @Test("an unknown placeholder is named with a suggestion")
    func unknownPlaceholder() {
        #expect(onlyProblem(yaml: Self.commandLab("[/bin/true, \"{interfce}\"]"))
                == "12:24: unknown placeholder {interfce}; did you mean 'interface'?")
    }

    @Test("{program} without program: is an error")
    func programPlaceholderNeedsProgram() {
        #expect(onlyProblem(yaml: Self.commandLab("[/bin/true, \"{program}\"]", keepProgram: false))
                == "11:24: {program} is the compiled object of the stack's program, but the stack has no program; "
                + "add program: or remove {program}")
    }

    @Test("a missing executable says where relative paths start")
    func missingExecutable() {
        let problem = onlyProblem(yaml: Self.commandLab("[./bin/no-such-stack]"))
        #expect(problem.hasPrefix("12:13: command \(LabPaths.folder(of: Fixtures.inlinePath))/bin/no-such-stack does not exist; build it first"))
        #expect(onlyProblem(yaml: Self.commandLab("[no-such-tool-xdplab]")).hasPrefix("12:13: command 'no-such-tool-xdplab' is not on PATH"))
    }

    @Test("ready is a duration, only for command stacks")
    func ready() throws {
        let lab = try LabLoader.parse(yaml: Self.commandLab("[/bin/true]", extra: "  ready: 2500ms\n"), path: Fixtures.inlinePath)
        #expect(lab.stack.command?.ready == 2.5)
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003]\n  ready: 2s"))
                == "12:10: ready applies to a command stack (how long its own binary may take to come up); remove it or add command")
        #expect(onlyProblem(yaml: Self.commandLab("[/bin/true]", extra: "  ready: soon\n")).hasPrefix("11:10: ready must be a duration"))
    }

    @Test("an empty command or a command that is not a list is refused")
    func emptyCommand() {
        #expect(onlyProblem(yaml: Self.commandLab("[]")).hasPrefix("12:12: command must name the executable to run"))
        #expect(onlyProblem(yaml: Self.commandLab("/bin/true")).hasPrefix("12:12: command must be a list"))
    }

    @Test("a sequence lab cannot run a command stack")
    func noSequence() {
        let yaml = Self.commandLab("[/bin/true]").replacingOccurrences(of: "traffic:\n  from: peer",
            with: "traffic:\n  from: peer\n  sequence:\n    rate: 1000/s\n    count: 100\n    port: 8003")
            .replacingOccurrences(of: "expect: [ssh-survives]", with: "expect: [in-order]")
        #expect(diagnostics(yaml: yaml).contains { $0.message.hasPrefix("a sequence lab runs xdplab's own receiver") })
    }
}

extension StackCommandTests {
    @Test("traffic-starts chooses when traffic begins, only for command stacks")
    func trafficStarts() throws {
        let lab = try LabLoader.parse(yaml: Self.commandLab("[/bin/true]", extra: "  traffic-starts: at-attach\n"),
                                      path: Fixtures.inlinePath)
        #expect(lab.stack.command?.trafficStarts == .atAttach)
        let plain = try LabLoader.parse(yaml: Self.commandLab("[/bin/true]"), path: Fixtures.inlinePath)
        #expect(plain.stack.command?.trafficStarts == .whenReady)
        #expect(onlyProblem(yaml: Self.commandLab("[/bin/true]", extra: "  traffic-starts: attach\n"))
                == "11:19: unknown traffic-starts 'attach'; choices are: when-ready, at-attach")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003]\n  traffic-starts: at-attach"))
                .hasPrefix("12:19: traffic-starts applies to a command stack"))
    }
}
