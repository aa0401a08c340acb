import Yams

/// What the topology section yielded, complete or not; later sections check their references against it.
struct TopologyDraft {
    /// Every host name written, valid or not, so a misspelt name is reported once, where it was defined.
    var hosts: [String] = []
    /// False when the host list itself was unusable: "unknown host" would then be noise.
    var hostsRead = false
    var links: [Link] = []
    /// Every "host:interface" that some `between` names, even in links that had problems.
    var mentioned: Set<String> = []
    var neighbour = NeighbourTiming.standard

    var value: Topology { Topology(hosts: hosts, links: links, neighbour: neighbour) }

    func link(host: String, interface: String) -> Link? {
        links.first { $0.endpoint(host: host, interface: interface) != nil }
    }
}

/// One end of a link as written, before automatic addresses fill the gaps.
struct EndpointDraft {
    let host: String
    let interface: String
    var ipv4: (cidr: IPv4CIDR, node: Node)?
    var ipv6: (cidr: IPv6CIDR, node: Node)?
    var name: String { "\(host):\(interface)" }
}

/// A link whose ends and queue count are valid, waiting for its addresses.
struct LinkDraft {
    let index: Int
    var a: EndpointDraft
    var b: EndpointDraft
    let queues: Int
    let kind: LinkKind
    let node: Node
}

extension LabResolver {
    static let topologyKeys = ["hosts", "links", "neighbour"]
    static let linkKeys = ["between", "queues", "addresses", "kind"]
    static let neighbourKeys = ["reachable-time", "delay-probe", "retransmit"]

    func resolveTopology(_ node: Node) -> TopologyDraft {
        var draft = TopologyDraft()
        guard let fields = reader.fields(node, "topology", known: Self.topologyKeys) else { return draft }
        if let hosts = fields.required("hosts", reader, meaning: "the lab's hosts, such as [validator, peer]") {
            readHosts(hosts, into: &draft)
        }
        if let links = fields.required("links", reader, meaning: "the links between hosts") {
            readLinks(links, into: &draft)
        }
        if let neighbour = fields["neighbour"], !reader.isNull(neighbour) {
            draft.neighbour = readNeighbour(neighbour)
        }
        return draft
    }

    /// Host names end up in namespace and interface names, hence the short, plain alphabet.
    private func readHosts(_ node: Node, into draft: inout TopologyDraft) {
        guard let items = reader.list(node, "hosts", example: "[validator, peer]") else { return }
        draft.hostsRead = true
        for item in items {
            guard let host = reader.string(item, "a host name") else { continue }
            if !Names.isValid(host, maxLength: Names.hostLength) {
                reader.error("host name must be a lower-case letter followed by up to \(Names.hostLength - 1) lower-case letters or digits "
                             + "(it becomes part of namespace and interface names); got '\(host)'", at: item)
            }
            if draft.hosts.contains(host) {
                reader.error("host '\(host)' is listed twice; host names must be unique", at: item)
                continue
            }
            draft.hosts.append(host)
        }
        if draft.hosts.count < 2 {
            reader.error("hosts must name at least two hosts: every link joins two different hosts", at: node)
        }
    }

    private func readLinks(_ node: Node, into draft: inout TopologyDraft) {
        guard let items = reader.list(node, "links", example: "[{between: [validator:eth0, peer:eth0]}]") else { return }
        if items.isEmpty {
            reader.error("links must list at least one link, such as - between: [validator:eth0, peer:eth0]", at: node)
        }
        var used: [String: Node] = [:]
        var drafts: [LinkDraft] = []
        for (index, item) in items.enumerated() {
            if let link = readLink(item, index: index, draft: &draft, used: &used) { drafts.append(link) }
        }
        draft.links = assignAddresses(drafts)
    }

    private func readLink(_ node: Node, index: Int, draft: inout TopologyDraft, used: inout [String: Node]) -> LinkDraft? {
        guard let fields = reader.fields(node, "a link", known: Self.linkKeys) else { return nil }
        var ends: [EndpointDraft] = []
        var endsValid = false
        if let between = fields.required("between", reader, meaning: "its two ends, such as [validator:eth0, peer:eth0]"),
           let items = reader.list(between, "between", example: "[validator:eth0, peer:eth0]") {
            if items.count != 2 {
                reader.error("between must name exactly two ends, such as [validator:eth0, peer:eth0]; got \(items.count)",
                             at: between)
            }
            endsValid = items.count == 2
            for item in items {
                guard let end = readEndpoint(item, draft: &draft, used: &used) else { endsValid = false; continue }
                ends.append(end)
            }
            if endsValid, ends[0].host == ends[1].host {
                reader.error("a link must join two different hosts; both ends are on '\(ends[0].host)'", at: between)
                endsValid = false
            }
        }
        var queues: Int? = 1
        if let node = fields["queues"] { queues = reader.integer(node, "queues", in: 1...64) }
        let kind = fields["kind"].map { reader.choice($0, "link kind", as: LinkKind.self) } ?? .veth
        if let node = fields["addresses"], !reader.isNull(node) {
            readAddresses(node, ends: endsValid ? ends : nil, into: &ends)
        }
        guard endsValid, let queues, let kind else { return nil }
        return LinkDraft(index: index, a: ends[0], b: ends[1], queues: queues, kind: kind, node: node)
    }

    /// "host:interface"; the host must exist and the endpoint must not be in another link.
    private func readEndpoint(_ node: Node, draft: inout TopologyDraft, used: inout [String: Node]) -> EndpointDraft? {
        guard let text = reader.string(node, "a link end") else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            reader.error("link end '\(text)' must be written host:interface, such as validator:eth0", at: node)
            return nil
        }
        let (host, interface) = (parts[0], parts[1])
        draft.mentioned.insert(text)
        var valid = true
        if draft.hostsRead, !draft.hosts.contains(host) {
            reader.error("unknown host '\(host)'; hosts are: \(draft.hosts.joined(separator: ", "))", at: node)
            valid = false
        }
        if !Names.isValid(interface, maxLength: Names.interfaceLength) {
            reader.error("interface name must be a lower-case letter followed by up to \(Names.interfaceLength - 1) lower-case letters or digits; "
                         + "got '\(interface)'", at: node)
            valid = false
        }
        if let earlier = used[text] {
            reader.error("'\(text)' is already an end of the link at line \(reader.location(earlier).line); "
                         + "an interface belongs to one link only", at: node)
            valid = false
        } else {
            used[text] = node
        }
        return valid ? EndpointDraft(host: host, interface: interface) : nil
    }

    /// `addresses:` maps an end's name to at most one IPv4 and one IPv6 CIDR. `ends` is nil when the link's
    /// ends are unusable: the addresses are still checked, but not matched to an end.
    private func readAddresses(_ node: Node, ends valid: [EndpointDraft]?, into ends: inout [EndpointDraft]) {
        guard case .mapping(let mapping) = node else {
            reader.error("addresses must map link ends to address lists, such as validator:eth0: [198.18.0.1/24]; "
                         + "got \(reader.kind(of: node))", at: node)
            return
        }
        for (keyNode, value) in mapping {
            guard let name = reader.string(keyNode, "a link end") else { continue }
            var index: Int?
            if let valid {
                index = valid.firstIndex { $0.name == name }
                if index == nil {
                    reader.error("'\(name)' is not an end of this link; its ends are \(valid[0].name) and \(valid[1].name)",
                                 at: keyNode)
                }
            }
            guard !reader.isNull(value),
                  let items = reader.list(value, "addresses of \(name)", example: "[198.18.0.1/24, \"2001:2::1/64\"]")
            else { continue }
            var seen4 = false, seen6 = false
            for item in items {
                guard let address = readCIDR(item) else { continue }
                switch address {
                case .v4(let cidr):
                    if seen4 { reader.error("\(name) has two IPv4 addresses; give at most one IPv4 and one IPv6", at: item) }
                    seen4 = true
                    if let index, ends[index].ipv4 == nil { ends[index].ipv4 = (cidr, item) }
                case .v6(let cidr):
                    if seen6 { reader.error("\(name) has two IPv6 addresses; give at most one IPv4 and one IPv6", at: item) }
                    seen6 = true
                    if let index, ends[index].ipv6 == nil { ends[index].ipv6 = (cidr, item) }
                }
            }
        }
    }

    private func readNeighbour(_ node: Node) -> NeighbourTiming {
        var timing = NeighbourTiming.standard
        guard let fields = reader.fields(node, "neighbour", known: Self.neighbourKeys) else { return timing }
        if let node = fields["reachable-time"], let value = reader.duration(node, "reachable-time") {
            timing.reachableTime = value
        }
        if let node = fields["delay-probe"], let value = reader.duration(node, "delay-probe") {
            timing.delayProbe = value
        }
        if let node = fields["retransmit"], let value = reader.duration(node, "retransmit") {
            timing.retransmit = value
        }
        return timing
    }
}
