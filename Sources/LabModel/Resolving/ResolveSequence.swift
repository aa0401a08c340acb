import Yams

extension LabResolver {
    static let sequenceKeys = ["interval", "rate", "count", "duration", "port", "queue", "receiver", "faults",
                               "ring-watch", "max-loss"]
    static let faultKinds = ["stall-consumer", "delay-registration", "reattach"]
    /// Map-ring sampling when the lab does not say.
    static let defaultRingWatch: UInt64 = 1_000_000
    /// The most packets a run may plan: every send time and arrival is kept in memory.
    static let packetLimit = 10_000_000

    /// `traffic.sequence`: pacing, extent, port and queue, the receiver, faults, ring watch and the loss bound.
    /// The receiver decides what the stack section must look like; those problems point at `receiver`.
    func resolveSequence(_ node: Node, stack: StackDraft?) -> SequenceSpec? {
        guard let fields = reader.fields(node, "sequence", known: Self.sequenceKeys) else { return nil }
        let pacing = sequencePacing(fields)
        let extent = sequenceExtent(fields)
        let receiver = fields["receiver"].map { reader.choice($0, "receiver", as: SequenceReceiverKind.self) } ?? .afXDP
        let explicitPort = fields["port"].map { reader.integer($0, "port", in: 1...65535).map(UInt16.init) }
        let queue = fields["queue"].map { sequenceQueue($0, link: stack?.link) } ?? 0
        let faults = fields["faults"].map(sequenceFaults) ?? []
        let maxLoss = fields["max-loss"].map(lossBound) ?? .packets(0)
        var watch: UInt64?? = .some(receiver == .mapRing ? Self.defaultRingWatch : nil)
        if let watchNode = fields["ring-watch"], let receiver { watch = ringWatch(watchNode, receiver: receiver) }
        guard let pacing, let extent, let receiver, let queue, let faults, let maxLoss, case .some(let ringWatch) = watch
        else { return nil }
        if case .some(.none) = explicitPort { return nil }

        let receiverNode = fields["receiver"] ?? node
        guard let port = sequencePort(explicitPort.flatMap { $0 }, receiver: receiver, receiverNode: receiverNode,
                                      stack: stack?.spec) else { return nil }
        let spec = SequenceSpec(pacing: pacing, extent: extent, port: port, queue: queue, receiver: receiver,
                                faults: faults, ringWatch: ringWatch, maxLoss: maxLoss)
        var valid = faultsFitTheRun(spec, node: fields["faults"] ?? node)
        if case .duration(let length) = extent, case .interval(let interval) = pacing, length / interval > UInt64(Self.packetLimit) {
            reader.error("duration \(SequenceTime.format(length)) at one packet every \(SequenceTime.format(interval)) "
                         + "plans more than \(Self.packetLimit) packets, the most a run keeps; send for less time",
                         at: fields["duration"])
            valid = false
        }
        if maxLoss == .duringFaults, faults.isEmpty {
            reader.error("max-loss: during-faults lets only packets sent during a fault go missing, but there are no "
                         + "faults; write max-loss: 0, or add faults", at: fields["max-loss"])
            valid = false
        }
        if let stackSpec = stack?.spec {
            valid = stackSuits(spec, stackSpec, portNode: fields["port"], queueNode: fields["queue"], at: receiverNode) && valid
        }
        return valid ? spec : nil
    }

    /// Exactly one of `interval` and `rate`; either may be `as-fast-as-possible`.
    private func sequencePacing(_ fields: Fields) -> SequencePacing? {
        switch (fields["interval"], fields["rate"]) {
        case (nil, nil):
            if !fields.misspelt.contains("interval") && !fields.misspelt.contains("rate") {
                reader.error("sequence needs a pace: interval (such as 20us), rate (such as 50000/s) "
                             + "or interval: as-fast-as-possible", at: fields.node)
            }
            return nil
        case (.some, .some(let rate)):
            reader.error("give interval or rate, not both (rate is one over interval)", at: rate)
            return nil
        case (.some(let node), nil):
            guard let text = reader.string(node, "interval") else { return nil }
            if text == "as-fast-as-possible" { return .asFastAsPossible }
            guard let interval = SequenceTime.parse(text) else {
                reader.error("interval must be a time with a unit such as 20us, 1ms or 1.5s, "
                             + "or as-fast-as-possible; got '\(text)'", at: node)
                return nil
            }
            return paced(interval, node: node, what: "interval \(text)")
        case (nil, .some(let node)):
            guard let text = reader.string(node, "rate") else { return nil }
            if text == "as-fast-as-possible" { return .asFastAsPossible }
            guard let perSecond = Self.rate(text) else {
                reader.error("rate must be packets per second such as 50000/s, 50k/s or 1.5M/s, "
                             + "or as-fast-as-possible; got '\(text)'", at: node)
                return nil
            }
            return paced(UInt64((1e9 / perSecond).rounded()), node: node, what: "rate \(text)")
        }
    }

    private func paced(_ interval: UInt64, node: Node, what: String) -> SequencePacing? {
        guard interval >= 1_000 else {
            reader.error("\(what) asks for packets less than 1us apart; the sender cannot pace that finely, "
                         + "write interval: as-fast-as-possible for its highest rate", at: node)
            return nil
        }
        guard interval <= 10_000_000_000 else {
            reader.error("\(what) leaves more than 10s between packets; the longest interval is 10s", at: node)
            return nil
        }
        return .interval(interval)
    }

    /// "50000/s", "50k/s", "1.5M/s" → packets per second.
    static func rate(_ text: String) -> Double? {
        guard text.hasSuffix("/s") else { return nil }
        var number = Substring(text.dropLast(2))
        var scale = 1.0
        if number.hasSuffix("k") { scale = 1e3; number = number.dropLast() } else if number.hasSuffix("M") { scale = 1e6; number = number.dropLast() }
        guard number.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), number.contains(where: \.isNumber),
              let value = Double(number), value > 0 else { return nil }
        return value * scale
    }

    /// Exactly one of `count` and `duration`.
    private func sequenceExtent(_ fields: Fields) -> SequenceExtent? {
        switch (fields["count"], fields["duration"]) {
        case (nil, nil):
            if !fields.misspelt.contains("count") && !fields.misspelt.contains("duration") {
                reader.error("sequence needs an extent: count (such as 100000) or duration (such as 2s)", at: fields.node)
            }
            return nil
        case (.some, .some(let duration)):
            reader.error("give count or duration, not both", at: duration)
            return nil
        case (.some(let node), nil):
            return reader.integer(node, "count", in: 1...Self.packetLimit).map { .count($0) }
        case (nil, .some(let node)):
            guard let nanoseconds = time(node, "duration") else { return nil }
            guard nanoseconds <= 600_000_000_000 else {
                reader.error("duration must be at most 10m, got \(SequenceTime.format(nanoseconds))", at: node)
                return nil
            }
            return .duration(nanoseconds)
        }
    }

    /// A time with a unit (`SequenceTime`).
    func time(_ node: Node, _ what: String) -> UInt64? {
        guard let text = reader.string(node, what) else { return nil }
        guard let nanoseconds = SequenceTime.parse(text) else {
            reader.error("\(what) must be a time with a unit such as 500us, 200ms or 1.5s, got '\(text)'", at: node)
            return nil
        }
        return nanoseconds
    }

    private func sequenceQueue(_ node: Node, link: Link?) -> Int? {
        guard let queue = reader.integer(node, "queue", in: 0...63) else { return nil }
        if let link, queue >= link.queues {
            reader.error("queue \(queue) does not exist: the stack's link has \(link.queues) "
                         + "queue\(link.queues == 1 ? "" : "s"), numbered 0 to \(link.queues - 1)", at: node)
            return nil
        }
        return queue
    }

    /// The port the receiver listens on: written, or the stack's (single) port for receivers that the stack's
    /// program feeds; a UDP socket must be told, since the stack's ports are exactly the ones it never sees.
    private func sequencePort(_ written: UInt16?, receiver: SequenceReceiverKind, receiverNode: Node,
                              stack: StackSpec?) -> UInt16? {
        if let written { return written }
        switch receiver {
        case .udpSocket:
            reader.error("receiver udp-socket needs a port: one the stack's program does not claim, such as 9000",
                         at: receiverNode)
            return nil
        case .afXDP, .mapRing:
            return stack?.ports.first ?? 1   // without a stack the port is never used: the lab fails anyway
        }
    }

    /// `1ms`, or `off`; only a map ring can be watched.
    private func ringWatch(_ node: Node, receiver: SequenceReceiverKind) -> UInt64?? {
        guard let text = reader.string(node, "ring-watch") else { return nil }
        if text == "off" { return .some(nil) }
        guard receiver == .mapRing else {
            reader.error("ring-watch samples a BPF map ring, which only receiver map-ring has; remove it", at: node)
            return nil
        }
        guard let interval = SequenceTime.parse(text) else {
            reader.error("ring-watch must be a sampling interval such as 1ms, or off; got '\(text)'", at: node)
            return nil
        }
        guard interval >= 100_000 else {
            reader.error("ring-watch samples at most every 100us (each sample reads the map through a system call); "
                         + "got \(text)", at: node)
            return nil
        }
        return .some(interval)
    }

    /// `0`, `25`, `0.5%` or `during-faults`.
    private func lossBound(_ node: Node) -> LossBound? {
        guard let text = reader.string(node, "max-loss") else { return nil }
        if text == "during-faults" { return .duringFaults }
        if let count = Int(text), count >= 0 { return .packets(count) }
        if text.hasSuffix("%"), let percent = Double(text.dropLast()), percent >= 0, percent <= 100,
           text.dropLast().allSatisfy({ $0.isNumber || $0 == "." }) {
            return .fraction(percent / 100)
        }
        reader.error("max-loss must be a number of packets (such as 0 or 25), a percentage (such as 0.5%) "
                     + "or during-faults; got '\(text)'", at: node)
        return nil
    }
}
