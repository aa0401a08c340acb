import Evidence
import SystemSupport

/// How both kinds of stack read the kernel's side of the evidence; what cannot be read becomes a gap.
extension KernelEvidence {
    /// The tracepoint counts (with the successful redirects when they were recorded); without counters, `missing`
    /// says why, unless the evidence already has gaps that explain it.
    mutating func addTracepoints(_ tracepoints: TracepointCounters?, missing: String) {
        guard let tracepoints else {
            if gaps.isEmpty { gaps.append("tracepoints not attached: \(missing)") }
            return
        }
        do {
            (exceptions, redirectErrors) = try tracepoints.read()
            redirects = try tracepoints.redirects()
            tracepointsAttached = true
        } catch {
            gaps.append("tracepoint counters unreadable: \(error)")
        }
    }

    /// The driver's per-queue counters of `interface`; `counters` keeps the control socket between reads.
    mutating func addQueueCounters(_ counters: inout QueueCounters?, namespace: String, interface: String) {
        do {
            if counters == nil {
                counters = try NetworkNamespace.run(namespace) { try QueueCounters(interface: interface) }
            }
            queueCounters = try counters!.read()
        } catch {
            gaps.append("per-queue counters unavailable: \(error)")
        }
    }
}
