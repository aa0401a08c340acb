import Yams

/// What the traffic section yielded.
struct TrafficDraft {
    var spec: TrafficSpec?
    /// Where `ssh: off` was written, so an `ssh-survives` check can point at the conflict.
    var sshOff: Node?
    /// Where `sequence:` was written: the lab is a sequence lab, whose checks differ.
    var sequenceNode: Node?
}

extension LabResolver {
    static let trafficKeys = ["from", "duration", "rounds", "classes", "ssh", "sequence", "load", "timing"]
    static let sshKeys = ["port", "interval", "max-stall"]

    func resolveTraffic(_ node: Node, topology: TopologyDraft?, stack: StackDraft?) -> TrafficDraft {
        var draft = TrafficDraft()
        guard let fields = reader.fields(node, "traffic", known: Self.trafficKeys) else { return draft }
        let from = fields.required("from", reader, meaning: "the host that sends, at the far end of the stack's link")
            .flatMap { sender($0, topology: topology, stack: stack) }
        if let node = fields["sequence"] {
            draft.sequenceNode = node
            let sequence = resolveSequence(node, stack: stack)
            var alone = true
            for key in ["duration", "rounds", "classes", "ssh", "load", "timing"] {
                guard let other = fields[key] else { continue }
                reader.error("\(key) belongs to packet-class traffic; a sequence lab (sequence settings at line "
                             + "\(reader.location(node).line)) sends only its sequence, so remove \(key)", at: other)
                alone = false
            }
            if let from, let sequence, alone { draft.spec = .sequence(from: from, sequence) }
            return draft
        }
        let duration = fields["duration"].map { reader.duration($0, "duration", in: 1...600) } ?? 5
        let rounds = fields["rounds"].map { reader.integer($0, "rounds", in: 1...10_000) } ?? 5
        let classes = fields["classes"].map(trafficClasses) ?? TrafficClass.allCases
        var ssh: SSHSpec?? = .some(.standard)
        if let node = fields["ssh"] {
            ssh = sshSessions(node)
            if case .some(.none) = ssh { draft.sshOff = node }
        }
        var load: LoadSpec?? = .some(nil)
        if let node = fields["load"] { load = resolveLoad(node, stack: stack).map { .some($0) } }
        let timing = fields["timing"].map { reader.choice($0, "timing", as: TrafficTiming.self) } ?? .tolerant
        if let from, let duration, let rounds, let classes, let ssh, let load, let timing {
            draft.spec = TrafficSpec(from: from, duration: duration, rounds: rounds, classes: classes, ssh: ssh,
                                     load: load)
            draft.spec?.timing = timing
        }
        return draft
    }

    /// A host other than the stack's, at the far end of the stack's link (queue steering works per link).
    private func sender(_ node: Node, topology: TopologyDraft?, stack: StackDraft?) -> String? {
        guard let from = hostReference(node, "from", topology: topology) else { return nil }
        if let stackHost = stack?.host, from == stackHost {
            reader.error("traffic must come from another host than the stack's host '\(stackHost)'", at: node)
            return nil
        }
        if let link = stack?.link, let stackHost = stack?.host {
            let stackEnd = link.a.host == stackHost ? link.a : link.b
            let peer = link.otherEnd(of: stackEnd)
            if peer.host != from {
                reader.error("'\(from)' is not at the other end of the stack's link \(stackEnd.name)–\(peer.name); "
                             + "set from: \(peer.host)", at: node)
                return nil
            }
        }
        return from
    }

    /// `all`, or a list of class names; the result follows `TrafficClass.allCases` order.
    private func trafficClasses(_ node: Node) -> [TrafficClass]? {
        if case .scalar(let scalar) = node, !reader.isNull(node) {
            if scalar.string == "all" { return TrafficClass.allCases }
            let hint = TrafficClass(rawValue: scalar.string) != nil ? "; for one class write [\(scalar.string)]" : ""
            reader.error("classes must be 'all' or a list of class names such as [validator-udp4, arp]; "
                         + "got '\(scalar.string)'\(hint)", at: node)
            return nil
        }
        guard let items = reader.list(node, "classes", example: "[validator-udp4, arp]") else { return nil }
        if items.isEmpty {
            reader.error("classes must name at least one traffic class, or be 'all'", at: node)
            return nil
        }
        var chosen = Set<TrafficClass>()
        var valid = true
        for item in items {
            guard let trafficClass = reader.choice(item, "traffic class", as: TrafficClass.self) else {
                valid = false
                continue
            }
            if !chosen.insert(trafficClass).inserted {
                reader.error("traffic class '\(trafficClass.rawValue)' is listed twice", at: item)
                valid = false
            }
        }
        return valid ? TrafficClass.allCases.filter(chosen.contains) : nil
    }

    /// nil: invalid (reported). `.some(nil)`: sessions switched off. Otherwise the session settings.
    private func sshSessions(_ node: Node) -> SSHSpec?? {
        if reader.isNull(node) { return .some(.standard) }
        if case .scalar(let scalar) = node {
            switch scalar.string {
            case "off", "false": return .some(nil)
            case "on", "true": return .some(.standard)
            default:
                reader.error("ssh must be off, or a mapping with port, interval and max-stall; got '\(scalar.string)'",
                             at: node)
                return nil
            }
        }
        guard let fields = reader.fields(node, "ssh", known: Self.sshKeys) else { return nil }
        let port = fields["port"].map { reader.integer($0, "port", in: 1...65535) } ?? 22
        let interval = fields["interval"].map { reader.duration($0, "interval") } ?? 0.2
        let maxStall = fields["max-stall"].map { reader.duration($0, "max-stall") } ?? 2
        guard let port, let interval, let maxStall else { return nil }
        guard maxStall > interval else {
            reader.error("max-stall (\(LabDuration.format(maxStall))) must be longer than interval "
                         + "(\(LabDuration.format(interval))), or every healthy session would count as stalled",
                         at: fields["max-stall"] ?? fields["interval"] ?? node)
            return nil
        }
        return .some(SSHSpec(port: UInt16(port), interval: interval, maxStall: maxStall))
    }
}
