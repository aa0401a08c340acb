import Testing
import Evidence
import Verification

@Suite("diagnosis from evidence")
struct DiagnosisTests {
    @Test("socketless queues lost with abort events: the bpf_redirect_map flags argument")
    func fallbackFlags() {
        var scenario = Scenario()
        scenario.addHealthy("validator-udp4", queues: 0...1)
        scenario.add("validator-udp4", queue: 2, count: 20, fate: .lost)
        scenario.add("validator-udp6", queue: 3, count: 20, fate: .lost)
        scenario.evidence.exceptions = [ExceptionCount(action: 0, count: 40)]
        let sentences = scenario.diagnosis
        let fallback = sentences.first { $0.hasPrefix("bpf_redirect_map fell back to XDP_ABORTED for queues without a socket") }
        #expect(fallback != nil)
        #expect(fallback?.contains("queues 2, 3: 40 validator packets lost") == true)
        #expect(fallback?.contains("fired 40 times") == true)
        #expect(fallback?.contains("pass XDP_PASS as flags".capitalizedFirst) == true)
        #expect(!sentences.contains { $0.contains("without an xdp_exception") })
    }

    @Test("socketless losses without any abort event: the program dropped them itself")
    func silentSocketlessDrops() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 2, count: 5, fate: .lost)
        scenario.evidence.queueCounters = [2: ["xdp_drops": 5]]
        let sentences = scenario.diagnosis
        #expect(sentences.contains { $0.contains("lost without an xdp_exception") && $0.contains("veth xdp_drops on those queues: 5") })
        #expect(!sentences.contains { $0.contains("bpf_redirect_map fell back") })
    }

    @Test("EINVAL on key 0 while other queues lose packets: a fixed key")
    func fixedKey() {
        var scenario = Scenario()
        scenario.socketQueues = [0, 1, 2, 3]
        scenario.add("validator-udp4", queue: 0, count: 5, fate: .xsk(queue: 0))
        for queue in 1...3 { scenario.add("validator-udp4", queue: queue, count: 5, fate: .lost) }
        scenario.evidence.redirectErrors = [RedirectErrorCount(errno: 22, mapIndex: 0, count: 15)]
        let sentences = scenario.diagnosis
        let fixed = sentences.first { $0.hasPrefix("The program redirects to a fixed key (0)") }
        #expect(fixed?.contains("queues 1–3") == true)
        #expect(fixed?.contains("EINVAL (xdp_redirect_err 15 times)") == true)
        #expect(fixed?.contains("ctx->rx_queue_index") == true)
        #expect(!sentences.contains { $0.contains("without a redirect error") })
    }

    @Test("EINVAL on the arrival queue's own key: a socket bound elsewhere")
    func socketBoundElsewhere() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 1, count: 5, fate: .lost)
        scenario.evidence.redirectErrors = [RedirectErrorCount(errno: 22, mapIndex: 1, count: 5)]
        #expect(scenario.diagnosis.contains { $0.hasPrefix("Redirects to xsks_map key 1 failed with EINVAL 5 times") })
    }

    @Test("ENOMEM and an empty fill ring: user space stopped refilling")
    func fillRingEmpty() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 0, count: 10, fate: .xsk(queue: 0))
        scenario.add("validator-udp4", queue: 0, count: 7, fate: .lost, from: 1)
        scenario.evidence.redirectErrors = [RedirectErrorCount(errno: 12, mapIndex: 0, count: 7)]
        scenario.evidence.sockets = [0: SocketStatistics(rxDropped: 7, rxFillRingEmptyDescs: 7)]
        let sentence = scenario.diagnosis.first { $0.contains("fill-ring") }
        #expect(sentence?.hasPrefix("The AF_XDP socket on queue 0 ran out of fill-ring buffers") == true)
        #expect(sentence?.contains("xdp_redirect_err ENOMEM × 7, rx_fill_ring_empty_descs 7, 7 validator packets lost from about 1s on") == true)
        #expect(sentence?.contains("give frames back to the fill ring") == true)
    }

    @Test("a full RX ring: user space does not drain it")
    func rxRingFull() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 1, count: 3, fate: .lost)
        scenario.evidence.redirectErrors = [RedirectErrorCount(errno: 105, mapIndex: 1, count: 3)]
        #expect(scenario.diagnosis.contains { $0.contains("RX ring of the AF_XDP socket on queue 1 was full (xdp_redirect_err ENOBUFS × 3)") })
    }

    @Test("ARP and ND lost while sessions stall: the program drops non-IP frames")
    func neighbourFramesDropped() {
        var scenario = Scenario()
        scenario.addHealthy("validator-udp4")
        scenario.add("arp", queue: 0, count: 20, fate: .lost)
        scenario.add("ndp", queue: 1, count: 20, fate: .lost)
        scenario.addSessions(stall: 11.6, completed: 10)
        let sentence = scenario.diagnosis.first { $0.hasPrefix("The program drops") }
        #expect(sentence?.contains("drops ARP and IPv6 neighbour discovery") == true)
        #expect(sentence?.contains("arp: 20 of 20 lost; ndp: 20 of 20 lost") == true)
        #expect(sentence?.contains("sessions stall once neighbour entries expire") == true)
        #expect(sentence?.contains("2 of 2 SSH sessions stalled (longest stall 11.6s, limit 2s)") == true)
        #expect(!scenario.diagnosis.contains { $0.contains("although no injected ARP/ND packet was lost") })
    }

    @Test("only ARP lost: named as non-IP frames")
    func onlyARP() {
        var scenario = Scenario()
        scenario.add("arp", queue: 0, count: 2, fate: .lost)
        #expect(scenario.diagnosis.contains { $0.hasPrefix("The program drops non-IP frames such as ARP (arp: 2 of 2 lost)") })
    }

    @Test("sessions stall with no ARP/ND lost and none seen: neighbours were never re-resolved")
    func stallWithoutNeighbourTraffic() {
        var scenario = Scenario()
        scenario.addSessions(stall: 9, completed: 20, failure: "reset by peer")
        scenario.neighbourFrames = 0
        let sentence = scenario.diagnosis.first { $0.contains("although no injected ARP/ND packet was lost") }
        #expect(sentence?.contains("the capture saw 0 ARP/ND frames, so neighbours were never re-resolved") == true)
        #expect(sentence?.contains("reset by peer") == true)
    }

    @Test("an illegal return value is named with its signed value")
    func illegalAction() {
        var scenario = Scenario()
        scenario.add("other-udp4", queue: 0, count: 4, fate: .lost)
        scenario.evidence.exceptions = [ExceptionCount(action: 0xFFFF_FFFE, count: 4)]
        let sentence = scenario.diagnosis.first { $0.hasPrefix("The program returned 4294967294 (-2) 4 times") }
        #expect(sentence?.contains("not an XDP action") == true)
        #expect(sentence?.contains("XDP_ABORTED") == true)
        #expect(sentence?.contains("other-udp4: 4 of 4 lost") == true)
    }

    @Test("non-matching classes dropped: the class names the parser's mistake")
    func nonMatchingDropped() {
        var scenario = Scenario()
        scenario.add("vlan-tagged", queue: 0, count: 3, fate: .lost)
        scenario.evidence.queueCounters = [0: ["xdp_drops": 3]]
        let sentence = scenario.diagnosis.first { $0.hasPrefix("Non-matching packets were dropped") }
        #expect(sentence?.contains("vlan-tagged: 3 of 3 lost") == true)
        #expect(sentence?.contains("veth xdp_drops: 3") == true)
        #expect(sentence?.contains("VLAN tag") == true)
    }

    @Test("non-matching packets claimed by sockets: the class points at the filter bug")
    func claimed() {
        var scenario = Scenario()
        scenario.add("udp-from-validator-port", queue: 0, count: 3, fate: .xsk(queue: 0))
        scenario.add("tcp-validator-ports", queue: 1, count: 2, fate: .xsk(queue: 1))
        let sentence = scenario.diagnosis.first { $0.hasPrefix("The filter claims packets") }
        #expect(sentence?.contains("udp-from-validator-port: 3 reached AF_XDP sockets (it matches the UDP source port instead of the destination port)") == true)
        #expect(sentence?.contains("tcp-validator-ports: 2 reached AF_XDP sockets (it does not check that the protocol is UDP)") == true)
    }

    @Test("matching packets to the kernel before the socket took over: a registration window")
    func registrationWindow() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 0, count: 3, fate: .kernel, from: 0)
        scenario.add("validator-udp4", queue: 0, count: 5, fate: .xsk(queue: 0), from: 1)
        let sentence = scenario.diagnosis.first { $0.contains("until about") }
        #expect(sentence?.contains("queue 0 went to the kernel until about 0.2s") == true)
        #expect(sentence?.contains("registered in xsks_map") == true)
    }

    @Test("matching packets always to the kernel: the filter misses them")
    func filterMisses() {
        var scenario = Scenario()
        scenario.add("validator-udp4", queue: 0, count: 5, fate: .xsk(queue: 0))
        scenario.add("validator-udp6", queue: 0, count: 5, fate: .kernel)
        let sentence = scenario.diagnosis.first { $0.contains("reached the kernel instead of the socket") }
        #expect(sentence?.contains("validator-udp6: 5 of 5 passed to the kernel") == true)
        #expect(sentence?.contains("IPv6 path") == true)
        #expect(!scenario.diagnosis.contains { $0.contains("until about") })
    }

    @Test("evidence limits: gaps and missing tracepoints are said")
    func evidenceLimits() {
        var scenario = Scenario.healthy
        scenario.evidence = KernelEvidence(tracepointsAttached: false)
        #expect(scenario.diagnosis == ["The xdp tracepoints were not attached, so exceptions and redirect errors were not counted."])
        scenario.evidence.gaps = ["ethtool stats unavailable"]
        #expect(scenario.diagnosis == ["Kernel evidence is partial: ethtool stats unavailable."])
    }
}

extension DiagnosisTests {
    @Test("checks that could not be judged are named")
    func undecidedChecks() {
        var scenario = Scenario.healthy
        scenario.sshEnabled = false
        scenario.sessions = []
        #expect(scenario.diagnosis == ["Could not be judged: ssh-survives (no SSH sessions in this lab's traffic)."])
    }
}

private extension String {
    var capitalizedFirst: String { prefix(1).uppercased() + dropFirst() }
}
