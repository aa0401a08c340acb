import Foundation
import LabModel
import Realization
import SystemSupport
import AFXDPStack
import Traffic
import Evidence
import Verification
import ProgramCheck
import KernelObservation
import XSKSockets

/// The stack under test as one lab run drives it: xdplab's built-in stack, or the team's own command.
/// Both give the same evidence to the same checks; only where socket arrivals come from differs.
enum DeployedStack {
    case builtIn(AFXDPStack, late: LateSteps?)
    case command(CommandStack)

    /// Brings the built-in stack up to the first `wait` step; the steps from there on run once traffic flows.
    static func startBuiltIn(_ lab: Lab, namespace: String, object: String, workDirectory: String,
                        progress: Progress) throws -> (AFXDPStack, [StartupStep]) {
        let stack = AFXDPStack(configuration: LabPlan.stackConfiguration(lab, namespace: namespace, object: object,
                                                                         workDirectory: workDirectory))
        let (before, during) = LabPlan.splitStartup(lab.stack.startup)
        do {
            for step in before {
                progress("stack: \(step.name)")
                try stack.perform(LabPlan.stackStep(step))
            }
        } catch {
            stack.shutdown()
            throw error
        }
        return (stack, during)
    }

    /// Starts the lab's command in the stack's namespace and waits until the kernel shows it ready; with
    /// `preflight: [check]`, the program it attached must then pass `xdplab check` before any traffic.
    static func startCommand(_ lab: Lab, _ command: StackCommand, realized: RealizedLab, object: String?,
                        runDirectory: String, progress: Progress) throws -> CommandStack {
        let namespace = realized.namespace(of: lab.stack.host)
        let values = LabPlan.placeholders(lab, namespace: namespace, object: object)
        let stack = CommandStack(configuration: CommandStackConfiguration(
            namespace: namespace, interface: lab.stack.interface, arguments: command.expanded(values),
            environment: values.environment.merging(["XDPLAB_RUN": realized.run]) { _, run in run },
            workingDirectory: command.workingDirectory, logPath: "\(runDirectory)/stack.log",
            socketQueues: lab.stack.socketQueues, readyTimeout: command.ready, workDirectory: "\(runDirectory)/objects"))
        progress("stack: \(command.expanded(values).joined(separator: " "))")
        do {
            let whenReady = command.trafficStarts == .whenReady
            let program = try stack.start(requireSockets: whenReady) { progress($0) }
            let queues = lab.stack.socketQueues.isEmpty ? "none required" : lab.stack.socketQueues.map(String.init).joined(separator: ", ")
            progress(whenReady ? "stack ready: \(program.name) (id \(program.id)) attached, sockets on queues \(queues)"
                               : "stack attached \(program.name) (id \(program.id)): traffic starts now, sockets expected on queues \(queues)")
            if lab.stack.preflight.contains(.check) { try checkAttached(lab, namespace: namespace, progress: progress) }
        } catch {
            stack.shutdown()
            throw error
        }
        return stack
    }

    /// `xdplab check --attached` on what the command attached, leaving its maps untouched.
    private static func checkAttached(_ lab: Lab, namespace: String, progress: Progress) throws {
        progress("pre-flight: xdplab check on the attached program, ports \(PortRanges.text(lab.stack.ports))")
        let summary: CheckSummary
        do {
            summary = try ProgramCheck.checkAttached(namespace: namespace, interface: lab.stack.interface,
                                                     ports: lab.stack.ports)
        } catch let failure as CheckFailure where failure.kind == .missingCapability {
            throw CapabilityError(capability: "what xdplab check needs", detail: failure.description)
        }
        progress("pre-flight: \(summary.text)")
        guard summary.passed else { throw PreflightRefusal(summary: summary.text) }
    }

    /// Waits for start-up steps still running during traffic; their error, and when the sockets were registered
    /// (seconds since `origin`) if that happened during traffic.
    func finishStartup(origin: Double) -> (error: String?, registeredAt: Double?) {
        switch self {
        case .builtIn(_, let late?): return late.finish()
        case .builtIn(_, nil): return (nil, nil)
        case .command(let stack):
            let missing = stack.queuesNeverBound
            let error = missing.isEmpty ? nil : "the stack never bound a socket on queue\(missing.count == 1 ? "" : "s") "
                + missing.map(String.init).joined(separator: ", ")
            return (error, stack.socketsBoundAt(origin: origin))
        }
    }

    /// Packet id → queue of the socket it reached.
    func socketArrivals(injected: [InjectedPacket], kernelIDs: [UInt64: Double], origin: Double) -> [UInt64: Int] {
        switch self {
        case .builtIn(let stack, _):
            return Dictionary(stack.receivedPackets().compactMap { frame in frame.id.map { ($0, frame.queue) } },
                              uniquingKeysWith: { first, _ in first })
        case .command(let stack):
            let events = stack.redirectEvents().map { (at: $0.at - origin, mapIndex: $0.mapIndex) }
            return RedirectMatching.arrivals(injected: injected, kernelIDs: kernelIDs, events: events)
        }
    }

    func evidence(origin: Double) -> KernelEvidence {
        switch self {
        case .builtIn(let stack, _): return stack.evidence()
        case .command(let stack):
            var evidence = stack.evidence()
            evidence.stackProcess = stack.processRecord(origin: origin)
            return evidence
        }
    }

    /// `keep` (`xdplab run --keep`) leaves the program attached and a command stack's process running.
    func shutdown(keep: Bool = false) {
        switch self {
        case .builtIn(let stack, _): stack.shutdown(leavingAttached: keep)
        case .command(let stack): stack.shutdown(leavingRunning: keep)
        }
    }
}
