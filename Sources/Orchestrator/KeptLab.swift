import Foundation
import LabModel
import Realization
import SystemSupport
import AFXDPStack
import KernelObservation

/// A lab left up after its verdict by `xdplab run --keep`, and how to get at it. Its run record is marked kept, so
/// neither a later run nor `xdplab clean` removes it; `xdplab destroy RUN` (or `xdplab clean --all`) does.
public struct KeptLab: Sendable {
    public let run: String
    public let lab: String
    /// Host → namespace, in the lab's host order.
    public let namespaces: [(host: String, namespace: String)]
    public let stackHost: String
    public let interface: String
    /// The XDP program the kernel shows attached to the stack's interface once the run was over.
    public let program: AttachedProgram?
    public let pcap: String?
    /// The command stack's process, left running; nil for xdplab's built-in stack.
    public let commandPID: Int32?

    /// What `xdplab run --keep` prints after the verdict.
    public var instructions: [String] {
        var rows = namespaces.map { ("enter \($0.host):", "ip netns exec \($0.namespace) bash") }
        let stackNamespace = namespaces.first { $0.host == stackHost }?.namespace ?? stackHost
        if let program {
            rows.append(("XDP program:", "id \(program.id) '\(program.name)' on \(stackHost):\(interface) "
                         + "(bpftool prog show id \(program.id); ip netns exec \(stackNamespace) bpftool net show)"))
        } else {
            rows.append(("XDP program:", "none attached to \(stackHost):\(interface) any more"))
        }
        if let pcap { rows.append(("capture:", pcap)) }
        rows.append(("take it down:", "xdplab destroy \(run)   (or xdplab clean --all; xdplab list shows what is up)"))
        let width = rows.map(\.0.count).max() ?? 0
        var lines = ["kept: run \(run) of lab \(lab) stays up after the verdict"]
        lines += rows.map { "  " + $0.0.padding(toLength: width + 1, withPad: " ", startingAt: 0) + $0.1 }
        if let commandPID {
            lines.append("  the stack command (pid \(commandPID)) keeps running with its program and sockets; "
                         + "xdplab no longer watches it")
        } else {
            lines.append("  note: the built-in stack's AF_XDP sockets lived in this xdplab process and are closed now. "
                         + "Closing a socket empties its xsks_map slot, so matching traffic meets the program's fallback "
                         + "(XDP_PASS passes it to the kernel; flags 0 gives XDP_ABORTED)")
        }
        return lines
    }
}

extension RunSetup {
    /// Leaves the realized lab up instead of tearing it down: out of the interruption's reach, its record marked.
    static func keep(_ realized: RealizedLab, lab: Lab, pcap: String?, commandPID: Int32?, progress: Progress) -> KeptLab {
        Interruption.unregister(realized)
        do { try Ownership.markKept(run: realized.run) } catch {
            progress("could not mark run \(realized.run) as kept (\(error)): a later run may remove it as a leftover")
        }
        let program = try? AttachedPrograms.xdp(namespace: realized.namespace(of: lab.stack.host), interface: lab.stack.interface)
        progress("kept: \(realized.createdNamespaces.joined(separator: ", ")) stay up")
        return KeptLab(run: realized.run, lab: lab.name,
                       namespaces: lab.topology.hosts.map { ($0, realized.namespace(of: $0)) },
                       stackHost: lab.stack.host, interface: lab.stack.interface, program: program ?? nil, pcap: pcap,
                       commandPID: commandPID)
    }
}
