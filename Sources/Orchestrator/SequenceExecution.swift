import Foundation
import LabModel
import SystemSupport
import BPFSupport
import AFXDPStack
import Traffic
import Capture
import Verification
import Reports
import Evidence
import MapRing
import Sequencing
import Realization

/// One run of a sequence lab (`traffic.sequence`): the lab's topology and stack as usual, then numbered
/// packets at a fixed pace to one receiver while faults are played against it, and `in-order` / `no-loss`
/// judged from what the receiver got. Everything is released in `execute()`'s defer, whatever happens;
/// SIGINT/SIGTERM are covered by `Interruption`, which deletes the run's namespaces.
final class SequenceExecution {
    let lab: Lab
    let sequence: SequenceSpec
    let options: RunOptions
    let progress: Progress
    let started = Date()
    /// The run's evidence folder, once it exists.
    private(set) var runDirectory: String?
    /// What `RunOptions.keep` left up.
    private(set) var kept: KeptLab?

    /// What the run holds, released in reverse order of need by `release()`.
    private final class Parts {
        var stack: AFXDPStack?
        var steering: QueueSteering?
        var capture: PacketCapture?
        var receiver: SequenceReceiver?
        var ringObject: BPFObject?
        var ringAttachment: StandaloneXDPAttachment?
        var watch: RingWatch?
        var sender: SequenceSender?
        var faults: FaultSchedule?

        /// `keep` leaves the programs attached (`xdplab run --keep`).
        func release(keep: Bool) {
            _ = faults?.finish()
            receiver?.stop()
            watch?.stop()
            sender?.close()
            stack?.shutdown(leavingAttached: keep)
            if keep { ringAttachment?.leaveAttached() } else { ringAttachment?.detach() }
            steering?.remove()
            _ = capture?.stop()
        }
    }

    init(lab: Lab, sequence: SequenceSpec, options: RunOptions, progress: Progress) {
        self.lab = lab
        self.sequence = sequence
        self.options = options
        self.progress = progress
    }

    func execute() throws -> LabReport {
        let (run, runDirectory, compiled) = try RunSetup.begin(lab, captures: options.capturesDirectory, progress: progress)
        guard let object = compiled else { preconditionFailure("lab '\(lab.name)': a sequence lab always names a program") }
        self.runDirectory = runDirectory
        options.journal?.evidenceFolder(runDirectory)
        let objects = "\(runDirectory)/objects"
        let realized = try RunSetup.realize(lab, run: run, progress: progress)
        let parts = Parts()
        var pcapFile: String?
        defer {
            parts.release(keep: options.keep)
            kept = RunEnding.release(realized, lab: lab, keep: options.keep, pcap: pcapFile, commandPID: nil,
                                     progress: progress)
        }
        let ending = RunEnding(lab: lab, started: started, runDirectory: runDirectory, progress: progress)

        let endpoints = try RunSetup.endpoints(of: lab, in: realized)
        let stackNamespace = realized.namespace(of: lab.stack.host)
        let (capture, pcap) = try RunSetup.startCapture(lab, in: realized, runDirectory: runDirectory, progress: progress)
        (parts.capture, pcapFile) = (capture, pcap)
        parts.steering = try QueueSteering.install(namespace: endpoints.sender.namespace,
                                                   interface: endpoints.sender.interface, workDirectory: objects,
                                                   mapping: LabPlan.steering(lab))

        let receiver = try deployReceiver(object: object, namespace: stackNamespace, endpoints: endpoints,
                                          workDirectory: objects, parts: parts)
        parts.receiver = receiver
        let played = try play(to: receiver, endpoints: endpoints, namespace: stackNamespace, parts: parts)
        return try judge(played, receiver: receiver, parts: parts, pcapFile: pcap, ending: ending)
    }

    /// What the sender and the faults did.
    private struct Played {
        let sent: SequenceSender.Outcome
        let faulted: FaultSchedule.Outcome
        /// CLOCK_MONOTONIC when packet 0 was due.
        let origin: UInt64
        let flow: String
    }

    /// Sends the run while the faults are played, then waits until the receiver has taken what reached it.
    private func play(to receiver: SequenceReceiver, endpoints: TrafficEndpoints, namespace: String,
                      parts: Parts) throws -> Played {
        SharedMachine.enter(.exclusive, progress: progress)
        defer { SharedMachine.enter(.busy, progress: progress) }
        let sender = try SequenceSender(endpoints: endpoints, port: sequence.port, queue: sequence.queue)
        parts.sender = sender
        // The first packet is due a moment from now, so the fault thread is waiting before it.
        let origin = MonotonicClock.now() + 50_000_000
        let mode = LabPlan.attachMode(lab.stack.attachMode)
        let interface = lab.stack.interface
        let faults = FaultSchedule(faults: sequence.faults, start: origin, receiver: receiver, progress: progress) {
            try XDPBounce.bounce(namespace: namespace, interface: interface, mode: mode, detachedFor: $0)
        }
        parts.faults = faults
        progress("send: \(SequencePlan.describe(sequence)) as \(sender.flow) to the \(sequence.receiver.rawValue) receiver"
                 + (sequence.faults.isEmpty ? "" : "; faults: " + sequence.faults.map(\.name).joined(separator: ", ")))
        let sent = try sender.run(SequencePlan.schedule(sequence), start: origin)
        progress(sent.pacing.map(\.description) ?? "sent \(sent.sent) packets")
        let faulted = faults.finish()
        let lastStall = SequencePlan.lastStallEnd(sequence.faults, origin: origin, sendEnd: sent.sendTimes.last ?? origin)
        if lastStall > MonotonicClock.now() { MonotonicClock.wait(until: lastStall, spinBelow: 0) }
        receiver.settle(timeout: 300_000_000)
        receiver.stop()
        return Played(sent: sent, faulted: faulted, origin: origin, flow: sender.flow)
    }

    /// Judges what the receiver got, writes the ring watch's files and `report.json`.
    private func judge(_ played: Played, receiver: SequenceReceiver, parts: Parts, pcapFile: String,
                       ending: RunEnding) throws -> LabReport {
        let (sent, faulted) = (played.sent, played.faulted)
        let arrivals = receiver.arrivals()
        let expected = 0..<UInt64(sent.sent)
        let stalls = receiver.stallWindows()
        let report = SequenceChecker.check(arrivals, expected: expected)
        let attribution = LossAttribution(arrivals: arrivals, expected: expected, sendTimes: sent.sendTimes,
                                          faults: stalls + faulted.detached + (faulted.unregistered.map { [$0] } ?? []))
        let ringFiles = try parts.watch.map { try writeRingWatch($0, besideCapture: pcapFile) }
        let stackEvidence = parts.stack?.evidence()
        let captured = parts.capture!.stop()
        parts.capture = nil
        let reachedKernel = captured.tagged.keys.reduce(0) { $0 + (expected.contains($1) ? 1 : 0) }

        let observations = SequenceObservations(
            receiver: sequence.receiver, report: report, sent: sent.sent, lossBound: sequence.maxLoss,
            attribution: attribution, faults: SequencePlan.records(stalls: stalls, faulted: faulted, origin: played.origin),
            reachedKernel: reachedKernel, evidence: receiver.evidence(), senderRetries: sent.retries)
        let results = SequenceVerifier.evaluate(LabPlan.checkRequests(lab), observations: observations)
        var diagnosis = SequenceVerifier.diagnosis(of: results, observations: observations)
        diagnosis += faulted.skipped.map { "Fault \($0) did not happen: the last packet was sent before its time." }
        diagnosis += faulted.errors.map { "Fault injection failed: \($0)." }
        // Evidence that stopped short must be said, or a dead reader or tap would pass for packet loss.
        var gaps = EvidenceGaps()
        if let failure = receiver.failure { gaps.record("the receiver failed during the run (\(failure)): packets after that count as lost") }
        if let failure = parts.watch?.error { gaps.record("the ring watch stopped early (\(failure)): its samples end there") }
        if let failure = captured.failure { gaps.record("the capture stopped early (\(failure)): packets after that were not seen reaching the kernel") }
        if captured.droppedByCapture > 0 {
            gaps.record("the capture lost \(captured.droppedByCapture) frames, so the count of packets that "
                        + "reached the kernel is a lower bound")
        }
        diagnosis += gaps.sentences
        let summary = SequenceSummary(observations: observations, flow: played.flow, pacing: sent.pacing,
                                      ringSamples: ringFiles?.csv, ringPicture: ringFiles?.svg, ringSlots: ringFiles?.slots)
        progress("received \(report.received) of \(sent.sent): \(report.lost) lost, \(report.outOfOrder) out of order")
        let xsk = sequence.receiver == .afXDP ? report.distinct : 0
        return ending.finish(LabReport.make(
            lab: lab.name, file: lab.path, results: results, faultErrors: faulted.errors,
            packets: PacketCounts(injected: sent.sent, kernel: reachedKernel, xsk: xsk, lost: report.lost),
            diagnosis: diagnosis, evidence: stackEvidence, sequence: summary, durationSeconds: ending.durationSeconds,
            captureDirectory: ending.runDirectory, startedAt: ending.startedAt))
    }

    /// Stops the watch and writes its samples (CSV), the picture (SVG) and every slot's state at each sample
    /// (CSV) beside the capture.
    private func writeRingWatch(_ watch: RingWatch, besideCapture pcapFile: String) throws
        -> (csv: String, svg: String, slots: String) {
        watch.stop()
        let paths = try watch.write(besideCapture: pcapFile, title: "\(lab.name): \(sequence.receiver.rawValue) ring")
        let slots = String(paths.csv.dropLast(".ring.csv".count)) + ".ring-slots.csv"
        try RingSlotSnapshot.csv(watch.collectedSlotStates).write(toFile: slots, atomically: true, encoding: .utf8)
        return (paths.csv, paths.svg, slots)
    }

    // MARK: receivers

    private func deployReceiver(object: String, namespace: String, endpoints: TrafficEndpoints, workDirectory: String,
                                parts: Parts) throws -> SequenceReceiver {
        let delayed = sequence.faults.contains(where: \.isRegistrationDelay)
        switch sequence.receiver {
        case .afXDP:
            let gate = ConsumerGate()
            let stack = try deployStack(object: object, namespace: namespace, workDirectory: workDirectory, gate: gate,
                                        holdingBackRegister: delayed, parts: parts)
            return AFXDPSequenceReceiver(stack: stack, queue: sequence.queue, gate: gate)
        case .udpSocket:
            _ = try deployStack(object: object, namespace: namespace, workDirectory: workDirectory, gate: nil,
                                holdingBackRegister: false, parts: parts)
            let receiver = UDPSocketSequenceReceiver(socket: UDPSequenceReceiver(side: endpoints.receiver, port: sequence.port))
            if !delayed { try receiver.register() }
            progress("receiver: kernel UDP socket on \(lab.stack.host) port \(sequence.port)"
                     + (delayed ? ", bound late" : ""))
            return receiver
        case .mapRing:
            let ringObject = try MapRingObject.load(path: object, port: sequence.port)
            parts.ringObject = ringObject
            guard let program = ringObject.xdpProgram, ringObject.map(named: MapRingLayout.ringMapName) != nil,
                  ringObject.map(named: MapRingLayout.controlMapName) != nil else {
                throw StackError("receiver map-ring: \(ringObject.fileName) is not a map-ring program (it needs an XDP "
                                 + "program and the maps \(MapRingLayout.ringMapName) and \(MapRingLayout.controlMapName) "
                                 + "of Labs/programs/include/map_ring.h)")
            }
            // Its own errors (mmap refused, a wrong layout) say more than "not a map-ring program".
            let poller = try MapRingPoller(object: ringObject)
            parts.ringAttachment = try StandaloneXDPAttachment(program, namespace: namespace, interface: lab.stack.interface,
                                                               mode: LabPlan.attachMode(lab.stack.attachMode))
            let receiver = MapRingSequenceReceiver(poller: poller)
            if let interval = sequence.ringWatch {
                let watch = RingWatch(poller: poller, intervalNanoseconds: interval)
                parts.watch = watch
                watch.start()
            }
            if !delayed { try receiver.register() }
            progress("receiver: map ring of \(poller.ringSize) slots, \(program.name) attached to "
                     + "\(lab.stack.host):\(lab.stack.interface), port \(sequence.port)"
                     + (sequence.ringWatch.map { ", watched every \(DurationText.nanoseconds($0))" } ?? ""))
            return receiver
        }
    }

    /// The lab's stack, brought up in its start-up order before the first packet; `register` is held back
    /// for a delayed registration (the fault schedule does it).
    private func deployStack(object: String, namespace: String, workDirectory: String, gate: ConsumerGate?,
                             holdingBackRegister: Bool, parts: Parts) throws -> AFXDPStack {
        var configuration = LabPlan.stackConfiguration(lab, namespace: namespace, object: object,
                                                       workDirectory: workDirectory)
        configuration.consumerGate = gate
        let stack = AFXDPStack(configuration: configuration)
        parts.stack = stack
        for step in lab.stack.startup where !(holdingBackRegister && step == .register) {
            progress("stack: \(step.name)")
            try stack.perform(LabPlan.stackStep(step))
        }
        return stack
    }
}
