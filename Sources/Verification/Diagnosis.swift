import Evidence
import LabModel
import Sequencing

/// Builds the diagnosis: each sentence starts from something observed (an event count, a pattern of lost
/// packets) and says what in the program or its user space explains it, so the bug can be found without a rerun.
struct Diagnosis {
    let results: [CheckResult]
    let observations: Observations
    private let fates: [UInt64: Fate]

    init(results: [CheckResult], observations: Observations) {
        self.results = results
        self.observations = observations
        var fates: [UInt64: Fate] = [:]
        for packet in observations.injected { fates[packet.id] = Verifier.fate(of: packet, in: observations) }
        self.fates = fates
    }

    func sentences() -> [String] {
        stackExit() + illegalActions() + aborts() + redirectFailures() + ringProblems() + silentMatchingLosses()
            + neighbourDrops() + otherNonMatchingDrops() + claimedNonMatching() + matchingToKernel() + wrongQueues()
            + sessionProblems() + evidenceLimits() + undecided()
    }

    // MARK: - Packet sets

    private var evidence: KernelEvidence { observations.evidence }

    private func fate(_ packet: InjectedPacket) -> Fate { fates[packet.id] ?? .lost }

    private func hasSocket(_ packet: InjectedPacket) -> Bool { observations.socketState(of: packet) == .registered }

    private var lost: [InjectedPacket] { observations.injected.filter { fate($0) == .lost } }

    private var lostSocketless: [InjectedPacket] { lost.filter { $0.matching && !hasSocket($0) } }

    private var lostOnSocketQueues: [InjectedPacket] { lost.filter { $0.matching && hasSocket($0) } }

    private func exceptionCount(action: UInt32) -> UInt64 {
        evidence.exceptions.filter { $0.action == action }.reduce(0) { $0 + $1.count }
    }

    private func redirectErrors(errno: Int32) -> [RedirectErrorCount] {
        evidence.redirectErrors.filter { $0.errno == errno && $0.count > 0 }.sorted { $0.mapIndex < $1.mapIndex }
    }

    /// "arp: 20 of 20 lost; ndp: 20 of 20 lost", per class in order of first injection.
    private func perClass(_ packets: [InjectedPacket], _ verb: String) -> String {
        var order: [String] = []
        var counts: [String: Int] = [:]
        for packet in packets {
            if counts[packet.trafficClass] == nil { order.append(packet.trafficClass) }
            counts[packet.trafficClass, default: 0] += 1
        }
        var totals: [String: Int] = [:]
        for packet in observations.injected { totals[packet.trafficClass, default: 0] += 1 }
        return order.map { "\($0): \(counts[$0]!) of \(totals[$0]!) \(verb)" }.joined(separator: "; ")
    }

    private func queueList(_ packets: [InjectedPacket]) -> String {
        let queues = Set(packets.map(\.queue))
        return "\(queues.count == 1 ? "queue" : "queues") \(Words.queues(queues))"
    }

    // MARK: - Sentences

    /// Return values outside 0…4: the kernel aborts them, which hides the real mistake.
    private func illegalActions() -> [String] {
        evidence.exceptions.filter { EvidenceText.isIllegal($0.action) && $0.count > 0 }.map { entry in
            let signed = Int32(bitPattern: entry.action)
            let value = signed < 0 ? "\(entry.action) (\(signed))" : "\(entry.action)"
            let losses = lost.isEmpty ? "" : " (\(perClass(lost, "lost")))"
            return "The program returned \(value) \(entry.count) times, which is not an XDP action: the kernel treated it "
                + "as XDP_ABORTED and dropped those packets\(losses). Return XDP_PASS, XDP_DROP, XDP_TX or XDP_REDIRECT; "
                + "a negative value usually means an error code reached the return statement."
        }
    }

    /// XDP_ABORTED, above all the bpf_redirect_map fallback with flags 0 on queues without a socket.
    private func aborts() -> [String] {
        let aborted = exceptionCount(action: 0)
        let socketless = lostSocketless
        let early = socketless.filter { observations.socketState(of: $0) == .notYetRegistered }
        if aborted > 0 && !early.isEmpty, let registeredAt = observations.socketsRegisteredAt {
            return ["The program was attached before its sockets were registered in xsks_map: until the sockets were registered "
                + "at \(DurationText.seconds(registeredAt)), bpf_redirect_map found empty slots on \(queueList(early)) and, its flags "
                + "argument being 0, fell back to XDP_ABORTED (\(Words.plural(early.count, "validator packet")) lost in that window, "
                + "xdp_exception with action 0 fired \(aborted) times). Register the sockets before attaching the program, or pass "
                + "XDP_PASS as flags so the window falls through to the kernel."]
        }
        if aborted > 0 && !socketless.isEmpty {
            return ["bpf_redirect_map fell back to XDP_ABORTED for queues without a socket (\(queueList(socketless)): "
                + "\(Words.plural(socketless.count, "validator packet")) lost, xdp_exception with action 0 fired \(aborted) times): "
                + "its flags argument is 0. Pass XDP_PASS as flags, as in bpf_redirect_map(&xsks_map, ctx->rx_queue_index, XDP_PASS), "
                + "so a failed lookup falls through to the kernel."]
        }
        if aborted > 0 {
            let losses = lost.isEmpty ? "" : "; lost packets: \(perClass(lost, "lost"))"
            return ["The program returned XDP_ABORTED \(aborted) times (xdp_exception action 0)\(losses)."]
        }
        return []
    }

    /// xdp_redirect_err by errno: a fixed key, a socket bound elsewhere, or another failure.
    private func redirectFailures() -> [String] {
        var sentences: [String] = []
        let invalid = redirectErrors(errno: 22)
        if !invalid.isEmpty {
            let keys = Set(invalid.map { Int($0.mapIndex) })
            let total = invalid.reduce(0) { $0 + $1.count }
            let keyText = Words.queues(keys)
            let elsewhere = observations.injected.filter { $0.matching && fate($0) == .lost && !keys.contains($0.queue) }
            if !elsewhere.isEmpty {
                sentences.append("The program redirects to a fixed key (\(keyText)) instead of the queue a packet arrived on: "
                    + "packets from \(queueList(elsewhere)) went to the socket in slot \(keyText), which is bound to queue \(keyText), "
                    + "so the redirect failed with EINVAL (xdp_redirect_err \(total) times) and "
                    + "\(Words.plural(elsewhere.count, "validator packet")) were dropped. Use ctx->rx_queue_index as the key.")
            } else {
                sentences.append("Redirects to xsks_map key \(keyText) failed with EINVAL \(total) times: the socket in that slot "
                    + "is bound to another queue or interface. Register each socket at the key of the queue it is bound to.")
            }
        }
        let other = evidence.redirectErrors.filter { ![22, 12, 105].contains($0.errno) && $0.count > 0 }
        for entry in other {
            sentences.append("Redirects to xsks_map key \(entry.mapIndex) failed \(entry.count) times with \(EvidenceText.errno(entry.errno))"
                + (EvidenceText.errnoMeanings[entry.errno].map { " (\($0))" } ?? "") + ".")
        }
        return sentences
    }

    /// ENOMEM / fill ring empty and ENOBUFS / RX ring full, per socket: user space stopped keeping up.
    private func ringProblems() -> [String] {
        var sentences: [String] = []
        let noMemory = redirectErrors(errno: 12)
        let noBuffers = redirectErrors(errno: 105)
        let queues = Set(noMemory.map { Int($0.mapIndex) } + noBuffers.map { Int($0.mapIndex) })
            .union(evidence.sockets.filter { $0.value.rxFillRingEmptyDescs > 0 || $0.value.rxRingFull > 0 }.keys)
        for queue in queues.sorted() {
            let stats = evidence.sockets[queue] ?? SocketStatistics()
            let lostHere = lostOnSocketQueues.filter { $0.queue == queue }
            let since = lostHere.map(\.sentAt).min().map { " from about \(DurationText.seconds($0)) on" } ?? ""
            let losses = lostHere.isEmpty ? "" : ", \(Words.plural(lostHere.count, "validator packet")) lost\(since)"
            let enomem = noMemory.filter { Int($0.mapIndex) == queue }.reduce(0) { $0 + $1.count }
            if enomem > 0 || stats.rxFillRingEmptyDescs > 0 {
                var facts: [String] = []
                if enomem > 0 { facts.append("xdp_redirect_err ENOMEM × \(enomem)") }
                if stats.rxFillRingEmptyDescs > 0 { facts.append("rx_fill_ring_empty_descs \(stats.rxFillRingEmptyDescs)") }
                sentences.append("The AF_XDP socket on queue \(queue) ran out of fill-ring buffers (\(facts.joined(separator: ", "))\(losses)): "
                    + "the kernel had nowhere to put frames and dropped them. User space must give frames back to the fill ring after reading them.")
            }
            let enobufs = noBuffers.filter { Int($0.mapIndex) == queue }.reduce(0) { $0 + $1.count }
            if enobufs > 0 || stats.rxRingFull > 0 {
                var facts: [String] = []
                if enobufs > 0 { facts.append("xdp_redirect_err ENOBUFS × \(enobufs)") }
                if stats.rxRingFull > 0 { facts.append("rx_ring_full \(stats.rxRingFull)") }
                sentences.append("The RX ring of the AF_XDP socket on queue \(queue) was full (\(facts.joined(separator: ", "))): "
                    + "user space does not drain it fast enough.")
            }
        }
        return sentences
    }

    /// Validator packets lost with no abort or redirect error to explain them.
    private func silentMatchingLosses() -> [String] {
        guard exceptionCount(action: 0) == 0, evidence.redirectErrorTotal == 0,
              !evidence.exceptions.contains(where: { EvidenceText.isIllegal($0.action) && $0.count > 0 }) else { return [] }
        let socketless = lostSocketless, socketed = lostOnSocketQueues
        var sentences: [String] = []
        let unknown = evidence.tracepointsAttached ? "" : " The xdp tracepoints were not attached, so an abort cannot be ruled out."
        if !socketless.isEmpty {
            sentences.append("Validator packets on queues without a socket were lost without an xdp_exception (\(queueList(socketless)): "
                + "\(perClass(socketless, "lost"))\(dropsClause(socketless))): the program dropped them itself instead of passing "
                + "them to the kernel; with no socket on the queue it must return XDP_PASS.\(unknown)")
        }
        if !socketed.isEmpty && evidence.sockets.values.allSatisfy({ $0.rxFillRingEmptyDescs == 0 && $0.rxRingFull == 0 }) {
            sentences.append("Validator packets on queues with a socket were lost without a redirect error (\(queueList(socketed)): "
                + "\(perClass(socketed, "lost"))\(dropsClause(socketed))): the program dropped them instead of redirecting them.\(unknown)")
        }
        return sentences
    }

    /// ", veth xdp_drops on those queues: 40" when the driver counted drops there.
    private func dropsClause(_ packets: [InjectedPacket]) -> String {
        let queues = Set(packets.map(\.queue))
        let drops = queues.reduce(UInt64(0)) { $0 + (evidence.queueCounters[$1]?["xdp_drops"] ?? 0) }
        return drops > 0 ? "; veth xdp_drops on those queues: \(drops)" : ""
    }

    /// ARP and ND lost: the symptom is not the lost packets but the sessions that stall later.
    private func neighbourDrops() -> [String] {
        let dropped = lost.filter { NeighbourClasses.contains($0.trafficClass) }
        guard !dropped.isEmpty else { return [] }
        let classes = Set(dropped.map(\.trafficClass))
        let kind = classes == ["arp"] ? "non-IP frames such as ARP" : classes == ["ndp"] ? "IPv6 neighbour discovery" : "ARP and IPv6 neighbour discovery"
        var sentence = "The program drops \(kind) (\(perClass(dropped, "lost"))): ARP/ND cannot resolve neighbours, "
            + "so sessions stall once neighbour entries expire"
        if let stall = sessionTrouble() { sentence += "; here \(stall)" }
        return [sentence + ". Return XDP_PASS for every frame that is not a validator packet."]
    }

    /// Other non-matching packets dropped instead of passed.
    private func otherNonMatchingDrops() -> [String] {
        let dropped = lost.filter { !$0.matching && !NeighbourClasses.contains($0.trafficClass) }
        guard !dropped.isEmpty, !exceptionsExplainDrops else { return [] }
        let hints: [String: String] = [
            "vlan-tagged": "a VLAN tag must end the parse with XDP_PASS, not a drop",
            "qinq": "802.1ad and 802.1Q tags must end the parse with XDP_PASS, not a drop",
            "ipv4-fragments": "fragments must be passed, not dropped",
            "ipv6-fragments": "a Fragment header must end the parse with XDP_PASS, not a drop",
            "truncated": "a frame too short for its headers must be passed, not dropped",
            "ipv4-options": "IPv4 options must not make the parser drop the packet",
            "ipv6-ext-headers": "extension headers must end the parse with XDP_PASS, not a drop",
        ]
        let hinted = Set(dropped.map(\.trafficClass)).sorted().compactMap { hints[$0] }
        // veth counts XDP_ABORTED (and illegal values) as drops too; only drops beyond the exceptions are XDP_DROP.
        let drops = evidence.queueTotal("xdp_drops")
        let plainDrops = drops > evidence.exceptionTotal ? drops - evidence.exceptionTotal : 0
        let how = plainDrops > 0 ? " — the program returned XDP_DROP (veth xdp_drops: \(drops) in total, "
                                   + "\(evidence.exceptionTotal) of them xdp_exception)" : ""
        return ["Non-matching packets were dropped instead of passed to the kernel (\(perClass(dropped, "lost")))\(how). "
            + "Everything that is not a validator packet must get XDP_PASS" + (hinted.isEmpty ? "." : "; \(hinted.joined(separator: "; ")).")]
    }

    /// True when xdp_exception events alone account for every lost non-matching packet: the sentence about
    /// illegal values or aborts already explains them.
    private var exceptionsExplainDrops: Bool {
        evidence.exceptionTotal > 0 && evidence.queueTotal("xdp_drops") <= evidence.exceptionTotal
    }

    /// Non-matching packets that reached an AF_XDP socket: the filter is too broad, and the class says where.
    private func claimedNonMatching() -> [String] {
        let claimed = observations.injected.filter { packet in
            guard !packet.matching else { return false }
            switch fate(packet) {
            case .xsk, .both: return true
            case .kernel, .lost: return false
            }
        }
        guard !claimed.isEmpty else { return [] }
        let hints: [String: String] = [
            "udp-from-validator-port": "it matches the UDP source port instead of the destination port",
            "tcp-validator-ports": "it does not check that the protocol is UDP",
            "ipv4-fragments": "it does not exclude IPv4 fragments (fragment offset or MF flag)",
            "ipv6-ext-headers": "it looks past IPv6 extension headers instead of treating them as non-matching",
            "ipv6-fragments": "it looks past the IPv6 fragment header instead of treating it as non-matching",
            "vlan-tagged": "it parses through VLAN tags instead of treating tagged frames as non-matching",
            "qinq": "it parses through 802.1ad and 802.1Q tags instead of treating tagged frames as non-matching",
            "truncated": "its bounds check stops short of the whole header, so it claims frames cut inside the UDP header",
            "other-udp4": "its port check claims ports outside validator_ports",
            "other-udp6": "its port check claims ports outside validator_ports",
        ]
        var order: [String] = []
        for packet in claimed where !order.contains(packet.trafficClass) { order.append(packet.trafficClass) }
        let parts = order.map { trafficClass -> String in
            let count = claimed.filter { $0.trafficClass == trafficClass }.count
            let hint = hints[trafficClass] ?? "it redirects without checking the protocol"
            return "\(trafficClass): \(count) reached AF_XDP sockets (\(hint))"
        }
        return ["The filter claims packets it must leave to the kernel: " + parts.joined(separator: "; ") + "."]
    }

    /// A command stack that ended by itself during the run: when, how, and what its packets did afterwards.
    private func stackExit() -> [String] {
        guard let process = evidence.stackProcess, let exit = process.exit else { return [] }
        let exitedAt = process.exitedAt ?? 0
        let when = exitedAt < 0 ? "before traffic started" : "\(DurationText.seconds(exitedAt)) into the traffic"
        var sentence = "The stack's command (pid \(process.pid)) \(exit) \(when)"
        let after = observations.injected.filter { $0.sentAt >= exitedAt }
        let missed = after.filter { $0.matching && observations.socketQueues.contains($0.queue) && !isSocket(fate($0)) }
        let lostAfter = after.filter { fate($0) == .lost }
        if missed.isEmpty && lostAfter.isEmpty {
            sentence += "; every packet sent after that still went where it had to"
        } else {
            var parts: [String] = []
            if !missed.isEmpty {
                let toKernel = missed.filter { fate($0) == .kernel }.count
                parts.append("\(missed.count) validator packets on its socket queues reached no socket "
                             + "(\(toKernel) went to the kernel, \(missed.count - toKernel) were lost)")
            }
            let otherLost = lostAfter.filter { !missed.contains($0) }
            if !otherLost.isEmpty { parts.append("\(otherLost.count) other packets were lost (\(perClass(otherLost, "lost")))") }
            sentence += "; after that " + parts.joined(separator: ", and ")
        }
        if let trouble = sessionTrouble() { sentence += "; \(trouble)" }
        sentence += ". Its program stayed attached with its sockets gone: supervise the stack, detach on exit, and keep "
            + "the XDP_PASS fallback so a dead stack passes traffic instead of dropping it."
        if let line = process.logTail.last(where: { !$0.isEmpty }) { sentence += " Its last output: \"\(line)\"." }
        return [sentence]
    }

    private func isSocket(_ fate: Fate) -> Bool {
        if case .xsk = fate { return true }
        if case .both = fate { return true }
        return false
    }

    /// Validator packets on socket queues that went to the kernel: a start-up window, or a filter that misses them.
    private func matchingToKernel() -> [String] {
        // Packets sent after a command stack died are explained by `stackExit`.
        let exitedAt = evidence.stackProcess?.exitedAt ?? .infinity
        let passed = observations.injected.filter { $0.matching && hasSocket($0) && fate($0) == .kernel && $0.sentAt < exitedAt }
        guard !passed.isEmpty else { return [] }
        if let replacement = evidence.replacements.last {
            let orphaned = replacement.orphanedPorts.map(String.init).joined(separator: ", ")
            let when = replacement.at.map { $0 < 0 ? "Before traffic" : "At \(DurationText.seconds($0)) into the traffic" } ?? "During start-up"
            return ["\(when) \(replacement.replacedBy) replaced \(replacement.replaced) on the interface: a plain attach "
                + "without XDP_FLAGS_UPDATE_IF_NOEXIST silently takes the first program's place"
                + (orphaned.isEmpty ? "" : ", so nothing claims port \(orphaned) any more")
                + ". \(Words.plural(passed.count, "validator packet")) reached the kernel instead of their socket "
                + "(\(perClass(passed, "passed to the kernel"))). Load one program with one xsks_map for all sockets and ports, "
                + "and attach it once."]
        }
        // A window: on each affected queue, every packet that went to the kernel was sent before every one that reached the socket.
        var windowEnds: [Double] = []
        for queue in Set(passed.map(\.queue)) {
            let toKernel = passed.filter { $0.queue == queue }
            let toSocket = observations.injected.filter { $0.matching && $0.queue == queue && fate($0) == .xsk(queue: queue) }
            guard let lastKernel = toKernel.map(\.sentAt).max(), let firstSocket = toSocket.map(\.sentAt).min(),
                  lastKernel < firstSocket else { windowEnds = []; break }
            windowEnds.append(lastKernel)
        }
        if !windowEnds.isEmpty, let end = windowEnds.max() {
            return ["Validator packets on \(queueList(passed)) went to the kernel until about \(DurationText.seconds(end)) and to the socket "
                + "after that (\(Words.plural(passed.count, "packet")) in the window): the program was attached before the sockets were "
                + "registered in xsks_map, and meanwhile the fallback passed them. Register the sockets before attaching the program."]
        }
        let hints: [String: String] = [
            "validator-udp6": "check the IPv6 path of the parser",
            "ipv4-options": "the parser must honour the IPv4 header length (IHL) to find the UDP header",
            "validator-udp4": "check the port lookup (validator_ports keys are in host byte order)",
        ]
        let hinted = Set(passed.map(\.trafficClass)).sorted().compactMap { hints[$0] }
        return ["Validator packets on queues with a socket reached the kernel instead of the socket (\(perClass(passed, "passed to the kernel"))): "
            + "the program did not redirect them" + (hinted.isEmpty ? "" : "; \(hinted.joined(separator: "; "))")
            + ". Check too that each socket is registered in xsks_map at the key of its queue."]
    }

    private func wrongQueues() -> [String] {
        let misrouted = observations.injected.compactMap { packet -> (InjectedPacket, Int)? in
            switch fate(packet) {
            case .xsk(let queue) where queue != packet.queue, .both(let queue) where queue != packet.queue: return (packet, queue)
            default: return nil
            }
        }
        guard !misrouted.isEmpty else { return [] }
        let pairs = Set(misrouted.map { "\($0.0.queue) → \($0.1)" }).sorted().joined(separator: ", ")
        return ["\(Words.plural(misrouted.count, "packet")) reached the AF_XDP socket of another queue than the one they arrived on "
            + "(\(pairs)): the sockets' queue bindings and xsks_map keys do not agree."]
    }

    /// "2 of 4 SSH sessions stalled (longest stall 11.6s, limit 2s)", when the SSH check did not hold.
    private func sessionTrouble() -> String? {
        let limit = observations.sshMaxStall
        let broken = observations.sessions.filter { !SessionCheck.survived($0, limit: limit) }
        guard observations.sshEnabled, !broken.isEmpty else { return nil }
        let longest = broken.map(\.longestStall).max() ?? 0
        return "\(broken.count) of \(Words.plural(observations.sessions.count, "SSH session")) stalled "
            + "(longest stall \(DurationText.seconds(longest)), limit \(DurationText.seconds(limit)))"
    }

    /// Sessions that failed with no lost neighbour traffic to blame.
    private func sessionProblems() -> [String] {
        guard let trouble = sessionTrouble(),
              !lost.contains(where: { NeighbourClasses.contains($0.trafficClass) }) else { return [] }
        var sentence = "\(trouble.prefix(1).uppercased())\(trouble.dropFirst()) although no injected ARP/ND packet was lost; "
            + "the capture saw \(Words.plural(observations.neighbourFrames, "ARP/ND frame"))"
        if observations.neighbourFrames == 0 { sentence += ", so neighbours were never re-resolved" }
        let failures = Set(observations.sessions.compactMap(\.failure)).sorted()
        if !failures.isEmpty { sentence += "; session failures: \(failures.joined(separator: ", "))" }
        return [sentence + "."]
    }

    /// Checks the run could not decide: usually a lab that asks for something its traffic does not contain.
    private func undecided() -> [String] {
        // Missing tracepoints are already explained by `evidenceLimits`.
        let open = results.filter { !$0.judged && !($0.name == CheckName.noXDPExceptions.rawValue && !evidence.tracepointsAttached)
                                    && !($0.name == CheckName.recovers.rawValue && observations.recovery == nil)
                                    && !($0.name == CheckName.loadNoLoss.rawValue && observations.load == nil) }
        guard !open.isEmpty else { return [] }
        return ["Could not be judged: " + open.map { "\($0.name) (\($0.detail))" }.joined(separator: "; ") + "."]
    }

    /// What limits the evidence itself: capture drops, missing tracepoints, gaps.
    private func evidenceLimits() -> [String] {
        var sentences: [String] = []
        if observations.captureDrops > 0 {
            sentences.append("The capture dropped \(observations.captureDrops) frames, so packets counted as lost may have reached "
                + "the kernel: the capture is incomplete and the packet checks are not conclusive.")
        }
        if !evidence.gaps.isEmpty {
            sentences.append("Kernel evidence is partial: \(evidence.gaps.joined(separator: "; ")).")
        } else if !evidence.tracepointsAttached {
            sentences.append("The xdp tracepoints were not attached, so exceptions and redirect errors were not counted.")
        }
        return sentences
    }
}
