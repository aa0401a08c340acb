import Yams

extension LabResolver {
    /// Each fault's times must fall inside the run, when its length is known.
    func faultsFitTheRun(_ spec: SequenceSpec, node: Node) -> Bool {
        guard let length = spec.plannedDuration else { return true }
        var valid = true
        for fault in spec.faults {
            let start: UInt64
            switch fault {
            case .stallConsumer(let at, _), .reattach(let at, _): start = at
            case .stallConsumerPeriodically(_, _, let firstAt): start = firstAt
            case .delayRegistration(let delay): start = delay
            }
            if start >= length {
                reader.error("\(fault.name) falls after the last packet is sent (the run sends for "
                             + "\(SequenceTime.format(length))); start it earlier or send for longer", at: node)
                valid = false
            }
        }
        return valid
    }

    /// A list of one-key mappings: `- stall-consumer: {at: 1s, for: 200ms}`, `- delay-registration: 500ms`,
    /// `- reattach: {at: 2s, for: 20ms}`.
    func sequenceFaults(_ node: Node) -> [SequenceFault]? {
        guard let items = reader.list(node, "faults", example: "[{stall-consumer: {at: 1s, for: 200ms}}]") else { return nil }
        var faults: [SequenceFault] = []
        var valid = true
        var registration: Node?
        for item in items {
            guard let fields = reader.fields(item, "a fault", known: Self.faultKinds) else { valid = false; continue }
            guard fields.values.count == 1, case (let kind, let value)? = fields.values.first.map({ ($0.key, $0.value) }) else {
                if !fields.values.isEmpty {
                    reader.error("a fault is one of \(Self.faultKinds.joined(separator: ", ")); write each as its own "
                                 + "list item", at: item)
                } else if case .mapping(let written) = item, written.count == 0 {
                    reader.error("a fault needs one of: \(Self.faultKinds.joined(separator: ", "))", at: item)
                }
                valid = false
                continue
            }
            let fault: SequenceFault?
            switch kind {
            case "stall-consumer": fault = stall(value)
            case "delay-registration":
                if let earlier = registration {
                    reader.error("delay-registration is already given at line \(reader.location(earlier).line); "
                                 + "the receiver registers once", at: item)
                    valid = false
                }
                registration = item
                fault = time(value, "delay-registration").map { .delayRegistration($0) }
            default: fault = reattach(value)
            }
            guard let fault else { valid = false; continue }
            faults.append(fault)
        }
        return valid ? faults : nil
    }

    private func stall(_ node: Node) -> SequenceFault? {
        guard let fields = reader.fields(node, "stall-consumer", known: ["at", "every", "for", "from"]) else { return nil }
        let duration = fields.required("for", reader, meaning: "how long the consumer stops reading, such as 200ms")
            .flatMap { time($0, "for") }
        switch (fields["at"], fields["every"]) {
        case (.some(let atNode), nil):
            if let from = fields["from"] {
                reader.error("from goes with every (the first of periodic stalls); a single stall has only at", at: from)
                return nil
            }
            guard let at = time(atNode, "at"), let duration else { return nil }
            return .stallConsumer(at: at, duration: duration)
        case (nil, .some(let everyNode)):
            let first: UInt64?? = fields["from"].map { time($0, "from") } ?? .some(nil)
            guard let every = time(everyNode, "every"), let duration, case .some(let firstAt) = first else { return nil }
            guard duration < every else {
                reader.error("a periodic stall must be shorter than its period: for \(SequenceTime.format(duration)), "
                             + "every \(SequenceTime.format(every))", at: fields["for"])
                return nil
            }
            return .stallConsumerPeriodically(every: every, duration: duration, firstAt: firstAt ?? every)
        case (.some, .some(let everyNode)):
            reader.error("give at (one stall) or every (periodic stalls), not both", at: everyNode)
            return nil
        case (nil, nil):
            if !fields.misspelt.contains("at") && !fields.misspelt.contains("every") {
                reader.error("stall-consumer needs at (one stall, such as at: 1s) or every (periodic, such as every: 500ms)",
                             at: node)
            }
            return nil
        }
    }

    private func reattach(_ node: Node) -> SequenceFault? {
        guard let fields = reader.fields(node, "reattach", known: ["at", "for"]) else { return nil }
        let at = fields.required("at", reader, meaning: "when the program is detached, such as 1s").flatMap { time($0, "at") }
        let duration = fields["for"].map { time($0, "for") } ?? .some(0)
        guard let at, case .some(let detached) = duration else { return nil }
        return .reattach(at: at, duration: detached)
    }
}
