import Testing
import Packets
@testable import ProgramCheck

@Suite("corpus construction")
struct CorpusTests {
    static let ports: [UInt16] = [8003, 8004, 8005]
    let cases = Corpus.cases(ports: CorpusTests.ports)

    func named(_ name: String) -> CheckCase? { cases.first { $0.name == name } }

    @Test("case names are unique")
    func uniqueNames() {
        var seen = Set<String>()
        let duplicates = cases.map(\.name).filter { !seen.insert($0).inserted }
        #expect(duplicates.isEmpty, "\(duplicates)")
    }

    @Test("every class of the corpus has cases")
    func everyClass() {
        for caseClass in CaseClass.allCases where !caseClass.isSweep {
            #expect(cases.contains { $0.caseClass == caseClass }, "\(caseClass.rawValue)")
        }
    }

    @Test("every kind the issue lists is present, by name")
    func listedKinds() {
        var required = ["ssh4-syn", "ssh4-ack", "ssh4-data", "ssh4-fin", "ssh4-rst", "ssh6-syn", "ssh6-rst",
                        "ipv4-router-alert-udp-to-8003", "ipv4-first-fragment-udp-to-8003", "ipv4-middle-fragment-udp-to-8003",
                        "ipv4-last-fragment-udp-to-8003", "ipv6-hop-by-hop-udp-to-8003", "ipv6-first-fragment-udp-to-8003",
                        "icmp4-echo-request", "icmp6-echo-request", "icmp6-echo-reply", "nd-neighbour-solicitation",
                        "nd-neighbour-advertisement", "arp-request", "arp-reply", "vlan-100-udp4-to-8003",
                        "qinq-200-100-udp4-to-8003", "runt-udp4-to-8003-unpadded", "runt-13-bytes"]
        for port in Self.ports {
            required += ["tcp4-syn-to-\(port)", "tcp6-syn-to-\(port)", "udp4-to-\(port)", "udp6-to-\(port)"]
        }
        required += ["udp4-to-53", "udp4-to-8002", "udp4-to-8006", "udp6-to-8006", "udp4-to-0", "udp4-to-65535"]
        for name in required { #expect(named(name) != nil, "\(name)") }
    }

    @Test("expectations follow the validator rule")
    func expectations() throws {
        let ports = Set(Self.ports)
        let expected: [(String, FrameExpectation)] = [
            ("udp4-to-8003", .claim), ("udp6-to-8005", .claim), ("ipv4-router-alert-udp-to-8003", .claim),
            ("udp4-to-8003-no-checksum", .claim), ("runt-udp4-to-8003-unpadded", .claim),
            ("tcp4-syn-to-8003", .pass), ("udp4-to-8006", .pass), ("udp4-from-8003-to-40000", .pass),
            ("ipv4-first-fragment-udp-to-8003", .pass), ("ipv4-middle-fragment-udp-to-8003", .pass),
            ("ipv6-hop-by-hop-udp-to-8003", .pass), ("ipv6-atomic-fragment-udp-to-8003", .pass),
            ("vlan-100-udp4-to-8003", .pass), ("qinq-200-100-udp4-to-8003", .pass), ("ipv4-udplite-to-8003", .pass),
            ("icmp4-port-unreachable-quoting-udp-to-8003", .pass), ("mpls-udp4-to-8003", .pass), ("arp-request", .pass),
            ("ipv4-version-6-udp-to-8003", .passOrClaim), ("ipv6-payload-length-1500-udp-to-8003", .passOrClaim),
            ("udp4-length-1000-to-8003", .passOrClaim), ("ipv4-version-6-ssh-syn", .pass),
        ]
        for (name, expectation) in expected {
            let item = try #require(named(name), "\(name)")
            #expect(item.expectation(ports: ports) == expectation, "\(name)")
        }
    }

    @Test("well-formed cases parse cleanly; damaged ones are damaged")
    func parsing() {
        let damagedClasses: Set<CaseClass> = [.malformed, .truncated, .runt]
        for item in cases where !damagedClasses.contains(item.caseClass) {
            let parsed = FrameParser.parse(item.frame)
            #expect(parsed.problem == nil, "\(item.name): \(parsed.problem ?? "")")
            if item.name != "udp4-to-8003-bad-ip-checksum" {
                #expect(parsed.checksumErrors.isEmpty, "\(item.name): \(parsed.checksumErrors)")
            }
        }
        for item in cases where item.damagedMatching {
            #expect(FrameParser.parse(item.frame).problem != nil, "\(item.name) is marked damaged but parses cleanly")
        }
    }

    @Test("only the runt shards are too short to run")
    func runnable() {
        let short = cases.filter { !$0.isRunnable }.map(\.name)
        #expect(short == ["runt-1-bytes", "runt-5-bytes", "runt-6-bytes", "runt-11-bytes", "runt-12-bytes", "runt-13-bytes"])
    }

    @Test("decoy fragments carry a fake UDP header to the validator port where their data starts")
    func decoys() throws {
        let middle = try #require(named("ipv4-middle-fragment-udp-to-8003"))
        #expect(Array(middle.frame[34..<38]) == [0x9C, 0x40, 0x1F, 0x43])
        let parsed = FrameParser.parse(middle.frame)
        #expect(parsed.fragmentOffset == 16 && parsed.moreFragments)
    }

    @Test("a long port list gets cases for its lowest and highest ports only")
    func longPortList() {
        let ports = (9000..<9100).map { UInt16($0) }
        let many = Corpus.cases(ports: ports)
        let own = many.filter { $0.caseClass == .udpValidatorPort && $0.name.hasPrefix("udp4-to-") && $0.name.split(separator: "-").count == 3 }
        #expect(own.count == Corpus.portsWithOwnCases)
        #expect(many.contains { $0.name == "udp4-to-9099" } && many.contains { $0.name == "udp4-to-9000" })
        #expect(many.contains { $0.name == "udp4-to-8999" } && many.contains { $0.name == "udp4-to-9100" })
    }
}

@Suite("truncations")
struct TruncationTests {
    let kit = FrameKit()

    @Test("header boundaries of UDP over IPv4, behind a VLAN tag, with options, and of TCP over IPv6")
    func boundaries() {
        #expect(Truncation.boundaries(of: kit.udp4(to: 8003)).map(\.offset) == [6, 12, 14, 34, 38, 42])
        #expect(Truncation.boundaries(of: FrameKit(vlanTags: [VLANTag(id: 100)]).udp4(to: 8003)).map(\.offset)
                == [6, 12, 16, 18, 38, 42, 46])
        #expect(Truncation.boundaries(of: kit.udp4(to: 8003, options: IPv4Option.routerAlert)).map(\.offset)
                == [6, 12, 14, 34, 38, 42, 46])
        let syn = kit.tcp6(FrameKit.segment([.syn], port: 22, options: TCPSegment.mssOption(1460)))
        #expect(Truncation.boundaries(of: syn).map(\.offset) == [6, 12, 14, 54, 58, 74, 78])
        #expect(Truncation.boundaries(of: kit.udp6(to: 8003, extensions: [.hopByHop()])).map(\.header)
                == ["destination-mac", "source-mac", "ethertype", "ipv6", "ipv6-extension-0", "udp-ports", "udp"])
    }

    @Test("every boundary from the EtherType on is cut at and one byte before")
    func cuts() {
        let frame = kit.udp4(to: 8003)
        let cut = Truncation.cases(of: [("udp4", frame)], ports: [8003])
        #expect(cut.map(\.frame.count) == [14, 33, 34, 37, 38, 41, 42])
        #expect(cut.map(\.name).first == "trunc-udp4-at-14-after-ethertype")
        #expect(cut.map(\.name).contains("trunc-udp4-at-33-in-ipv4"))
        #expect(cut.allSatisfy { Array(frame.prefix($0.frame.count)) == $0.frame && $0.caseClass == .truncated })
        // Claiming is tolerated once the whole UDP header is in the frame (offset 42), not before: a frame cut
        // inside it must pass, as the live lab's truncated class requires.
        #expect(cut.filter(\.damagedMatching).map(\.frame.count) == [42])
        #expect(cut.allSatisfy { $0.expectation(ports: [8003]) == ($0.damagedMatching ? .passOrClaim : .pass) })
    }

    @Test("cuts of frames that do not match are never tolerated claims")
    func nonMatching() {
        let cut = Truncation.cases(of: [("udp4-53", kit.udp4(to: 53))], ports: [8003])
        #expect(!cut.isEmpty && cut.allSatisfy { !$0.damagedMatching })
    }
}

@Suite("sweeps")
struct SweepTests {
    static let ports: [UInt16] = [8003, 8004, 8005]

    @Test("each sweep covers all 65,536 values with a frame that parses, with the swept value in place",
          arguments: Sweep.Kind.allCases)
    func coverage(kind: Sweep.Kind) {
        let sweep = Sweep(kind, ports: Self.ports)
        #expect(sweep.count == 65536)
        var buffer = [UInt8](repeating: 0, count: sweep.frameLength * sweep.count)
        buffer.withUnsafeMutableBytes { sweep.write(into: $0) }
        for value in [0, 1, 22, 53, 0x0800, 0x0806, 0x86DD, 0x8100, 8002, 8003, 8005, 8006, 40000, 65535] + (0..<198).map({ $0 * 331 }) {
            let frame = sweep.frame(at: value)
            #expect(Array(buffer[value * sweep.frameLength..<(value + 1) * sweep.frameLength]) == frame, "\(value)")
            let parsed = FrameParser.parse(frame)
            switch kind {
            case .udp4Ports, .udp6Ports:
                #expect(parsed.destinationPort == UInt16(value))
                #expect(parsed.problem == nil && parsed.checksumErrors.isEmpty, "\(value): \(parsed.checksumErrors)")
            case .etherTypes:
                #expect(frame[12] == UInt8(value >> 8) && frame[13] == UInt8(value & 0xFF))
            }
        }
    }

    @Test("expectations: claim exactly the validator ports, and only the IPv4 EtherType")
    func expectations() {
        for kind in [Sweep.Kind.udp4Ports, .udp6Ports] {
            let sweep = Sweep(kind, ports: Self.ports)
            let claimed = (0..<65536).filter { sweep.expectation(at: $0) == .claim }
            #expect(claimed == [8003, 8004, 8005])
            #expect((0..<65536).allSatisfy { sweep.expectation(at: $0) != .passOrClaim })
        }
        let types = Sweep(.etherTypes, ports: Self.ports)
        #expect((0..<65536).filter { types.expectation(at: $0) == .claim } == [0x0800])
        // Each expectation agrees with the rule applied to the frame itself.
        for value in [0x0800, 0x86DD, 0x0806, 0x8100, 0x88A8, 0x88CC, 0] {
            #expect(types.expectation(at: value) == FrameExpectation.of(FrameParser.parse(types.frame(at: value)), ports: Set(Self.ports)))
        }
    }

    @Test("names of values and of runs")
    func names() {
        #expect(Sweep(.udp4Ports, ports: Self.ports).caseName(at: 8003) == "udp4-dport-8003")
        #expect(Sweep(.udp6Ports, ports: Self.ports).caseName(from: 0, to: 8002) == "udp6-dport-0…8002")
        #expect(Sweep(.etherTypes, ports: Self.ports).caseName(at: 0x88CC) == "ethertype-0x88cc")
    }

    @Test("the batch packs runnable cases by class, then the three sweeps")
    func batch() {
        let cases = Corpus.cases(ports: Self.ports)
        let sweeps = Sweep.Kind.allCases.map { Sweep($0, ports: Self.ports) }
        let batch = FrameBatch(cases: cases, sweeps: sweeps, ports: Set(Self.ports))
        let runnable = cases.filter(\.isRunnable).count
        #expect(batch.count == runnable + 3 * 65536)
        #expect(batch.segments.map(\.caseClass) == CaseClass.allCases)
        #expect(batch.segments.last?.range == runnable + 2 * 65536..<runnable + 3 * 65536)
        for index in [0, 5, runnable - 1, runnable, runnable + 8003, batch.count - 1] {
            let start = Int(batch.offsets[index])
            #expect(Array(batch.bytes[start..<start + Int(batch.lengths[index])]) == batch.describe(index).frame)
        }
        #expect(batch.describe(runnable + 65536 + 53).name == "udp6-dport-53")
    }
}
