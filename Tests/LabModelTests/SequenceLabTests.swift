import Testing
@testable import LabModel
import Foundation

/// Sequence labs written inline, from the shared base lab; `../programs/…` finds the fixture programs.
private enum SequenceYAML {
    /// The shared base lab with three ports, sockets on both queues and a sequence instead of SSH checks.
    static let base = Fixtures.base(replacing: "  ports: [8003]", with: "  ports: [8003-8005]\n  queues: [0, 1]")
        .replacingOccurrences(of: "expect: [ssh-survives]",
                              with: "  sequence:\n    interval: 20us\n    count: 1000\nexpect: [in-order, no-loss]")

    /// The base lab with `line` replaced by `replacement` (which may span lines).
    static func replacing(_ line: String, with replacement: String) -> String {
        precondition(base.contains(line), "the sequence lab has no line '\(line)'")
        return base.replacingOccurrences(of: line, with: replacement)
    }

    /// The base lab with more keys under `sequence:` (each line indented by four spaces).
    static func sequence(adding lines: String) -> String {
        replacing("    count: 1000", with: "    count: 1000\n" + lines)
    }

    static let mapRingStack = """
          program: ../programs/port_redirect.bpf.c
          ports: [8003]
          queues: []
        """
}

private func lab(_ yaml: String) throws -> Lab { try LabLoader.parse(yaml: yaml, path: Fixtures.inlinePath) }

/// "line:column: message" of every problem.
private func problems(_ yaml: String) -> [String] {
    diagnostics(yaml: yaml).map { "\($0.location.line):\($0.location.column): \($0.message)" }
}

@Suite("Sequence labs: traffic.sequence and the in-order / no-loss checks")
struct SequenceLabTests {
    @Test("a minimal sequence gets every default: af-xdp, the stack's first port, queue 0, no loss allowed")
    func defaults() throws {
        let sequence = try #require(try lab(SequenceYAML.base).traffic.sequence)
        #expect(sequence == SequenceSpec(pacing: .interval(20_000), extent: .count(1000), port: 8003, queue: 0,
                                         receiver: .afXDP, faults: [], ringWatch: nil, maxLoss: .packets(0)))
        let parsed = try lab(SequenceYAML.base)
        #expect(parsed.traffic.classes.isEmpty && parsed.traffic.ssh == nil, "a sequence lab sends nothing else")
        #expect(parsed.expectations.map(\.check) == [.inOrder, .noLoss])
        #expect(sequence.plannedDuration == 999 * 20_000)
    }

    @Test("every key: rate, duration, port, queue, receiver, faults, max-loss")
    func everyKey() throws {
        let yaml = SequenceYAML.replacing("""
                interval: 20us
                count: 1000
            """, with: """
                rate: 50k/s
                duration: 2s
                port: 8004
                queue: 1
                receiver: af-xdp
                faults:
                  - stall-consumer: {at: 500ms, for: 100ms}
                  - stall-consumer: {every: 400ms, for: 50ms, from: 1s}
                  - stall-consumer: {every: 300ms, for: 1ms}
                  - reattach: {at: 1500ms, for: 20us}
                  - reattach: {at: 1800ms}
                max-loss: during-faults
            """)
        let sequence = try #require(try lab(yaml).traffic.sequence)
        #expect(sequence.pacing == .interval(20_000))
        #expect(sequence.extent == .duration(2_000_000_000))
        #expect(sequence.port == 8004 && sequence.queue == 1)
        #expect(sequence.faults == [
            .stallConsumer(at: 500_000_000, duration: 100_000_000),
            .stallConsumerPeriodically(every: 400_000_000, duration: 50_000_000, firstAt: 1_000_000_000),
            .stallConsumerPeriodically(every: 300_000_000, duration: 1_000_000, firstAt: 300_000_000),
            .reattach(at: 1_500_000_000, duration: 20_000),
            .reattach(at: 1_800_000_000, duration: 0),
        ])
        #expect(sequence.maxLoss == .duringFaults)
        #expect(sequence.faults.map(\.name) == [
            "stall-consumer at 500ms for 100ms", "stall-consumer every 400ms for 50ms, first at 1s",
            "stall-consumer every 300ms for 1ms, first at 300ms", "reattach at 1.5s for 20us", "reattach at 1.8s",
        ])
    }

    @Test("pacing forms", arguments: [
        ("interval: 1us", SequencePacing.interval(1_000)), ("interval: 1.5ms", .interval(1_500_000)),
        ("interval: 2µs", .interval(2_000)), ("rate: 1000/s", .interval(1_000_000)), ("rate: 1.5M/s", .interval(667)),
        ("interval: as-fast-as-possible", .asFastAsPossible), ("rate: as-fast-as-possible", .asFastAsPossible),
    ])
    func pacing(line: String, pacing: SequencePacing) throws {
        if case .interval(let nanoseconds) = pacing, nanoseconds < 1_000 {
            #expect(problems(SequenceYAML.replacing("    interval: 20us", with: "    \(line)")).count == 1,
                    "faster than 1us is refused")
            return
        }
        let sequence = try #require(try lab(SequenceYAML.replacing("    interval: 20us", with: "    \(line)")).traffic.sequence)
        #expect(sequence.pacing == pacing)
    }

    @Test("max-loss forms")
    func lossBounds() throws {
        for (text, bound) in [("0", LossBound.packets(0)), ("25", .packets(25)), ("0.5%", .fraction(0.005)),
                              ("100%", .fraction(1))] {
            let sequence = try #require(try lab(SequenceYAML.sequence(adding: "    max-loss: \"\(text)\"")).traffic.sequence)
            #expect(sequence.maxLoss == bound)
            #expect(bound.name == text || text == "0.5%" && bound.name == "0.5%")
        }
    }

    @Test("sequence times parse with a unit and print in their shortest form")
    func times() {
        #expect(SequenceTime.parse("20us") == 20_000)
        #expect(SequenceTime.parse("20µs") == 20_000)
        #expect(SequenceTime.parse("500ns") == 500)
        #expect(SequenceTime.parse("1.5ms") == 1_500_000)
        #expect(SequenceTime.parse("2s") == 2_000_000_000)
        #expect(SequenceTime.parse("1m") == 60_000_000_000)
        for refused in ["20", "", "us", "0us", "-1ms", "1e3us", "1.2.3s", "2 s", "fast"] {
            #expect(SequenceTime.parse(refused) == nil, "'\(refused)'")
        }
        #expect(SequenceTime.format(20_000) == "20us")
        #expect(SequenceTime.format(1_500_000) == "1.5ms")
        #expect(SequenceTime.format(2_000_000_000) == "2s")
        #expect(SequenceTime.format(1_234) == "1.234us")
        #expect(SequenceTime.format(999) == "999ns")
    }

    @Test("the map-ring receiver: the stack claims its one port and has no sockets; ring-watch defaults to 1ms")
    func mapRing() throws {
        let yaml = SequenceYAML.replacing("""
              program: ../programs/port_redirect.bpf.c
              ports: [8003-8005]
              queues: [0, 1]
            """, with: SequenceYAML.mapRingStack)
        let sequence = try #require(try lab(yaml.replacingOccurrences(of: "    count: 1000", with: "    count: 1000\n    receiver: map-ring"))
            .traffic.sequence)
        #expect(sequence.receiver == .mapRing && sequence.port == 8003 && sequence.ringWatch == 1_000_000)
        let off = yaml.replacingOccurrences(of: "    count: 1000", with: "    count: 1000\n    receiver: map-ring\n    ring-watch: off")
        #expect(try lab(off).traffic.sequence?.ringWatch == nil)
    }

    @Test("the udp-socket receiver needs a port the stack does not claim")
    func udpSocket() throws {
        let sequence = try #require(try lab(SequenceYAML.sequence(adding: "    receiver: udp-socket\n    port: 9000")).traffic.sequence)
        #expect(sequence.receiver == .udpSocket && sequence.port == 9000)
        #expect(problems(SequenceYAML.sequence(adding: "    receiver: udp-socket")) == [
            "18:15: receiver udp-socket needs a port: one the stack's program does not claim, such as 9000",
        ])
        #expect(problems(SequenceYAML.sequence(adding: "    receiver: udp-socket\n    port: 8004")) == [
            "19:11: receiver udp-socket: port 8004 is one of the stack's ports, so XDP would redirect it before the "
                + "kernel's UDP socket saw it; use a port the stack does not claim",
        ])
    }

    @Test("what a receiver needs of the stack is checked, at the receiver")
    func receiverNeeds() {
        #expect(problems(SequenceYAML.sequence(adding: "    port: 9000")) == [
            "18:11: receiver af-xdp: port 9000 is not one of the stack's ports (8003, 8004, 8005), so the program "
                + "would pass it to the kernel and the AF_XDP socket would get nothing",
        ])
        let oneSocket = SequenceYAML.replacing("  queues: [0, 1]", with: "  queues: [0]")
        #expect(problems(oneSocket.replacingOccurrences(of: "    count: 1000", with: "    count: 1000\n    queue: 1")) == [
            "18:12: receiver af-xdp: queue 1 has no AF_XDP socket (stack.queues: [0]); steer the sequence to a queue with a socket",
        ])
        #expect(problems(SequenceYAML.sequence(adding: "    receiver: map-ring")) == [
            "18:15: receiver map-ring: a map-ring program hands packets over in a BPF map, not AF_XDP sockets; set stack.queues to []",
            "18:15: receiver map-ring: a map-ring program claims one UDP port (its ring_port); stack.ports must be exactly "
                + "[8003], got [8003, 8004, 8005]",
        ])
        let waits = SequenceYAML.replacing("  queues: [0, 1]", with: "  queues: [0, 1]\n  startup: [load, create-sockets, attach, {wait: 1s}, register]")
        #expect(problems(waits) == [
            "17:5: receiver af-xdp: a sequence lab brings the stack up before its first packet, so stack.startup cannot "
                + "wait; to register late, use the fault delay-registration",
        ])
    }

    @Test("a sequence lab sends only its sequence and judges only in-order and no-loss")
    func sequenceLabsAreApart() {
        let extra = SequenceYAML.replacing("  from: peer", with: "  from: peer\n  rounds: 3")
        #expect(problems(extra) == [
            "15:11: rounds belongs to packet-class traffic; a sequence lab (sequence settings at line 17) sends only its sequence, "
                + "so remove rounds",
        ])
        #expect(problems(SequenceYAML.replacing("expect: [in-order, no-loss]", with: "expect: [in-order, ssh-survives]")) == [
            "18:20: check 'ssh-survives' needs the lab's packet classes, but this is a sequence lab (sequence settings at "
                + "line 16); its checks are in-order and no-loss",
        ])
        let classes = Fixtures.base(replacing: "expect: [ssh-survives]", with: "expect: [ssh-survives, no-loss]")
        #expect(onlyProblem(yaml: classes) == "14:24: check 'no-loss' judges sequenced traffic; add traffic.sequence, or remove the check")
    }

    @Test("pacing, extent and faults are checked, every problem at once")
    func problemsAtOnce() {
        let yaml = SequenceYAML.replacing("""
                interval: 20us
                count: 1000
            """, with: """
                interval: 20
                rate: 5/s
                faults:
                  - stall-consumer: {at: 1s}
                  - stall-consumer: {every: 10ms, for: 10ms}
                  - delay-registration: 5s
                  - reattach: 1s
                  - freeze: 1s
                max-loss: some
            """)
        #expect(problems(yaml) == [
            "16:5: sequence needs an extent: count (such as 100000) or duration (such as 2s)",
            "17:11: give interval or rate, not both (rate is one over interval)",
            "19:25: stall-consumer is missing 'for' (how long the consumer stops reading, such as 200ms)",
            "20:44: a periodic stall must be shorter than its period: for 10ms, every 10ms",
            "22:19: reattach must be a mapping of settings (key: value lines), got '1s'",
            "23:9: unknown key 'freeze'; keys of a fault are: stall-consumer, delay-registration, reattach",
            "24:15: max-loss must be a number of packets (such as 0 or 25), a percentage (such as 0.5%) or "
                + "during-faults; got 'some'",
        ])
    }

    @Test("faults must fall inside the run, and during-faults needs a fault")
    func faultTimes() {
        let late = SequenceYAML.sequence(adding: "    faults:\n      - stall-consumer: {at: 1s, for: 10ms}")
        #expect(problems(late) == [
            "19:7: stall-consumer at 1s for 10ms falls after the last packet is sent (the run sends for 19.98ms); "
                + "start it earlier or send for longer",
        ])
        #expect(problems(SequenceYAML.sequence(adding: "    max-loss: during-faults")) == [
            "18:15: max-loss: during-faults lets only packets sent during a fault go missing, but there are no faults; "
                + "write max-loss: 0, or add faults",
        ])
        let twice = SequenceYAML.sequence(adding: "    faults:\n      - delay-registration: 1ms\n      - delay-registration: 2ms")
        #expect(problems(twice) == [
            "20:9: delay-registration is already given at line 19; the receiver registers once",
        ])
        #expect(problems(SequenceYAML.replacing("    interval: 20us", with: "    interval: 500ns")) == [
            "16:15: interval 500ns asks for packets less than 1us apart; the sender cannot pace that finely, write "
                + "interval: as-fast-as-possible for its highest rate",
        ])
    }
}
