import Yams

/// An explicit address of either family.
enum LabAddress {
    case v4(IPv4CIDR)
    case v6(IPv6CIDR)
}

extension LabResolver {
    static let rangeRule = "lab addresses must come from 198.18.0.0/15 (IPv4) or 2001:2::/48 (IPv6)"

    /// One explicit CIDR: well-formed, a host address, and inside the lab ranges with a prefix that
    /// keeps the whole subnet inside them (so no route in a lab namespace points anywhere else).
    func readCIDR(_ node: Node) -> LabAddress? {
        guard let text = reader.string(node, "an address") else { return nil }
        let isV6 = text.contains(":")
        guard text.contains("/") else {
            let example = isV6 ? "2001:2::1/64" : "198.18.0.1/24"
            reader.error("address '\(text)' needs a prefix length, such as \(example)", at: node)
            return nil
        }
        if isV6 {
            guard let cidr = IPv6CIDR(text) else {
                reader.error("'\(text)' is not an IPv6 address with a prefix length, such as 2001:2::1/64", at: node)
                return nil
            }
            guard IPv6CIDR.labRange.contains(cidr) else {
                reader.error("\(cidr) is outside the lab ranges; \(Self.rangeRule)", at: node)
                return nil
            }
            guard cidr.prefixLength >= 48 else {
                reader.error("\(cidr) makes a subnet larger than 2001:2::/48; use a prefix of /48 or longer "
                             + "(\(Self.rangeRule))", at: node)
                return nil
            }
            if cidr.prefixLength < 127, cidr.network == cidr {
                var first = cidr.bytes
                first[15] |= 1
                reader.error("\(cidr) is the subnet-router anycast address of its subnet; use a host address such as "
                             + "\(IPv6CIDR(bytes: first, prefixLength: cidr.prefixLength))", at: node)
                return nil
            }
            return .v6(cidr)
        }
        guard let cidr = IPv4CIDR(text) else {
            reader.error("'\(text)' is not an IPv4 address with a prefix length, such as 198.18.0.1/24", at: node)
            return nil
        }
        guard IPv4CIDR.labRange.contains(cidr) else {
            reader.error("\(cidr) is outside the lab ranges; \(Self.rangeRule)", at: node)
            return nil
        }
        guard cidr.prefixLength >= 15 else {
            reader.error("\(cidr) makes a subnet larger than 198.18.0.0/15; use a prefix of /15 or longer "
                         + "(\(Self.rangeRule))", at: node)
            return nil
        }
        if cidr.prefixLength <= 30 {
            let network = cidr.network.value, broadcast = network | ~cidr.mask
            let first = IPv4CIDR(value: network + 1, prefixLength: cidr.prefixLength)
            if cidr.value == network || cidr.value == broadcast {
                let which = cidr.value == network ? "network" : "broadcast"
                reader.error("\(cidr) is the \(which) address of its subnet; use a host address such as \(first)", at: node)
                return nil
            }
        }
        return .v4(cidr)
    }

    /// Fills in automatic addresses (link i: 198.18.i.0/24 and 2001:2:0:i::/64, first end .1/::1, second
    /// .2/::2), then checks that every address is unique and that both ends of a link share a subnet.
    func assignAddresses(_ drafts: [LinkDraft]) -> [Link] {
        var links: [Link] = []
        var owners: [[UInt8]: (name: String, node: Node?)] = [:]
        for draft in drafts {
            guard draft.index < 512 else {
                reader.error("automatic addresses run out after 512 links; give this link explicit addresses", at: draft.node)
                continue
            }
            func end(_ end: EndpointDraft, host: UInt8) -> Endpoint {
                let ipv4 = end.ipv4?.cidr ?? IPv4CIDR(value: IPv4CIDR.labRange.value + UInt32(draft.index) << 8 + UInt32(host),
                                                      prefixLength: 24)
                let ipv6 = end.ipv6?.cidr ?? IPv6CIDR(
                    bytes: [0x20, 0x01, 0, 2, 0, 0, UInt8(draft.index >> 8), UInt8(draft.index & 0xFF)]
                        + Array(repeating: 0, count: 7) + [host],
                    prefixLength: 64)
                return Endpoint(host: end.host, interface: end.interface, ipv4: ipv4, ipv6: ipv6)
            }
            let a = end(draft.a, host: 1), b = end(draft.b, host: 2)
            for (endpoint, written) in [(a, draft.a), (b, draft.b)] {
                claim(endpoint.ipv4.bytes, endpoint.ipv4.address, by: endpoint.name, at: written.ipv4?.node, &owners)
                claim(endpoint.ipv6.bytes, endpoint.ipv6.address, by: endpoint.name, at: written.ipv6?.node, &owners)
            }
            if a.ipv4.network != b.ipv4.network {
                reader.error("\(a.name) \(a.ipv4) and \(b.name) \(b.ipv4) are in different subnets; "
                             + "the two ends of a link must share one IPv4 subnet",
                             at: draft.a.ipv4?.node ?? draft.b.ipv4?.node ?? draft.node)
            }
            if a.ipv6.network != b.ipv6.network {
                reader.error("\(a.name) \(a.ipv6) and \(b.name) \(b.ipv6) are in different subnets; "
                             + "the two ends of a link must share one IPv6 subnet",
                             at: draft.a.ipv6?.node ?? draft.b.ipv6?.node ?? draft.node)
            }
            links.append(Link(a: a, b: b, queues: draft.queues, kind: draft.kind))
        }
        return links
    }

    /// Records who uses an address; a second user is reported where an address was written by hand
    /// (automatic addresses cannot collide with each other).
    private func claim(_ key: [UInt8], _ address: String, by name: String, at node: Node?,
                       _ owners: inout [[UInt8]: (name: String, node: Node?)]) {
        guard let owner = owners[key] else {
            owners[key] = (name, node)
            return
        }
        let automatic = node == nil ? " (its automatic address)" : ""
        reader.error("\(name) would get address \(address)\(automatic), which \(owner.name) already has; "
                     + "every lab address must be unique", at: node ?? owner.node)
    }
}
