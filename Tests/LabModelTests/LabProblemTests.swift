import Foundation
import Testing
@testable import LabModel

@Suite("Problems are all reported, each at its line and column")
struct LabProblemTests {
    @Test("a file with nine problems reports all nine, in file order")
    func manyProblems() throws {
        let path = Fixtures.lab("many-problems.yaml")
        let error = try #require(throws: LabFileError.self) { try LabLoader.load(path: path) }
        let expected: [(line: Int, column: Int, message: String)] = [
            (8, 33, "unknown host 'peer2'; hosts are: validator, peer"),
            (9, 7, "unknown key 'queue'; did you mean 'queues'?"),
            (11, 15, "queues must be between 1 and 64, got 80"),
            (13, 26, "203.0.113.1/24 is outside the lab ranges; "
                     + "lab addresses must come from 198.18.0.0/15 (IPv4) or 2001:2::/48 (IPv6)"),
            (15, 21, "reachable-time must be a duration greater than zero such as 250ms, 2s, 1.5s or 1m "
                     + "(a bare number means seconds), got 'fast'"),
            (21, 15, "queue 2 does not exist: the stack's link has 2 queues, numbered 0 to 1"),
            (22, 19, "'register' must come after 'create-sockets': there is no socket to put into xsks_map before then"),
            (25, 13, "duration must be between 1s and 10m, got 20m"),
            (28, 12, "unknown check 'ssh-survive'; did you mean 'ssh-survives'?"),
        ]
        #expect(error.diagnostics.count == expected.count, "\(error)")
        for (found, wanted) in zip(error.diagnostics, expected) {
            #expect(found.location == SourceLocation(file: path, line: wanted.line, column: wanted.column))
            #expect(found.message == wanted.message)
        }
        let lines = error.description.split(separator: "\n")
        #expect(lines.count == expected.count)
        #expect(lines.first == "\(path):8:33: error: unknown host 'peer2'; hosts are: validator, peer")
    }

    @Test("a YAML syntax error is reported where the parser stopped")
    func syntaxError() throws {
        let path = Fixtures.lab("syntax-error.yaml")
        let error = try #require(throws: LabFileError.self) { try LabLoader.load(path: path) }
        #expect(error.diagnostics.count == 1)
        let problem = try #require(error.diagnostics.first)
        #expect(problem.location.file == path)
        #expect(problem.location.line == 4, "the unclosed list on line 3 is noticed at the next key, line 4")
        #expect(problem.location.column == 8)
        #expect(problem.message.hasPrefix("YAML syntax error: did not find expected ',' or ']'"))
        #expect(problem.message.contains("line 3, column 10"), "the context points at the list's start")
    }

    @Test("values of the wrong kind say what was expected and what was found")
    func wrongTypes() throws {
        let error = try #require(throws: LabFileError.self) { try LabLoader.load(path: Fixtures.lab("wrong-types.yaml")) }
        let found = error.diagnostics.map { "\($0.location.line):\($0.location.column): \($0.message)" }
        #expect(found == [
            "3:10: hosts must be a list such as [validator, peer], got 'validator'",
            "5:5: links must be a list such as [{between: [validator:eth0, peer:eth0]}], got a mapping",
            "7:9: host must be a single value, got a list",
            "10:10: ports must be a list such as [8003, 8004, 8005] or [\"8003-8005\"], got '8003'",
            "11:10: traffic must be a mapping of settings (key: value lines), got 'peer'",
            "12:9: expect must be a list such as [non-matching-reach-kernel, ssh-survives], got 'ssh-survives'",
        ])
    }

    @Test("an unknown key far from every known key lists the known keys")
    func unknownKeyWithoutSuggestion() {
        let problem = onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  colour: blue"))
        #expect(problem == "14:3: unknown key 'colour'; keys of traffic are: from, duration, rounds, classes, ssh, sequence, load, timing")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  form: peer\n  from: peer"))
                == "13:3: unknown key 'form'; did you mean 'from'?")
        // A misspelt required key is one problem, not also "traffic is missing 'from'".
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  form: peer"))
                == "13:3: unknown key 'form'; did you mean 'from'?")
    }

    @Test("missing required keys are reported at the mapping that lacks them")
    func missingKeys() {
        let found = diagnostics(yaml: Fixtures.base(replacing: "  program: ../programs/port_redirect.bpf.c\n", with: "")
                                .replacingOccurrences(of: "expect: [ssh-survives]", with: ""))
        #expect(found.map(\.message) == [
            "the lab file is missing 'expect' (the checks to run, such as ssh-survives)",
            "stack is missing 'program' (the XDP program, a .bpf.c or .o path)",
        ])
        #expect(found.map(\.location.line) == [1, 8])
    }

    @Test("an empty file, a folder and a missing file are each reported at 1:1")
    func unreadable() throws {
        #expect(onlyProblem(yaml: "# nothing but a comment\n")
                == "1:1: the lab file is empty; it needs lab, topology, stack, traffic and expect")

        let missing = Fixtures.lab("no-such-lab.yaml")
        let error = try #require(throws: LabFileError.self) { try LabLoader.load(path: missing) }
        #expect(error.diagnostics.map(\.location) == [SourceLocation(file: missing, line: 1, column: 1)])
        #expect(error.diagnostics.first?.message.hasPrefix("lab file not found") == true)
        #expect(error.description.hasPrefix("\(missing):1:1: error: lab file not found"))

        let folder = try #require(throws: LabFileError.self) { try LabLoader.load(path: Fixtures.folder) }
        #expect(folder.diagnostics.first?.message.hasPrefix("this is a folder") == true)
    }

    @Test("a key given twice is a located error")
    func duplicateKey() {
        let problem = onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  from: validator"))
        #expect(problem == "13:3: key 'from' appears more than once in the same mapping; keep one")
    }

    @Test("host and interface names, links and traffic sender are checked")
    func namesAndLinks() {
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "[validator, peer]", with: "[validator, peer, Peer2]"))
                == "3:28: host name must be a lower-case letter followed by up to 8 lower-case letters or digits "
                 + "(it becomes part of namespace and interface names); got 'Peer2'")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "[validator, peer]", with: "[validator, peer, peer]"))
                == "3:28: host 'peer' is listed twice; host names must be unique")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "[validator, peer]", with: "[validator, peer, validatorx]"))
                .hasPrefix("3:28: host name must be"))
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "peer:eth0]", with: "peer:averyveryverylongname]"))
                == "5:33: interface name must be a lower-case letter followed by up to 14 lower-case letters or digits; "
                 + "got 'averyveryverylongname'")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "peer:eth0]", with: "peer]"))
                == "5:33: link end 'peer' must be written host:interface, such as validator:eth0")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "peer:eth0]", with: "validator:eth1]"))
                == "5:16: a link must join two different hosts; both ends are on 'validator'")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "peer:eth0]", with: "peer:eth0, peer:eth1]"))
                == "5:16: between must name exactly two ends, such as [validator:eth0, peer:eth0]; got 3")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  links:\n", with: "  links:\n    - between: [peer:eth0, validator:eth9]\n"))
                == "6:33: 'peer:eth0' is already an end of the link at line 5; an interface belongs to one link only")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  interface: eth0", with: "  interface: eth1"))
                == "9:14: interface 'eth1' is not an end of any link on validator; links on validator use: eth0")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: validator"))
                == "13:9: traffic must come from another host than the stack's host 'validator'")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peerx"))
                == "13:9: unknown host 'peerx'; hosts are: validator, peer")
        let oneHost = diagnostics(yaml: Fixtures.base(replacing: "[validator, peer]", with: "[validator]"))
        #expect(oneHost.map { "\($0.location.line):\($0.location.column): \($0.message)" } == [
            "3:10: hosts must name at least two hosts: every link joins two different hosts",
            "5:33: unknown host 'peer'; hosts are: validator",
            "13:9: unknown host 'peer'; hosts are: validator",
        ])
    }

    @Test("traffic must come from the far end of the stack's own link")
    func senderOnAnotherLink() {
        let yaml = Fixtures.base(replacing: "[validator, peer]", with: "[validator, peer, other]")
            .replacingOccurrences(of: "      queues: 2", with: "      queues: 2\n    - between: [validator:eth1, other:eth0]")
            .replacingOccurrences(of: "  from: peer", with: "  from: other")
        #expect(onlyProblem(yaml: yaml)
                == "14:9: 'other' is not at the other end of the stack's link validator:eth0–peer:eth0; set from: peer")
    }

    @Test("lab name, traffic classes, checks and outcomes")
    func namesOfThings() {
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "lab: base", with: "lab: Base Lab"))
                == "1:6: lab name must be 1 to 40 lower-case letters, digits and '-', not starting with '-'; got 'Base Lab'")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  classes: [arp, ndpp]"))
                == "14:18: unknown traffic class 'ndpp'; did you mean 'ndp'?")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  classes: [arp, arp]"))
                == "14:18: traffic class 'arp' is listed twice")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  classes: arp"))
                == "14:12: classes must be 'all' or a list of class names such as [validator-udp4, arp]; got 'arp'; "
                 + "for one class write [arp]")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "expect: [ssh-survives]",
                                                with: "expect:\n  - check: ssh-survives\n    outcome: broken"))
                == "16:14: unknown outcome 'broken'; choices are: holds, violated")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "expect: [ssh-survives]", with: "expect: [ssh-survives, ssh-survives]"))
                == "14:24: check 'ssh-survives' is already listed at line 14; a check may appear once")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "expect: [ssh-survives]", with: "expect: []"))
                == "14:9: expect must list at least one check; checks are: non-matching-reach-kernel, "
                 + "failed-redirects-pass, matching-reach-xsk, ssh-survives, no-xdp-exceptions, in-order, no-loss, recovers, load-no-loss")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  ssh: off"))
                == "15:10: ssh-survives needs SSH sessions, but traffic has ssh: off (line 14); remove one of them")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  ssh: {interval: 2s, max-stall: 1s}"))
                == "14:34: max-stall (1s) must be longer than interval (2s), or every healthy session would count as stalled")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  rounds: 0"))
                == "14:11: rounds must be between 1 and 10000, got 0")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  from: peer", with: "  from: peer\n  rounds: many"))
                == "14:11: rounds must be a whole number between 1 and 10000, got 'many'")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003]\n  attach-mode: driver"))
                == "12:16: unknown attach-mode 'driver'; choices are: native, generic")
    }

    @Test("ports: numbers and ranges only, 1 to 65535, ranges forwards")
    func ports() {
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "[8003]", with: "[8003, http]"))
                == "11:17: a port must be a number from 1 to 65535 or a range such as \"8003-8005\"; got 'http'")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "[8003]", with: "[0]"))
                == "11:11: ports must be between 1 and 65535, got 0")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "[8003]", with: "[8005-8003]"))
                == "11:11: port range 8005-8003 runs backwards; write 8003-8005")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "[8003]", with: "[]"))
                == "11:10: ports must list at least one validator port, such as [8003, 8004, 8005]")
    }

    @Test("socket queues: in range and not twice")
    func socketQueues() {
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003]\n  queues: [1, 1]"))
                == "12:15: queue 1 is listed twice; each queue gets one socket")
        #expect(onlyProblem(yaml: Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003]\n  queues: [-1]"))
                == "12:12: a socket queue must be between 0 and 63, got -1")
    }
}
