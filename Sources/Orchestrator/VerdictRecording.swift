import AFXDPStack
import Evidence
import KernelObservation

/// Per-packet XDP verdicts for one lab run: the fexit recorder on the stack's program while the paced traffic
/// flows, or the reason there is none, said once in the evidence.
enum VerdictRecording {
    case recording(VerdictRecorder, programID: UInt32)
    case unavailable(String)

    /// Compiles the recorder ahead of `start` (see `VerdictRecorder.prepare`).
    static func prepare(workDirectory: String) { VerdictRecorder.prepare(workDirectory: workDirectory) }

    /// Attaches to the program the stack runs now; `progress` says which, or why not.
    static func start(_ stack: DeployedStack, workDirectory: String, progress: Progress) -> VerdictRecording {
        guard let program = stack.verdictTarget else {
            return .unavailable("the stack had no XDP program loaded when traffic began (a late load step), so there "
                                + "was nothing to attach fexit to")
        }
        switch VerdictRecorder.start(programID: program.id, label: program.label, workDirectory: workDirectory) {
        case .success(let recorder):
            progress("verdicts: fexit on \(program.label) records each tagged frame's XDP action")
            return .recording(recorder, programID: program.id)
        case .failure(let why):
            progress("verdicts: unavailable, \(why.reason)")
            return .unavailable(why.reason)
        }
    }

    /// What was recorded, detaching the recorder. `stack` tells whether another program took the recorded one's
    /// place; `replacedByDrill` when a recovery drill's break did.
    func finish(_ stack: DeployedStack?, replacedByDrill: Bool = false) -> VerdictEvidence {
        switch self {
        case .recording(let recorder, let id):
            let changed = replacedByDrill || (stack.map { $0.verdictTarget?.id != id } ?? false)
            return recorder.finish(programChanged: changed)
        case .unavailable(let reason): return .unavailable(reason)
        }
    }
}

extension DeployedStack {
    /// The program whose verdicts count: the built-in stack's effective program, or what the command attached.
    var verdictTarget: (id: UInt32, label: String)? {
        switch self {
        case .builtIn(let stack, _): return stack.effectiveProgram
        case .command(let stack): return stack.attachedProgram.map { ($0.id, "\($0.name) (id \($0.id))") }
        }
    }
}
