import Foundation
import SystemSupport

/// Builds a topology for real: one network namespace per host, veth or netdevsim links with the requested queue
/// counts created directly inside the namespaces (nothing ever appears in the machine's own namespace), addresses,
/// and short neighbour timing, all through rtnetlink from this process (`RouteNetlink`), no `ip` processes. On any failure it removes what it built before rethrowing.
public enum Realizer {
    public static func realize(_ plan: TopologyPlan, run: String = Ownership.newRunID(),
                               progress: (String) -> Void = { _ in }) throws -> RealizedLab {
        let lab = RealizedLab(run: run, plan: plan)
        let names = plan.hosts.map { lab.namespace(of: $0) }
        // netdevsim ids are chosen and recorded before any device exists, so a run killed half-way leaves
        // nothing that `xdplab clean` cannot attribute.
        let netdevsimIDs = Netdevsim.freeIDs(2 * plan.links.filter { $0.kind == .netdevsim }.count)
        try Ownership.writeRecord(run: run, lab: plan.lab, namespaces: names, netdevsims: netdevsimIDs)
        do {
            for host in plan.hosts {
                let ns = lab.namespace(of: host)
                try RouteNetlink.addNamespace(ns)
                lab.recordNamespace(host: host, name: ns)
                try RouteNetlink.setUp("lo", in: ns)
            }
            progress("namespaces: \(names.joined(separator: ", "))")
            var spareIDs = netdevsimIDs[...]
            for link in plan.links {
                switch link.kind {
                case .veth:
                    try createLink(link, in: lab)
                case .netdevsim:
                    try NetdevsimLink.create(link, ids: (spareIDs.removeFirst(), spareIDs.removeFirst()), in: lab)
                }
                try configureEnds(of: link, in: lab)
                progress("link \(link.a.host):\(link.a.interface) ⇄ \(link.b.host):\(link.b.interface), "
                         + "\(link.queues) queues" + (link.kind == .netdevsim ? " (netdevsim)" : ""))
            }
            return lab
        } catch {
            lab.teardown()
            throw error
        }
    }

    static func createLink(_ link: TopologyPlan.Link, in lab: RealizedLab) throws {
        let nsA = lab.namespace(of: link.a.host), nsB = lab.namespace(of: link.b.host)
        // Created inside A with its peer placed straight into B. Equal queue counts on both ends keep
        // native XDP possible on either side (RX queues of the XDP side ≥ TX queues of its peer).
        try RouteNetlink.addVeth(link.a.interface, in: nsA, peer: link.b.interface, in: nsB, queues: link.queues)
    }

    /// The alias that marks both ends as the run's, neighbour timing, addresses, and up.
    static func configureEnds(of link: TopologyPlan.Link, in lab: RealizedLab) throws {
        for end in [link.a, link.b] {
            let ns = lab.namespace(of: end.host)
            try RouteNetlink.setAlias(end.interface, in: ns, to: Ownership.linkAlias(run: lab.run))
            try setNeighbourTiming(lab.plan.neighbour, namespace: ns, interface: end.interface)
            try RouteNetlink.addAddress(end.ipv4, to: end.interface, in: ns)
            try RouteNetlink.addAddress(end.ipv6, to: end.interface, in: ns)
            try RouteNetlink.setUp(end.interface, in: ns)
        }
    }

    /// Writes the interface's ARP and ND timing under /proc/sys/net, from a thread inside the namespace
    /// (net sysctls follow the writing thread's namespace).
    static func setNeighbourTiming(_ timing: TopologyPlan.NeighbourTiming, namespace: String, interface: String) throws {
        let ms = { (seconds: Double) in String(max(1, Int((seconds * 1000).rounded()))) }
        let values = [
            "base_reachable_time_ms": ms(timing.reachableTime),
            "delay_first_probe_time": String(max(1, Int(timing.delayProbe.rounded(.up)))),
            "retrans_time_ms": ms(timing.retransmit),
            "gc_stale_time": "1",
        ]
        try NetworkNamespace.run(namespace) {
            for family in ["ipv4", "ipv6"] {
                for (key, value) in values {
                    let path = "/proc/sys/net/\(family)/neigh/\(interface)/\(key)"
                    do {
                        try value.write(toFile: path, atomically: false, encoding: .utf8)
                    } catch {
                        throw SystemError("set \(family) neighbour \(key) on \(interface) in \(namespace)", errno: EIO,
                                          extra: "\(error)")
                    }
                }
            }
        }
    }
}
