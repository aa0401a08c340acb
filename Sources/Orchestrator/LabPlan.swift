import LabModel
import Realization
import SystemSupport
import AFXDPStack
import Traffic
import Verification
import KernelObservation

/// Translations from the lab model into each layer's own terms. Kept in one place so the layers stay
/// independent of each other and of the lab-file format.
enum LabPlan {
    static func topology(_ lab: Lab) -> TopologyPlan {
        TopologyPlan(
            lab: lab.name,
            hosts: lab.topology.hosts,
            links: lab.topology.links.map { link in
                TopologyPlan.Link(a: end(link.a), b: end(link.b), queues: link.queues,
                                  kind: link.kind == .netdevsim ? .netdevsim : .veth)
            },
            neighbour: .init(reachableTime: lab.topology.neighbour.reachableTime,
                             delayProbe: lab.topology.neighbour.delayProbe,
                             retransmit: lab.topology.neighbour.retransmit))
    }

    /// How the sender reaches an RX queue of the stack: netdevsim's peer sees TX queue − 1 (see QueueSteering).
    static func steering(_ lab: Lab) -> QueueSteering.Mapping { lab.stackOnNetdevsim ? .previousQueue : .sameQueue }

    static func end(_ endpoint: Endpoint) -> TopologyPlan.LinkEnd {
        .init(host: endpoint.host, interface: endpoint.interface,
              ipv4: endpoint.ipv4.description, ipv6: endpoint.ipv6.description)
    }

    static func stackStep(_ step: StartupStep) -> StackStep {
        switch step {
        case .load: return .load
        case .createSockets: return .createSockets
        case .register: return .register
        case .attach: return .attach
        case .wait(let seconds): return .wait(seconds)
        }
    }

    static func attachMode(_ mode: AttachMode) -> XDPAttachMode {
        mode == .native ? .native : .generic
    }

    static func layout(_ layout: StackLayoutSpec) -> StackLayout {
        switch layout {
        case .shared: return .shared
        case .programPerSocket(let portsByQueue): return .programPerSocket(portsByQueue: portsByQueue)
        }
    }

    /// The lab's stack in the stack layer's terms, deployed in `namespace` from the compiled `object`.
    static func stackConfiguration(_ lab: Lab, namespace: String, object: String, workDirectory: String) -> StackConfiguration {
        StackConfiguration(
            namespace: namespace, interface: lab.stack.interface, objectPath: object,
            attachMode: attachMode(lab.stack.attachMode), ports: lab.stack.ports,
            socketQueues: lab.stack.socketQueues, refillFillRing: lab.stack.fillRing != .starve,
            workDirectory: workDirectory, initialFill: initialFill(lab.stack.fillRing),
            layout: layout(lab.stack.layout))
    }

    /// Frames a starved consumer puts on its fill ring once and never again: few enough that ordinary traffic
    /// empties it within the run.
    static let starvedFill = 16
    /// Frames a shallow consumer keeps on its fill ring: more than paced traffic ever has in flight, fewer than one
    /// NAPI poll (up to 64 frames) redirects to a socket under load before the consumer can give any back.
    static let shallowFill = 8

    static func initialFill(_ policy: FillRingPolicy) -> Int? {
        switch policy {
        case .kept: return nil
        case .starve: return starvedFill
        case .shallow: return shallowFill
        }
    }

    /// What a command stack is told, as `{placeholders}` and `XDPLAB_*` variables.
    static func placeholders(_ lab: Lab, namespace: String, object: String?) -> StackPlaceholders {
        StackPlaceholders(interface: lab.stack.interface, queues: lab.stack.socketQueues, ports: lab.stack.ports,
                          program: object, namespace: namespace, peerIPv4: lab.peerEndpoint.ipv4.address,
                          peerIPv6: lab.peerEndpoint.ipv6.address)
    }

    static func checkRequests(_ lab: Lab) -> [CheckRequest] {
        lab.expectations.map {
            CheckRequest(name: $0.check, expected: $0.outcome)
        }
    }

    /// Start-up steps before the first `wait` run before traffic starts; the rest run while it flows,
    /// which is how an incident lab opens a window (attach, wait, then register).
    static func splitStartup(_ steps: [StartupStep]) -> (before: [StartupStep], during: [StartupStep]) {
        guard let firstWait = steps.firstIndex(where: { if case .wait = $0 { return true } else { return false } }) else {
            return (steps, [])
        }
        return (Array(steps[..<firstWait]), Array(steps[firstWait...]))
    }
}
