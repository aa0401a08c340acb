import Foundation
import LabModel
import Realization
import SystemSupport
import BPFSupport
import AFXDPStack
import Traffic
import Capture
import Verification
import Reports
import Evidence
import ProgramCheck

/// One run of one lab. Everything it creates is released in `execute()`'s defer, whatever happens;
/// SIGINT/SIGTERM are covered by `Interruption`, which deletes the run's namespaces.
final class LabExecution {
    let lab: Lab
    let options: RunOptions
    let progress: Progress
    let started = Date()
    /// The run's evidence folder, once it exists: a lab that fails to run still points at what it left there.
    private(set) var runDirectory: String?
    /// What `RunOptions.keep` left up.
    private(set) var kept: KeptLab?

    init(lab: Lab, options: RunOptions, progress: Progress) {
        self.lab = lab
        self.options = options
        self.progress = progress
    }

    /// What the run holds, released in reverse order of need by `release(keep:)`.
    private final class Parts {
        var stack: DeployedStack?
        var steering: QueueSteering?
        var capture: PacketCapture?
        var pcapFile: String?
        var sessions: SSHSessions?
        var churn: NeighbourChurn?
        var drill: RecoveryDrill?
        var verdicts: VerdictRecording?

        /// `keep` leaves the programs attached (`xdplab run --keep`).
        func release(keep: Bool) {
            _ = verdicts?.finish(nil)
            drill?.abort()
            churn?.stop()
            sessions?.stop()
            stack?.shutdown(keep: keep)
            steering?.remove()
            _ = capture?.stop()
        }

        /// The command stack's process, which `--keep` leaves running.
        var commandPID: Int32? {
            guard case .command(let command)? = stack else { return nil }
            return command.processRecord(origin: 0)?.pid
        }
    }

    /// What the traffic phase leaves for the judge.
    private struct Ran {
        let injected: [InjectedPacket]
        let sessions: [SessionRecord]
        let lateError: String?
        let registeredAt: Double?
        let recovery: RecoveryRecord?
        let origin: Double
    }

    func execute() throws -> LabReport {
        let (run, runDirectory, object) = try RunSetup.begin(lab, captures: options.capturesDirectory, progress: progress)
        self.runDirectory = runDirectory
        options.journal?.evidenceFolder(runDirectory)
        if lab.stack.command == nil, lab.stack.preflight.contains(.check) { try preflightCheck(builtInObject(object)) }

        let realized = try RunSetup.realize(lab, run: run, progress: progress)
        let parts = Parts()
        defer {
            parts.release(keep: options.keep)
            kept = RunEnding.release(realized, lab: lab, keep: options.keep, pcap: parts.pcapFile,
                                     commandPID: options.keep ? parts.commandPID : nil, progress: progress)
        }
        let ending = RunEnding(lab: lab, started: started, runDirectory: runDirectory, progress: progress)
        let endpoints = try RunSetup.endpoints(of: lab, in: realized)
        let lateSteps = try deploy(object: object, realized: realized, endpoints: endpoints, parts: parts,
                                   runDirectory: runDirectory)
        let ran = try playTraffic(endpoints: endpoints, realized: realized, lateSteps: lateSteps, parts: parts)
        let observations = try observe(ran, parts: parts, endpoints: endpoints,
                                       stackNamespace: realized.namespace(of: lab.stack.host), runDirectory: runDirectory)
        return judge(observations, ran: ran, object: object, ending: ending)
    }

    /// The capture, queue steering, the stack (up to its first `wait`) and the recovery drill; the start-up steps
    /// left for while traffic flows.
    private func deploy(object: String?, realized: RealizedLab, endpoints: TrafficEndpoints, parts: Parts,
                        runDirectory: String) throws -> [StartupStep] {
        (parts.capture, parts.pcapFile) = try RunSetup.startCapture(lab, in: realized, runDirectory: runDirectory,
                                                                    progress: progress)
        parts.steering = try QueueSteering.install(namespace: endpoints.sender.namespace,
                                                   interface: endpoints.sender.interface,
                                                   workDirectory: "\(runDirectory)/objects",
                                                   mapping: LabPlan.steering(lab))
        progress("queue steering on \(lab.peerEndpoint.host):\(lab.peerEndpoint.interface) (tc egress, SO_MARK → RX queue)")

        // From a command stack's start on, its own clock runs (start-up steps that race the traffic, timers from
        // its ready line), so the recorder is compiled before it starts, not between its ready line and traffic.
        if lab.stack.command != nil || lab.pacedTrafficIsTimingSensitive {
            VerdictRecording.prepare(workDirectory: "\(runDirectory)/objects")
        }
        if lab.pacedTrafficIsTimingSensitive { SharedMachine.enter(.exclusive, progress: progress) }
        var lateSteps: [StartupStep] = []
        let stack: DeployedStack
        if let command = lab.stack.command {
            stack = .command(try DeployedStack.startCommand(lab, command, realized: realized, object: object,
                                                            runDirectory: runDirectory, progress: progress))
        } else {
            let (builtIn, during) = try DeployedStack.startBuiltIn(lab, namespace: realized.namespace(of: lab.stack.host),
                                                                   object: builtInObject(object),
                                                                   workDirectory: "\(runDirectory)/objects",
                                                                   progress: progress)
            stack = .builtIn(builtIn, late: nil)
            lateSteps = during
        }
        parts.stack = stack
        if let recovery = lab.recovery {
            parts.drill = try RecoveryDrill(recovery, lab: lab, realized: realized, object: object, stack: stack,
                                            runDirectory: runDirectory, progress: progress)
        }
        return lateSteps
    }

    /// Starts the clock, the late start-up steps, the drill, neighbour churn and SSH sessions, sends the tagged
    /// frames, and waits for everything that ran beside them.
    private func playTraffic(endpoints: TrafficEndpoints, realized: RealizedLab, lateSteps: [StartupStep],
                             parts: Parts) throws -> Ran {
        // Before the clock starts: compiling the recorder takes seconds in an emulated guest.
        parts.verdicts = VerdictRecording.start(parts.stack!, workDirectory: "\(runDirectory ?? ".")/objects",
                                                progress: progress)
        SharedMachine.enter(lab.pacedTrafficIsTimingSensitive ? .exclusive : .quiet, progress: progress)
        // One origin for every traffic time (sentAt, session stalls, a late registration, a command's exit, a break).
        let trafficOrigin = TrafficClock.now()
        switch parts.stack! {
        case .command(let commandStack): commandStack.watch(origin: trafficOrigin)
        case .builtIn(let builtIn, _):
            parts.stack = .builtIn(builtIn, late: LateSteps(steps: lateSteps, stack: builtIn, origin: trafficOrigin,
                                                           progress: progress))
        }
        parts.drill?.arm(origin: trafficOrigin)

        parts.churn = NeighbourChurn(targets: [lab.stackEndpoint, lab.peerEndpoint].map {
            NeighbourChurn.Target(namespace: realized.namespace(of: $0.host), interface: $0.interface)
        }, period: lab.topology.neighbour.reachableTime)
        progress("neighbours: entries on the stack link flushed every \(LabDuration.format(lab.topology.neighbour.reachableTime)), so ARP/ND re-resolves during the run")

        // Traffic: SSH-like sessions for the whole duration, tagged frames spread over it.
        if let ssh = lab.traffic.ssh {
            parts.sessions = try SSHSessions.start(endpoints: endpoints, port: ssh.port, interval: ssh.interval,
                                                   maxStall: ssh.maxStall, duration: lab.traffic.duration,
                                                   startedAt: trafficOrigin)
            progress("ssh: \(lab.queueCount) session(s) to port \(ssh.port), one per RX queue, every \(LabDuration.format(ssh.interval))")
        }
        let injected = try inject(endpoints: endpoints, origin: trafficOrigin)
        let sessionRecords = parts.sessions?.finish() ?? []
        parts.sessions = nil
        parts.churn?.stop()
        let (lateError, registeredAt) = parts.stack!.finishStartup(origin: trafficOrigin)
        let recovery = parts.drill?.finish()
        Thread.sleep(forTimeInterval: 0.3)   // frames still in flight reach the sockets and the capture
        SharedMachine.enter(.busy, progress: progress)
        return Ran(injected: injected, sessions: sessionRecords, lateError: lateError, registeredAt: registeredAt,
                   recovery: recovery, origin: trafficOrigin)
    }

    /// Where every frame went, the checks and the diagnosis; the report and the recovery picture, written.
    private func judge(_ observations: Observations, ran: Ran, object: String?, ending: RunEnding) -> LabReport {
        let results = Verifier.evaluate(LabPlan.checkRequests(lab), observations: observations)
        var diagnosis = Verifier.diagnosis(of: results, observations: observations)
        // When something broke, what the program's instructions say joins what the kernel said.
        if let object, results.contains(where: { $0.judged && !$0.held }) {
            diagnosis += ProgramNotes.notes(objectPath: object, ports: lab.stack.ports, queues: lab.queueCount)
        }
        let report = LabReport.make(lab: lab.name, file: lab.path, results: results, observations: observations,
                                    diagnosis: diagnosis, durationSeconds: ending.durationSeconds,
                                    captureDirectory: ending.runDirectory, startedAt: ending.startedAt)
        if let summary = report.recovery {
            try? RecoveryPlot.svg(summary, sessions: ran.sessions, maxStall: lab.traffic.ssh?.maxStall ?? 1, title: lab.name)
                .write(toFile: "\(ending.runDirectory)/recovery.svg", atomically: true, encoding: .utf8)
        }
        return ending.finish(report)
    }

    /// Stops the capture, runs the load phase (the pcap covers the paced part only), stops the stack and gathers
    /// what they saw, with the evidence's gaps.
    private func observe(_ ran: Ran, parts: Parts, endpoints: TrafficEndpoints, stackNamespace: String,
                         runDirectory: String) throws -> Observations {
        let captured = parts.capture!.stop()
        parts.capture = nil
        let stack = parts.stack!
        let arrivals = stack.socketArrivals(injected: ran.injected, kernelIDs: captured.tagged, origin: ran.origin)
        // The paced traffic's verdicts, taken before a load phase (whose frames are not recorded).
        let verdicts = parts.verdicts?.finish(stack, replacedByDrill: ran.recovery?.breakAction.contains("in place of") == true)
        var load: (record: LoadRecord, before: KernelEvidence)?
        if let spec = lab.traffic.load, case .builtIn(let builtIn, _) = stack {
            load = try LoadPhase.run(spec, lab: lab, endpoints: endpoints, stack: builtIn, stackNamespace: stackNamespace,
                                     workDirectory: "\(runDirectory)/objects", progress: progress)
        }
        stack.shutdown(keep: options.keep)
        var evidence = stack.evidence(origin: ran.origin)
        // The paced checks are judged on the counters as they stood before the load phase.
        if let load { evidence = evidence.counters(from: load.before) }

        var observations = Observations(
            injected: ran.injected, kernelIDs: captured.tagged, xskArrivals: arrivals,
            socketQueues: Set(lab.stack.socketQueues), queueCount: lab.queueCount,
            sessions: ran.sessions, sshMaxStall: lab.traffic.ssh?.maxStall ?? 0, sshEnabled: lab.traffic.ssh != nil,
            evidence: evidence, neighbourFrames: captured.arpFrames + captured.neighbourDiscoveryFrames,
            captureDrops: captured.droppedByCapture, socketsRegisteredAt: ran.registeredAt)
        observations.recovery = ran.recovery
        observations.load = load?.record
        observations.evidence.verdicts = verdicts
        if ran.recovery?.breakAction.contains("in place of") == true {
            // The drill replaced the stack's program on purpose; the stack leaving it alone is no gap in the evidence.
            observations.evidence.gaps.removeAll { $0.hasPrefix("detach: left") }
        }
        var gaps = EvidenceGaps()
        if let failure = captured.failure {
            gaps.record("the capture stopped early (\(failure)): later packets could not be seen reaching the kernel")
        }
        if let lateError = ran.lateError { gaps.record("start-up did not complete during traffic: \(lateError)") }
        observations.evidence.gaps += gaps.phrases
        return observations
    }

    /// The tagged frames of every class, spread over the lab's duration, with progress by tenths.
    private func inject(endpoints: TrafficEndpoints, origin: Double) throws -> [InjectedPacket] {
        let frames = TrafficPlanner.plan(endpoints: endpoints, classes: lab.traffic.classes,
                                         rounds: lab.traffic.rounds, ports: lab.stack.ports, firstID: 1)
        progress("inject: \(frames.count) tagged frames over \(LabDuration.format(lab.traffic.duration)) from \(lab.traffic.from)")
        let injector = try Injector(endpoints: endpoints)
        defer { injector.close() }
        var lastShown = -1
        return try injector.send(frames, over: lab.traffic.duration, startedAt: origin) { sent, total in
            let decile = sent * 10 / max(total, 1)
            if decile != lastShown { lastShown = decile; self.progress("inject: \(sent)/\(total)") }
        }
    }

    /// The built-in stack always has a program: the lab model requires one unless the stack is a command.
    private func builtInObject(_ object: String?) -> String {
        guard let object else { preconditionFailure("lab '\(lab.name)': the built-in stack needs a program") }
        return object
    }

    /// `xdplab check` before anything is deployed: a program that can drop what it must pass is refused.
    private func preflightCheck(_ object: String) throws {
        progress("pre-flight: xdplab check on \(lab.queueCount) queues, ports \(lab.stack.ports.map(String.init).joined(separator: ","))")
        let summary: CheckSummary
        do {
            summary = try ProgramCheck.run(objectPath: object, ports: lab.stack.ports, queues: lab.queueCount)
        } catch let failure as CheckFailure where failure.kind == .missingCapability {
            throw CapabilityError(capability: "what xdplab check needs", detail: failure.description)
        }
        progress("pre-flight: \(summary.text)")
        guard summary.passed else { throw PreflightRefusal(summary: summary.text) }
    }
}

/// Start-up steps that run while traffic flows (everything from the first `wait` on).
final class LateSteps: @unchecked Sendable {
    // @unchecked: `error` and `registeredAt` are written by the steps' thread before it signals `done` and read only
    // after `wait()`.
    private let done = DispatchSemaphore(value: 0)
    private var error: String?
    /// When `register` completed, in seconds since the traffic origin.
    private var registeredAt: Double?

    init(steps: [StartupStep], stack: AFXDPStack, origin: Double, progress: Progress) {
        guard !steps.isEmpty else { done.signal(); return }
        Thread.detachNewThread { [self] in
            for step in steps {
                progress("stack (during traffic): \(step.name)")
                do { try stack.perform(LabPlan.stackStep(step)) } catch {
                    self.error = "\(step.name): \(error)"
                    break
                }
                if step == .register { registeredAt = TrafficClock.now() - origin }
            }
            done.signal()
        }
    }

    /// Waits for the steps; returns the error that stopped them, if any, and the registration time.
    func finish() -> (error: String?, registeredAt: Double?) {
        done.wait()
        return (error, registeredAt)
    }
}

/// The pre-flight check found a packet the program would drop or claim wrongly; nothing was deployed.
struct PreflightRefusal: Error, CustomStringConvertible {
    let summary: String
    var description: String { "refused to deploy: the pre-flight check failed: \(summary)" }
}
