import Foundation
import KernelObservation
import SystemSupport
import BPFSupport
import LabModel

/// `xdplab check --attached` / `--prog-id`: a live program, checked as it runs.
extension ProgramCheck {
    /// The program attached to `interface` in `namespace` now, loaded by whatever process, checked in the
    /// live state of its XSKMAP (never written): see `check(attached:options:)`. For the lab runner of a
    /// stack it did not build.
    public static func checkAttached(namespace: String, interface: String, ports: [UInt16]) throws -> CheckSummary {
        let report = try check(attached: .interface(interface, namespace: namespace), options: CheckOptions(ports: ports))
        return CheckSummary(passed: report.passed, text: report.shortText, report: report)
    }

    /// A live program, loaded and attached by another process, found by the kernel. Its maps belong to a
    /// running stack and are never written (a socket of ours in its XSKMAP would steal the stack's traffic,
    /// and an XSKMAP cannot be read back to restore it), so each queue runs in the state the map is in now:
    /// a queue of the interface with an AF_XDP socket bound to it is the registered state, one without is
    /// the empty state. The test runs name the interface (`ingress_ifindex`) and the queue
    /// (`rx_queue_index`) from a thread inside its namespace, where the kernel looks the ifindex up. When
    /// every queue holds a socket, the empty state also runs on a queue index beyond the interface's, on a
    /// scratch veth of the check's own with more queues (and the interface's ifindex, where it can have it).
    /// By id without an interface, every queue of a scratch veth runs the empty state. `options.queues`
    /// only counts then; `options.isolation` places the scratch veth.
    public static func check(attached target: AttachedTarget, options: CheckOptions) throws -> CheckReport {
        let started = now()
        var timing = CheckTiming()
        let ports = try validatedPorts(options)
        guard (target.namespace == nil) == (target.interface == nil) else {
            throw CheckFailure(.badInput, "give both a namespace and an interface, or neither")
        }
        guard target.programID != nil || target.interface != nil else {
            throw CheckFailure(.badInput, "name the program: an interface it is attached to, or its id")
        }

        var mark = now()
        let program = try LiveProgram(target)
        let lint = RedirectLint.calls(in: program.instructions, mapNames: program.mapNames, translatedXSKMaps: program.xskMapIDs)
        timing.compileAndLoad = now() - mark
        var notes = program.notes
        if let claimed = program.claimedPorts, claimed != Set(ports) {
            notes.append("its validator_ports map claims " + (claimed.isEmpty ? "no port" : "ports \(PortRanges.text(claimed.sorted(), separator: ", "))")
                         + ", not the ports the frames are judged by (\(PortRanges.text(ports, separator: ", "))); the map was read, not written")
        }

        mark = now()
        let live = program.live
        let registered = live?.registeredQueues ?? []
        let plan = emptyStatePlan(program, options: options)
        let (empty, environment, beyond) = (plan.empty, plan.environment, plan.beyond)
        notes += plan.notes
        defer { environment?.teardown() }
        if let live, live.sockets.isEmpty {
            notes.append("no AF_XDP socket is bound to \(live.interface): every queue is in the empty state, "
                         + "so the registered state had nothing to run")
        }
        timing.environment = now() - mark

        mark = now()
        let (cases, batch) = try makeBatch(ports: ports, options: options)
        timing.corpus = now() - mark

        mark = now()
        let matrices = try runMatrices(batch, program: program, registered: registered, plan: plan,
                                       threads: options.threads)
        timing.testRuns = now() - mark

        mark = now()
        let judged = Judge.judge(matrices, expectations: batch.expectations,
                                 classes: batch.segments.map { ($0.caseClass, $0.range) })
        let violations = CheckViolation.grouped(judged.violations, batch: batch)
        timing.judging = now() - mark

        environment?.teardown()
        if let environment, beyond != nil || live == nil { notes += environment.notes }
        timing.total = now() - started
        let attached = AttachedCheck(
            program: program.program,
            xskMap: program.xskMap.map { .init(id: $0.id, name: $0.name, slots: $0.maxEntries) },
            namespace: live?.namespace, interface: live?.interface, ifindex: live?.ifindex, interfaceQueues: live?.queues,
            registeredQueues: registered, emptyQueues: live == nil ? [] : empty, beyond: beyond, sockets: live?.sockets ?? [])
        let queuesRun = matrices.reduce(0) { $0 + $1.queueCount }
        return CheckReport(program: "\(program.program.name) (prog id \(program.program.id))", objectPath: "", ports: ports,
                           queuesRequested: live?.queues ?? options.queues, queuesRun: queuesRun,
                           states: Array(Set(matrices.flatMap(\.states))).sorted(), notes: notes,
                           corpusCases: cases.count, notRun: cases.filter { !$0.isRunnable }.map(\.name),
                           frames: batch.count, spreadFrames: batch.count - batch.everyQueueCount,
                           runs: matrices.reduce(0) { $0 + $1.runs }, tallies: judged.tallies, violations: violations,
                           lint: lint, timing: timing, attached: attached)
    }

    /// Where the empty state runs: on the interface's queues without a socket; when every queue holds one, on a
    /// queue beyond the interface's, on a scratch veth; by id alone, on every queue of a scratch veth.
    private struct EmptyStatePlan {
        var empty: [Int]
        var environment: CheckEnvironment?
        var beyond: AttachedCheck.BeyondQueue?
        var notes: [String] = []
    }

    private static func emptyStatePlan(_ program: LiveProgram, options: CheckOptions) -> EmptyStatePlan {
        let label = "check \(program.program.name) (id \(program.program.id))"
        guard let live = program.live else {
            let scratch = CheckEnvironment.make(queues: options.queues, isolation: options.isolation, label: label, sockets: false)
            return EmptyStatePlan(
                empty: Array(0..<scratch.queues), environment: scratch,
                notes: ["checked by id alone: no interface says which queues hold a socket, so every queue of \(scratch.interface), "
                        + "a scratch veth of the check's own, ran the empty state; a slot the live stack filled shows as REDIRECT there"])
        }
        var plan = EmptyStatePlan(empty: live.emptyQueues)
        guard plan.empty.isEmpty else { return plan }
        guard live.queues < 64 else {
            plan.notes.append("every queue of \(live.interface) holds a socket, and a queue beyond its \(live.queues) would exceed "
                              + "the check's 64, so the empty state did not run")
            return plan
        }
        let scratch = CheckEnvironment.make(queues: live.queues + 1, isolation: options.isolation, label: label,
                                            ifindex: live.ifindex, sockets: false)
        plan.environment = scratch
        if scratch.queues > live.queues {
            plan.beyond = .init(queue: live.queues, device: scratch.interface, namespace: scratch.namespace, ifindex: scratch.ifindex)
            plan.notes.append("every queue of \(live.interface) holds a socket, so the empty state ran on queue \(live.queues), "
                              + "beyond the interface's \(live.queues) RX queue\(live.queues == 1 ? "" : "s"), on \(scratch.interface), "
                              + "a scratch veth of the check's own with \(scratch.queues) queues"
                              + (scratch.ifindex == live.ifindex ? " and the interface's ifindex \(live.ifindex)"
                                                                 : " (ifindex \(scratch.ifindex), not the interface's \(live.ifindex))"))
        } else {
            plan.notes.append("every queue of \(live.interface) holds a socket, and no device with a queue beyond its "
                              + "\(live.queues) could be made, so the empty state did not run: "
                              + scratch.notes.joined(separator: "; "))
        }
        return plan
    }

    /// Each set of queues in one state is a matrix of its own; the C loop gets no map descriptor.
    private static func runMatrices(_ batch: FrameBatch, program: LiveProgram, registered: [Int], plan: EmptyStatePlan,
                                    threads: Int) throws -> [VerdictMatrix] {
        var matrices: [VerdictMatrix] = []
        do {
            if let live = program.live {
                for (state, queues) in [(SlotState.registered, registered), (.empty, plan.empty)] where !queues.isEmpty {
                    matrices.append(try NetworkNamespace.run(live.namespace) {
                        try MatrixRunner.runLive(batch, programFD: program.fd, ifindex: live.ifindex, queueIDs: queues, state: state,
                                                 threads: threads)
                    })
                }
            }
            if let environment = plan.environment {
                let queues = plan.beyond.map { [$0.queue] } ?? (program.live == nil ? plan.empty : [])
                if !queues.isEmpty {
                    matrices.append(try environment.perform {
                        try MatrixRunner.runLive(batch, programFD: program.fd, ifindex: environment.ifindex, queueIDs: queues, state: .empty,
                                                 threads: threads)
                    })
                }
            }
        } catch {
            throw CheckFailure.wrapping(error, while: "test-run \(program.program)")
        }
        return matrices
    }
}
