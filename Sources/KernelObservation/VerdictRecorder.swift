import Foundation
import Glibc
import XDPShim
import BPFSupport
import Evidence
import SystemSupport

/// Records every tagged frame's XDP verdict with fexit on the program under test (`bpf/xdp_verdicts.bpf.c`),
/// draining the kernel's ring buffer on a thread of its own while traffic flows. Kernels that refuse fexit on XDP
/// programs (EPERM on 6.18; 6.1 and 6.12 allow it) give `VerdictEvidence.unavailable` with the reason instead.
public final class VerdictRecorder: @unchecked Sendable {
    // @unchecked: `recorded`, `pending` and `draining` are guarded by `lock`; the C recorder is polled only by the
    // drain thread until `finish()` has joined it.
    private let recorder: OpaquePointer
    private let program: String
    private let lock = NSLock()
    private var recorded: [PacketVerdict] = []
    /// Redirect verdicts waiting for their redirect record, by CPU and sequence number.
    private var pending: [RecordKey: Int] = [:]
    private var draining = true
    private let stopped = DispatchSemaphore(value: 0)
    private var result: VerdictEvidence?
    private var closed = false

    private struct RecordKey: Hashable { let cpu: UInt32; let seq: UInt64 }

    /// Attaches the recorder to the XDP program with id `programID` (named `label` in reports) and starts draining;
    /// or says why it cannot (this kernel refuses fexit on XDP programs, the program has no BTF, …). Never throws.
    public static func start(programID: UInt32, label: String, workDirectory: String) -> Result<VerdictRecorder, VerdictUnavailable> {
        // The probe loads nothing lasting and needs no compiler: where fexit is refused, that is all it costs.
        let probe = xdpshim_fexit_probe(programID)
        if probe == -ENOENT {
            return .failure(VerdictUnavailable(reason: "\(label) is gone or has no BTF (built without -g), so fexit has no function "
                                                   + "to attach to"))
        }
        guard probe == 0 else {
            return .failure(VerdictUnavailable(reason: "fexit on the XDP program is refused by this kernel: "
                                                   + SystemError.errnoText(-probe)))
        }
        do {
            let prepared = "\(workDirectory)/xdp_verdicts.bpf.o"
            let object = FileManager.default.fileExists(atPath: prepared) ? prepared : try compile(into: workDirectory)
            var opened: OpaquePointer?
            var failedStep: UnsafePointer<CChar>?
            let result = xdpshim_verdicts_open(object, programID, &opened, &failedStep)
            guard result == 0, let opened else {
                let step = failedStep.map { String(cString: $0) } ?? "open the recorder"
                throw ObservationError("\(step): \(SystemError.errnoText(-result))")
            }
            return .success(VerdictRecorder(recorder: opened, program: label))
        } catch {
            return .failure(VerdictUnavailable(reason: "the fexit verdict recorder could not be attached: \(error)"))
        }
    }

    /// Compiles the recorder into `workDirectory` ahead of `start`, which then reuses it: where the time between a
    /// stack's attach and the traffic is part of the verdict (a command stack's traffic starts at attach), the
    /// compile must not fall in between. In an emulated guest it takes seconds.
    public static func prepare(workDirectory: String) {
        _ = try? compile(into: workDirectory)
    }

    private static func compile(into workDirectory: String) throws -> String {
        guard let folder = Bundle.module.url(forResource: "bpf", withExtension: nil) else {
            throw ObservationError("the KernelObservation resource folder bpf/ is missing from the build")
        }
        return try BPFCompiler.object(for: folder.appendingPathComponent("xdp_verdicts.bpf.c").path,
                                      outputDirectory: workDirectory)
    }

    private init(recorder: OpaquePointer, program: String) {
        self.recorder = recorder
        self.program = program
        let thread = Thread { [self] in
            while lock.withLock({ draining }) { drain(timeoutMilliseconds: 50) }
            stopped.signal()
        }
        thread.name = "xdplab verdict drain"
        thread.start()
    }

    // The drain thread holds `self`, so this runs only once it has ended (after `finish()`).
    deinit { if !closed { xdpshim_verdicts_close(recorder) } }

    /// Takes what the ring holds (waiting at most `timeoutMilliseconds` for the first record).
    private func drain(timeoutMilliseconds: Int32) {
        var buffer = [xdpshim_verdict](repeating: xdpshim_verdict(), count: 1024)
        var timeout = timeoutMilliseconds
        while true {
            let count = xdpshim_verdicts_poll(recorder, &buffer, Int32(buffer.count), timeout)
            guard count > 0 else { return }
            lock.withLock { buffer.prefix(Int(count)).forEach(take) }
            guard Int(count) == buffer.count else { return }
            timeout = 0
        }
    }

    /// A verdict record becomes a `PacketVerdict`; a redirect record completes the verdict it follows.
    private func take(_ record: xdpshim_verdict) {
        let key = RecordKey(cpu: record.cpu, seq: record.seq)
        if record.kind == UInt32(XDPSHIM_VERDICT_KIND_VERDICT) {
            if record.action == PacketVerdict.redirect { pending[key] = recorded.count }
            recorded.append(PacketVerdict(id: record.id, action: record.action, queue: Int(record.queue)))
        } else if let index = pending.removeValue(forKey: key) {
            recorded[index].redirectKey = record.map_index
            recorded[index].redirectErrno = -record.error
        }
    }

    /// Stops draining after a last look, detaches, and returns what was recorded. Idempotent.
    public func finish(programChanged: Bool = false) -> VerdictEvidence {
        let first = lock.withLock { () -> Bool in
            defer { draining = false }
            return draining
        }
        // The drain thread polls in 50 ms steps; should it not stop in time, the recorder stays attached (and
        // leaks) rather than being freed under it.
        let threadStopped = first && stopped.wait(timeout: .now() + 2) == .success
        if threadStopped { drain(timeoutMilliseconds: 0) }
        return lock.withLock {
            if let result { return result }
            let final = VerdictEvidence(program: program, verdicts: recorded,
                                        overflows: xdpshim_verdicts_overflows(recorder), programChanged: programChanged)
            if threadStopped {
                // Detached at once: a load phase that follows must not pay fexit's cost on every frame.
                xdpshim_verdicts_close(recorder)
                closed = true
            }
            result = final
            return final
        }
    }
}

/// Why per-packet verdicts could not be recorded, in a sentence.
public struct VerdictUnavailable: Error, Sendable, CustomStringConvertible {
    public let reason: String
    public var description: String { reason }
}
