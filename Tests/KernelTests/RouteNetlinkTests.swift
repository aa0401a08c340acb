import Foundation
import Glibc
import Testing
import Realization
import SystemSupport
import TestSupport

/// What `ip -j` reports, parsed.
private func ipJSON(_ arguments: [String]) throws -> [[String: Any]] {
    let text = try Command.checked("ip", ["-j"] + arguments).stdout
    return (try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [[String: Any]]) ?? []
}

@Suite("rtnetlink bring-up: each operation, checked against what ip -j reports", .serialized,
       Probe.needs(tools: ["ip"], to: "build namespaces over rtnetlink"))
struct RouteNetlinkTests {
    @Test("namespaces, a multi-queue veth across them, alias, addresses, up, MAC, neighbour flush, delete")
    func everyOperation() throws {
        let a = "xdplab-tnl-\(getpid())-a", b = "xdplab-tnl-\(getpid())-b"
        defer {
            try? RouteNetlink.deleteNamespace(a)
            try? RouteNetlink.deleteNamespace(b)
        }
        try RouteNetlink.addNamespace(a)
        try RouteNetlink.addNamespace(b)
        let listed = try Command.checked("ip", ["netns", "list"]).stdout
        #expect(listed.contains(a) && listed.contains(b))
        #expect(throws: SystemError.self) { try RouteNetlink.addNamespace(a) }

        try RouteNetlink.setUp("lo", in: a)
        try RouteNetlink.addVeth("eth0", in: a, peer: "peer0", in: b, queues: 3)
        let link = try #require(try ipJSON(["-d", "-n", a, "link", "show", "dev", "eth0"]).first)
        #expect(link["num_tx_queues"] as? Int == 3 && link["num_rx_queues"] as? Int == 3)
        let peer = try #require(try ipJSON(["-d", "-n", b, "link", "show", "dev", "peer0"]).first)
        #expect(peer["num_tx_queues"] as? Int == 3 && peer["num_rx_queues"] as? Int == 3)
        #expect(!(try ipJSON(["link", "show"])).contains { $0["ifname"] as? String == "peer0" },
                "the peer went straight into its namespace, never through the machine's own")

        try RouteNetlink.setAlias("eth0", in: a, to: "xdplab:tnl")
        try RouteNetlink.addAddress("198.18.250.1/24", to: "eth0", in: a)
        try RouteNetlink.addAddress("2001:2:0:fa::1/64", to: "eth0", in: a)
        try RouteNetlink.setUp("eth0", in: a)
        try RouteNetlink.setUp("peer0", in: b)
        let shown = try #require(try ipJSON(["-n", a, "addr", "show", "dev", "eth0"]).first)
        let aliased = try #require(try ipJSON(["-n", a, "link", "show", "dev", "eth0"]).first)
        #expect(aliased["ifalias"] as? String == "xdplab:tnl")
        #expect((shown["flags"] as? [String])?.contains("UP") == true)
        let addresses = (shown["addr_info"] as? [[String: Any]] ?? []).map { "\($0["local"] ?? "")/\($0["prefixlen"] ?? "")" }
        #expect(addresses.contains("198.18.250.1/24") && addresses.contains("2001:2:0:fa::1/64"))
        let ipv6 = (shown["addr_info"] as? [[String: Any]] ?? []).first { $0["local"] as? String == "2001:2:0:fa::1" }
        #expect(ipv6?["tentative"] == nil, "no duplicate address detection: usable at once")

        let mac = try RouteNetlink.mac(of: "eth0", in: a).map { String(format: "%02x", $0) }.joined(separator: ":")
        #expect(mac == shown["address"] as? String)

        try Command.checked("ip", ["-n", a, "neigh", "add", "198.18.250.9", "lladdr", "02:00:00:00:00:09", "dev", "eth0",
                                   "nud", "reachable"])
        try Command.checked("ip", ["-n", a, "neigh", "add", "198.18.250.8", "lladdr", "02:00:00:00:00:08", "dev", "eth0",
                                   "nud", "permanent"])
        #expect(try RouteNetlink.flushNeighbours("eth0", in: a) == 1)
        let left = try ipJSON(["-n", a, "neigh", "show", "dev", "eth0"]).compactMap { $0["dst"] as? String }
        #expect(left == ["198.18.250.8"], "only the permanent entry stays, as with ip neigh flush")

        try RouteNetlink.deleteNamespace(a)
        try RouteNetlink.deleteNamespace(b)
        let after = try Command.checked("ip", ["netns", "list"]).stdout
        #expect(!after.contains(a) && !after.contains(b))
        try RouteNetlink.deleteNamespace(a)   // gone already: fine
    }

    @Test("errors name what was attempted")
    func errorsSayWhat() throws {
        let error = try #require(throws: SystemError.self) {
            try RouteNetlink.addAddress("198.18.250.1/24", to: "nosuch0", in: "xdplab-tnl-absent")
        }
        #expect(error.description.contains("xdplab-tnl-absent"))
    }
}
