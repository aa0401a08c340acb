import LabModel
import AFXDPStack
import Traffic
import Evidence
import Sequencing
import SystemSupport
import Foundation

/// The load phase (`traffic.load`): after the paced classes, every class as fast as the machine allows (or at the
/// lab's rate), steered across the queues, while the stack runs. No capture can follow such a rate, so the kernel's
/// share is counted by a tc ingress tally after XDP and the sockets' share by the stack's drain loops, both per
/// load template; the kernel's counters over the same span say where the rest was dropped.
enum LoadPhase {
    /// How long in-flight frames get to land once the sender stops, at most; counting ends once nothing changes.
    static let settleLimit = 1.0

    /// What the phase sent and where it went, and the stack's evidence just before it (what the paced part is
    /// judged on, so the load's drops stay out of the paced checks).
    static func run(_ spec: LoadSpec, lab: Lab, endpoints: TrafficEndpoints, stack: AFXDPStack, stackNamespace: String,
                    workDirectory: String, progress: Progress) throws -> (LoadRecord, before: KernelEvidence) {
        let sender = try LoadSender(endpoints: endpoints, classes: lab.traffic.classes, ports: lab.stack.ports)
        defer { sender.close() }
        let tally = try IngressTally.install(namespace: stackNamespace, interface: lab.stackEndpoint.interface,
                                             tagOffsets: sender.tagOffsets, workDirectory: workDirectory)
        defer { tally.remove() }
        let count = sender.templates.count
        progress("load: \(count) templates (every class on every queue) for \(LabDuration.format(spec.duration)) at rate "
                 + "\(spec.rateText); tc ingress tally on \(lab.stack.host):\(lab.stackEndpoint.interface)")
        SharedMachine.enter(.exclusive, progress: progress)
        defer { SharedMachine.enter(.busy, progress: progress) }
        let before = stack.evidence()
        let (seconds, sent) = try sender.run(seconds: spec.duration, rate: spec.rate)
        let (socket, kernel) = try settle(stack: stack, tally: tally, templates: count)
        let after = stack.evidence()
        var templates = sent
        for index in templates.indices {
            templates[index].socket = socket[index]
            templates[index].kernel = kernel[index]
        }
        let record = LoadRecord(seconds: seconds, requestedRate: spec.rateText, templates: templates,
                                losses: LoadLosses.between(before, after, queueCount: lab.queueCount))
        progress("load: \(record.offered) packets in \(DurationText.seconds(seconds, digits: 2, fixed: true, unit: " s")), "
                 + "\(Int(record.achievedRate.rounded())) packets/s")
        return (record, before)
    }

    /// Reads both tallies until two readings 50 ms apart agree, or `settleLimit` passes.
    private static func settle(stack: AFXDPStack, tally: IngressTally, templates: Int) throws -> ([Int], [Int]) {
        let deadline = MonotonicClock.now() + UInt64(settleLimit * 1e9)
        var last = (stack.loadArrivals(templates: templates), try tally.counts(templates: templates))
        while MonotonicClock.now() < deadline {
            MonotonicClock.wait(until: MonotonicClock.now() + 50_000_000)
            let next = (stack.loadArrivals(templates: templates), try tally.counts(templates: templates))
            if next == last { break }
            last = next
        }
        return last
    }
}
