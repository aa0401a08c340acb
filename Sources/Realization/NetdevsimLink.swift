/// A `kind: netdevsim` link: one netdevsim device per end, each created inside its end's namespace, renamed to
/// the lab's interface name and linked to the other.
enum NetdevsimLink {
    /// Queues each device gets for a link of `queues`. One more than asked: generic XDP on a netdevsim port sees
    /// a frame on RX queue (sender's TX queue − 1) — the driver hands the peer the skb with its TX queue in
    /// `queue_mapping`, which the receive path reads as "recorded RX queue + 1" — so reaching RX queue q takes
    /// TX queue q + 1, and RX queue `queues − 1` needs a TX queue `queues`. The top queue itself never receives.
    static func deviceQueues(for queues: Int) -> Int { queues + 1 }

    static func create(_ link: TopologyPlan.Link, ids: (UInt32, UInt32), in lab: RealizedLab) throws {
        let ends = [(link.a, ids.0), (link.b, ids.1)]
        for (end, id) in ends {
            let namespace = lab.namespace(of: end.host)
            lab.recordNetdevsim(id)
            let port = try Netdevsim.create(id: id, queues: deviceQueues(for: link.queues), in: namespace)
            if port != end.interface {
                try RouteNetlink.rename(port, in: namespace, to: end.interface)
            }
        }
        try Netdevsim.link((lab.namespace(of: link.a.host), link.a.interface), (lab.namespace(of: link.b.host), link.b.interface))
    }
}
