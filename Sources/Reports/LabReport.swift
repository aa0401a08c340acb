import Evidence
import Verification

/// Where the injected packets went, in total or for one traffic class.
public struct PacketCounts: Sendable, Codable, Equatable {
    public let injected: Int
    public let kernel: Int
    /// Received by an AF_XDP socket, including packets the kernel saw too (`both`).
    public let xsk: Int
    public let lost: Int
    /// Packets seen by both the kernel and a socket: impossible for one XDP verdict, so a report flags them.
    public let both: Int

    public init(injected: Int, kernel: Int, xsk: Int, lost: Int, both: Int = 0) {
        self.injected = injected
        self.kernel = kernel
        self.xsk = xsk
        self.lost = lost
        self.both = both
    }

    /// Counts the fates of `packets`.
    public init(_ packets: [InjectedPacket], observations: Observations) {
        var kernel = 0, xsk = 0, lost = 0, both = 0
        for packet in packets {
            switch Verifier.fate(of: packet, in: observations) {
            case .kernel: kernel += 1
            case .xsk: xsk += 1
            case .both: xsk += 1; both += 1
            case .lost: lost += 1
            }
        }
        self.init(injected: packets.count, kernel: kernel, xsk: xsk, lost: lost, both: both)
    }
}

public struct ClassSummary: Sendable, Codable, Equatable {
    public let trafficClass: String
    public let injected: Int
    public let kernel: Int
    public let xsk: Int
    public let lost: Int

    public init(trafficClass: String, injected: Int, kernel: Int, xsk: Int, lost: Int) {
        self.trafficClass = trafficClass
        self.injected = injected
        self.kernel = kernel
        self.xsk = xsk
        self.lost = lost
    }
}

/// Why a lab could not run, so that CI can tell its own mistake from the machine's: each kind has its exit status.
public enum LabErrorKind: String, Sendable, Codable, CaseIterable {
    /// The lab's program or stack is unusable: it does not compile, breaks the program contract (no `xsks_map`,
    /// say) or the verifier refuses it. Exit status 2, as for a bad lab file and as `xdplab check` gives.
    case badInput = "bad-input"
    /// This machine lacks something the lab needs. Exit status 3.
    case missingCapability = "missing-capability"
    /// The pre-flight `xdplab check` found a frame the program gets wrong; nothing was deployed. Exit status 1.
    case preflightFailed = "preflight-failed"
    /// SIGINT or SIGTERM stopped the run while this lab ran. Exit status 130 or 143.
    case interrupted
    /// Anything else that stopped the lab (a command stack that never came up, a failing system call). Exit status 1.
    case error
}

/// Everything a run of one lab concluded; the three renderers print it.
public struct LabReport: Sendable, Codable, Equatable {
    public let lab: String
    public let file: String
    public let passed: Bool
    public let checks: [CheckResult]
    public let packets: PacketCounts
    public let classes: [ClassSummary]
    public let diagnosis: [String]
    public let durationSeconds: Double
    public let captureDirectory: String?
    public let evidence: KernelEvidence?
    public let sessions: [SessionRecord]
    /// Why the lab could not run at all; then `passed` is false and there are no checks.
    public let error: String?
    /// What a sequence lab measured; nil for packet-class labs.
    public let sequence: SequenceSummary?
    /// What kind of failure `error` is; nil when the lab ran.
    public let errorKind: LabErrorKind?
    /// When the lab started, ISO 8601 in UTC ("2025-05-12T09:30:00Z").
    public let startedAt: String?
    /// Packet fates by traffic class and RX queue; nil for sequence labs and labs that could not run.
    public let grid: FateGrid?
    /// What a recovery drill did and how long each SSH session was locked out; nil without a drill.
    public var recovery: RecoverySummary?
    /// The kernel the lab ran on in a kernel matrix (`host`, `6.1.0-54-amd64`); nil in a plain run.
    public var kernel: String?
    /// Why the lab did not run (a requirement this kernel or machine lacks); then it has no checks and is not
    /// counted as failed.
    public var skipped: String?
    /// What the load phase sent and where it went; nil without one (`traffic.load`).
    public var load: LoadRecord?
    /// Each packet's XDP verdict beside its fate, or why verdicts are unavailable; nil when not attempted.
    public var verdicts: VerdictSummary?

    public init(lab: String, file: String, passed: Bool, checks: [CheckResult], packets: PacketCounts,
                classes: [ClassSummary], diagnosis: [String], durationSeconds: Double, captureDirectory: String?,
                evidence: KernelEvidence?, sessions: [SessionRecord], error: String?, sequence: SequenceSummary? = nil,
                errorKind: LabErrorKind? = nil, startedAt: String? = nil, grid: FateGrid? = nil,
                recovery: RecoverySummary? = nil) {
        self.lab = lab
        self.file = file
        self.passed = passed
        self.checks = checks
        self.packets = packets
        self.classes = classes
        self.diagnosis = diagnosis
        self.durationSeconds = durationSeconds
        self.captureDirectory = captureDirectory
        self.evidence = evidence
        self.sessions = sessions
        self.error = error
        self.sequence = sequence
        self.errorKind = errorKind ?? (error == nil ? nil : .error)
        self.startedAt = startedAt
        self.grid = grid
        self.recovery = recovery
    }

    /// The report of a lab that could not run: no checks, no packets, why, and what kind of failure it was.
    public static func failure(lab: String, file: String, error: String, kind: LabErrorKind, durationSeconds: Double,
                               startedAt: String?, captureDirectory: String?) -> LabReport {
        LabReport(lab: lab, file: file, passed: false, checks: [], packets: PacketCounts(injected: 0, kernel: 0, xsk: 0, lost: 0),
                  classes: [], diagnosis: [], durationSeconds: durationSeconds, captureDirectory: captureDirectory,
                  evidence: nil, sessions: [], error: error, errorKind: kind, startedAt: startedAt)
    }

    /// A lab that was not run because `reason` (a missing requirement).
    public static func skip(lab: String, file: String, reason: String, kernel: String? = nil) -> LabReport {
        var report = LabReport(lab: lab, file: file, passed: false, checks: [], packets: PacketCounts(injected: 0, kernel: 0, xsk: 0, lost: 0),
                               classes: [], diagnosis: [], durationSeconds: 0, captureDirectory: nil, evidence: nil, sessions: [],
                               error: nil)
        report.skipped = reason
        report.kernel = kernel
        return report
    }

    /// A lab that could not run on `kernel` (its guest did not boot, panicked or timed out).
    public static func couldNotRun(lab: String, file: String, error: String, kernel: String, seconds: Double) -> LabReport {
        var report = LabReport.failure(lab: lab, file: file, error: error, kind: .error, durationSeconds: seconds,
                                       startedAt: nil, captureDirectory: nil)
        report.kernel = kernel
        return report
    }

    /// The same report, marked with the kernel it ran on.
    public func on(kernel: String) -> LabReport {
        var copy = self
        copy.kernel = kernel
        return copy
    }

    /// The report of a lab that ran: passed when it has checks and every one came out as expected.
    public static func make(lab: String, file: String, results: [CheckResult], observations: Observations,
                            diagnosis: [String], durationSeconds: Double, captureDirectory: String?,
                            startedAt: String? = nil) -> LabReport {
        var order: [String] = []
        var byClass: [String: [InjectedPacket]] = [:]
        for packet in observations.injected {
            if byClass[packet.trafficClass] == nil { order.append(packet.trafficClass) }
            byClass[packet.trafficClass, default: []].append(packet)
        }
        let classes = order.map { name -> ClassSummary in
            let counts = PacketCounts(byClass[name]!, observations: observations)
            return ClassSummary(trafficClass: name, injected: counts.injected, kernel: counts.kernel, xsk: counts.xsk, lost: counts.lost)
        }
        let recovery = observations.recovery.map {
            RecoverySummary(drill: $0, lockouts: RecoveryCheck.lockouts(observations.sessions, breakAt: $0.breakAt,
                                                                         maxStall: observations.sshMaxStall))
        }
        // The raw verdicts are in `verdicts`, joined to the packets; the evidence need not carry them twice.
        var evidence = observations.evidence
        evidence.verdicts = nil
        var report = LabReport(lab: lab, file: file, passed: CheckResult.allPassed(results), checks: results,
                               packets: PacketCounts(observations.injected, observations: observations),
                               classes: classes, diagnosis: diagnosis, durationSeconds: durationSeconds,
                               captureDirectory: captureDirectory, evidence: evidence,
                               sessions: observations.sessions, error: nil, startedAt: startedAt,
                               grid: FateGrid(observations), recovery: recovery)
        report.load = observations.load
        report.verdicts = VerdictSummary(observations)
        return report
    }

    /// The report of a sequence lab that ran: passed by the same rule, and never when a fault could not be injected.
    public static func make(lab: String, file: String, results: [CheckResult], faultErrors: [String],
                            packets: PacketCounts, diagnosis: [String], evidence: KernelEvidence?, sequence: SequenceSummary,
                            durationSeconds: Double, captureDirectory: String?, startedAt: String?) -> LabReport {
        LabReport(lab: lab, file: file, passed: CheckResult.allPassed(results, runFailures: faultErrors), checks: results,
                  packets: packets, classes: [], diagnosis: diagnosis, durationSeconds: durationSeconds,
                  captureDirectory: captureDirectory, evidence: evidence, sessions: [], error: nil, sequence: sequence,
                  startedAt: startedAt)
    }

    private enum CodingKeys: String, CodingKey {
        case lab, file, passed, checks, packets, classes, diagnosis, durationSeconds, captureDirectory, evidence, sessions, error
        case sequence, errorKind, startedAt, grid, recovery, kernel, skipped, load, verdicts
    }

    /// Reports written before a field existed decode with it absent.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(lab: try container.decode(String.self, forKey: .lab), file: try container.decode(String.self, forKey: .file),
                  passed: try container.decode(Bool.self, forKey: .passed),
                  checks: try container.decode([CheckResult].self, forKey: .checks),
                  packets: try container.decode(PacketCounts.self, forKey: .packets),
                  classes: try container.decode([ClassSummary].self, forKey: .classes),
                  diagnosis: try container.decode([String].self, forKey: .diagnosis),
                  durationSeconds: try container.decode(Double.self, forKey: .durationSeconds),
                  captureDirectory: try container.decodeIfPresent(String.self, forKey: .captureDirectory),
                  evidence: try container.decodeIfPresent(KernelEvidence.self, forKey: .evidence),
                  sessions: try container.decode([SessionRecord].self, forKey: .sessions),
                  error: try container.decodeIfPresent(String.self, forKey: .error),
                  sequence: try container.decodeIfPresent(SequenceSummary.self, forKey: .sequence),
                  errorKind: try container.decodeIfPresent(LabErrorKind.self, forKey: .errorKind),
                  startedAt: try container.decodeIfPresent(String.self, forKey: .startedAt),
                  grid: try container.decodeIfPresent(FateGrid.self, forKey: .grid),
                  recovery: try container.decodeIfPresent(RecoverySummary.self, forKey: .recovery))
        kernel = try container.decodeIfPresent(String.self, forKey: .kernel)
        skipped = try container.decodeIfPresent(String.self, forKey: .skipped)
        load = try container.decodeIfPresent(LoadRecord.self, forKey: .load)
        verdicts = try container.decodeIfPresent(VerdictSummary.self, forKey: .verdicts)
    }

    /// Like the synthesized encoding, but absent values are written as null so every report has the same keys.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(lab, forKey: .lab)
        try container.encode(file, forKey: .file)
        try container.encode(passed, forKey: .passed)
        try container.encode(checks, forKey: .checks)
        try container.encode(packets, forKey: .packets)
        try container.encode(classes, forKey: .classes)
        try container.encode(diagnosis, forKey: .diagnosis)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(captureDirectory, forKey: .captureDirectory)
        try container.encode(evidence, forKey: .evidence)
        try container.encode(sessions, forKey: .sessions)
        try container.encode(error, forKey: .error)
        try container.encode(sequence, forKey: .sequence)
        try container.encode(errorKind, forKey: .errorKind)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(grid, forKey: .grid)
        try container.encode(recovery, forKey: .recovery)
        try container.encode(kernel, forKey: .kernel)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(load, forKey: .load)
        try container.encode(verdicts, forKey: .verdicts)
    }
}

/// A recovery drill in a report.
public struct RecoverySummary: Sendable, Codable, Equatable {
    public let drill: RecoveryRecord
    public let lockouts: [SessionLockout]

    public init(drill: RecoveryRecord, lockouts: [SessionLockout]) {
        self.drill = drill
        self.lockouts = lockouts
    }
}
