import Foundation
import LabModel
import Realization
import SystemSupport
import BPFSupport
import Traffic
import Capture

/// What every kind of lab run sets up the same way: its evidence folder and the two ends of the stack's
/// link as the traffic layer sees them.
enum RunSetup {
    /// How every run starts: the machine is checked, leftovers of killed runs go, a fresh run id gets its
    /// evidence folder, and the lab's program (if it names one) is compiled into it.
    static func begin(_ lab: Lab, captures: String, progress: Progress)
        throws -> (run: String, directory: String, object: String?) {
        try Preflight.check(lab)
        for removal in Cleaner.removeLeftovers() {
            progress("removed leftover \(removal.namespace) of killed run \(removal.run)")
        }
        let run = Ownership.newRunID()
        let directory = try runDirectory(for: lab, run: run, captures: captures)
        progress("run \(run): evidence goes to \(directory)")
        guard let program = lab.stack.program else { return (run, directory, nil) }
        progress("compile \(program)")
        let object = try BPFCompiler.object(for: program, outputDirectory: "\(directory)/objects")
        return (run, directory, object)
    }

    /// `<captures>/<lab>/<local time>-<run>/`, created.
    static func runDirectory(for lab: Lab, run: String, captures: String) throws -> String {
        let stamp = ISO8601DateFormatter.string(from: Date(), timeZone: .current,
                                                formatOptions: [.withFullDate, .withTime, .withDashSeparatorInDate])
        let path = URL(fileURLWithPath: captures).appendingPathComponent(lab.name)
            .appendingPathComponent("\(stamp)-\(run)").standardizedFileURL.path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The lab's namespaces and links, registered so that SIGINT and SIGTERM tear them down too.
    static func realize(_ lab: Lab, run: String, progress: Progress) throws -> RealizedLab {
        Interruption.registerStarting(run: run)
        defer { Interruption.unregisterStarting(run: run) }
        let realized = try Realizer.realize(LabPlan.topology(lab), run: run) { progress($0) }
        Interruption.register(realized)
        return realized
    }

    /// Deletes the run's namespaces (which takes links, XDP and tc programs with them) and says so.
    static func tearDown(_ realized: RealizedLab, progress: Progress) {
        let problems = realized.teardown()
        Interruption.unregister(realized)
        progress(problems.isEmpty ? "torn down: \(realized.createdNamespaces.joined(separator: ", ")) removed"
                                  : "tear-down problems: \(problems.joined(separator: "; "))")
    }

    /// The capture of what reaches the kernel on the stack's interface, written into the run folder.
    static func startCapture(_ lab: Lab, in realized: RealizedLab, runDirectory: String,
                             progress: Progress) throws -> (capture: PacketCapture, file: String) {
        let file = "\(runDirectory)/\(lab.stack.host)-\(lab.stack.interface).pcap"
        let capture = try PacketCapture.start(namespace: realized.namespace(of: lab.stack.host),
                                              interface: lab.stack.interface, file: file)
        progress("capturing on \(lab.stack.host):\(lab.stack.interface) → \(file)")
        return (capture, file)
    }

    /// The peer sends, the stack's end receives; MACs are read from the realized links.
    static func endpoints(of lab: Lab, in realized: RealizedLab) throws -> TrafficEndpoints {
        func side(_ end: Endpoint) throws -> TrafficSide {
            TrafficSide(namespace: realized.namespace(of: end.host), interface: end.interface,
                        mac: try realized.mac(host: end.host, interface: end.interface),
                        ipv4: end.ipv4.bytes, ipv6: end.ipv6.bytes)
        }
        return TrafficEndpoints(sender: try side(lab.peerEndpoint), receiver: try side(lab.stackEndpoint),
                                queues: lab.queueCount)
    }
}
