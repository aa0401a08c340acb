import Foundation
import Testing
@testable import LabModel
import TestSupport

@Suite("Valid lab files resolve to the expected values")
struct LabParsingTests {
    @Test("a complete lab: every setting, addresses, durations, ranges")
    func completeLab() throws {
        let path = Fixtures.lab("complete.yaml")
        let lab = try LabLoader.load(path: path)

        #expect(lab.name == "validator-ports")
        #expect(lab.description == "Validator ports 8003-8005 on two queues")
        #expect(lab.path == path)

        #expect(lab.topology.hosts == ["validator", "peer", "monitor"])
        #expect(lab.topology.links.count == 2)
        let first = lab.topology.links[0], second = lab.topology.links[1]
        #expect(first.queues == 4)
        #expect(first.a.name == "validator:eth0" && first.b.name == "peer:eth0")
        #expect(first.a.ipv4.description == "198.18.0.1/24")
        #expect(first.b.ipv4.description == "198.18.0.2/24")
        #expect(first.a.ipv6.description == "2001:2::1/64")
        #expect(first.b.ipv6.description == "2001:2::2/64")
        #expect(second.queues == 1)
        #expect(second.a.name == "peer:eth1" && second.b.name == "monitor:eth0")
        #expect(second.a.ipv4.description == "198.18.9.1/24")
        #expect(second.a.ipv6.description == "2001:2:0:1::1/64", "a missing family falls back to the automatic address")
        #expect(second.b.ipv4.description == "198.18.9.2/24")
        #expect(second.b.ipv6.description == "2001:2:0:1::9/64")
        #expect(lab.topology.neighbour == NeighbourTiming(reachableTime: 2, delayProbe: 0.25, retransmit: 0.1))

        #expect(lab.stack.host == "validator")
        #expect(lab.stack.interface == "eth0")
        #expect(lab.stack.program == Fixtures.program("port_redirect.bpf.c"))
        #expect(lab.stack.attachMode == .generic)
        #expect(lab.stack.ports == [8003, 8004, 8005, 9000])
        #expect(lab.stack.socketQueues == [1, 0])
        #expect(lab.stack.startup == [.load, .attach, .wait(1.5), .createSockets, .register])
        #expect(lab.stack.fillRing == .starve)

        #expect(lab.traffic == TrafficSpec(from: "peer", duration: 60, rounds: 3,
                                           classes: [.validatorUDP4, .arp, .vlanTagged],
                                           ssh: SSHSpec(port: 2222, interval: 0.1, maxStall: 3)))

        #expect(lab.expectations.map(\.check) == [.nonMatchingReachKernel, .failedRedirectsPass, .sshSurvives])
        #expect(lab.expectations.map(\.outcome) == [.holds, .violated, .holds])
        #expect(lab.expectations.map(\.location.line) == [36, 37, 39])
        #expect(lab.expectations[0].location == SourceLocation(file: path, line: 36, column: 5))

        #expect(lab.stackLink == first)
        #expect(lab.stackEndpoint == first.a)
        #expect(lab.peerEndpoint == first.b)
        #expect(lab.queueCount == 4)
    }

    @Test("a minimal lab gets every default")
    func minimalLab() throws {
        let lab = try LabLoader.load(path: Fixtures.lab("minimal.yaml"))
        #expect(lab.description == nil)
        #expect(lab.topology.neighbour == .standard)
        #expect(lab.topology.neighbour == NeighbourTiming(reachableTime: 1, delayProbe: 0.5, retransmit: 0.2))
        let link = lab.topology.links[0]
        #expect(link.queues == 1)
        #expect(link.a.name == "peer:eth0", "the first end written is `a` and gets .1")
        #expect(link.a.ipv4.description == "198.18.0.1/24" && link.b.ipv4.description == "198.18.0.2/24")
        #expect(lab.stack.program == Fixtures.program("port_redirect.o"), ".o objects are accepted")
        #expect(lab.stack.attachMode == .native)
        #expect(lab.stack.socketQueues == [0], "without `queues`, every RX queue of the link gets a socket")
        #expect(lab.stack.startup == [.load, .createSockets, .register, .attach])
        #expect(lab.stack.fillRing == .kept)
        #expect(lab.traffic.duration == 5)
        #expect(lab.traffic.rounds == 5)
        #expect(lab.traffic.classes == TrafficClass.allCases)
        #expect(lab.traffic.ssh == SSHSpec(port: 22, interval: 0.2, maxStall: 2))
        #expect(lab.expectations.map(\.check) == [.matchingReachXSK])
        #expect(lab.stackEndpoint == link.b)
        #expect(lab.peerEndpoint == link.a)
    }

    @Test("automatic addresses follow the link's position in the file")
    func automaticAddresses() throws {
        let yaml = Fixtures.base(replacing: "    - between: [validator:eth0, peer:eth0]\n      queues: 2", with: """
                - between: [validator:eth1, peer:eth1]
                - between: [validator:eth2, peer:eth2]
                - between: [validator:eth0, peer:eth0]
                  queues: 2
            """)
        let lab = try LabLoader.parse(yaml: yaml, path: Fixtures.inlinePath)
        let ends = lab.topology.links.flatMap { [$0.a, $0.b] }
        #expect(ends.map(\.ipv4.description) == ["198.18.0.1/24", "198.18.0.2/24", "198.18.1.1/24",
                                                 "198.18.1.2/24", "198.18.2.1/24", "198.18.2.2/24"])
        #expect(ends.map(\.ipv6.description) == ["2001:2::1/64", "2001:2::2/64", "2001:2:0:1::1/64",
                                                 "2001:2:0:1::2/64", "2001:2:0:2::1/64", "2001:2:0:2::2/64"])
        #expect(lab.stackEndpoint.ipv4.address == "198.18.2.1")
        #expect(lab.queueCount == 2)
        #expect(lab.stack.socketQueues == [0, 1])
    }

    @Test("ssh: off switches sessions off; an empty queue list is allowed")
    func sshOffAndNoSockets() throws {
        let yaml = Fixtures.base(replacing: "expect: [ssh-survives]", with: """
              ssh: off
            expect: [no-xdp-exceptions]
            """).replacingOccurrences(of: "ports: [8003]", with: "ports: [8003]\n  queues: []")
        let lab = try LabLoader.parse(yaml: yaml, path: Fixtures.inlinePath)
        #expect(lab.traffic.ssh == nil)
        #expect(lab.stack.socketQueues == [])
    }

    @Test("replacingProgram swaps the program for an absolute, standardized path")
    func replacingProgram() throws {
        let lab = try LabLoader.load(path: Fixtures.lab("minimal.yaml"))
        let replaced = lab.replacingProgram("/tmp/x/../other.bpf.c")
        #expect(replaced.stack.program == "/tmp/other.bpf.c")
        let relative = lab.replacingProgram("progs/p.o")
        #expect(relative.stack.program == FileManager.default.currentDirectoryPath + "/progs/p.o")
        #expect(replaced.topology == lab.topology && replaced.traffic == lab.traffic)
    }

    @Test("the complete example in docs/lab-format.md is a valid lab")
    func documentedExample() throws {
        let docs = RepositoryPaths.root.appendingPathComponent("docs/lab-format.md")
        let text = try String(contentsOf: docs, encoding: .utf8)
        let start = try #require(text.range(of: "```yaml\n"))
        let end = try #require(text.range(of: "```", range: start.upperBound..<text.endIndex))
        let example = String(text[start.upperBound..<end.lowerBound])
        let lab = try LabLoader.parse(yaml: example, path: Fixtures.lab("documented.yaml"))
        #expect(lab.name == "validator-ports")
        #expect(lab.stack.ports == [8003, 8004, 8005])
    }
}
