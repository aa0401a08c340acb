import Foundation
import Sequencing

/// The JSON report of a run, as `docs/report.schema.json` describes it:
/// `{"schemaVersion":1,"xdplabVersion":…,"startedAt":…,"hostname":…,"interruptedBy":null,"labs":[…],"labFileErrors":[…]}`.
/// Every key is always present (absent values are null), so a reader never has to guess.
public struct ReportDocument: Sendable, Codable, Equatable {
    /// Bumped whenever a key changes meaning or disappears; new keys do not bump it.
    public static let currentSchemaVersion = 1

    public let schemaVersion: Int
    public let xdplabVersion: String
    public let startedAt: String
    public let hostname: String
    public let interruptedBy: String?
    public let labs: [LabReport]
    public let labFileErrors: [LabFileProblems]
    /// How each kernel of a kernel matrix ran (a guest's boot); empty in a plain run.
    public let kernels: [KernelRun]

    public init(labs: [LabReport], labFileErrors: [LabFileProblems] = [], context: ReportContext = ReportContext(),
                kernels: [KernelRun] = []) {
        self.kernels = kernels
        schemaVersion = Self.currentSchemaVersion
        xdplabVersion = XDPLabVersion.current
        startedAt = ReportContext.timestamp(context.startedAt)
        hostname = context.hostname
        interruptedBy = context.interruptedBy
        self.labs = labs
        self.labFileErrors = labFileErrors
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, xdplabVersion, startedAt, hostname, interruptedBy, labs, labFileErrors, kernels
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try container.decode(Int.self, forKey: .schemaVersion)
        xdplabVersion = try container.decode(String.self, forKey: .xdplabVersion)
        startedAt = try container.decode(String.self, forKey: .startedAt)
        hostname = try container.decode(String.self, forKey: .hostname)
        interruptedBy = try container.decodeIfPresent(String.self, forKey: .interruptedBy)
        labs = try container.decode([LabReport].self, forKey: .labs)
        labFileErrors = try container.decodeIfPresent([LabFileProblems].self, forKey: .labFileErrors) ?? []
        kernels = try container.decodeIfPresent([KernelRun].self, forKey: .kernels) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(schemaVersion, forKey: .schemaVersion)
        try container.encode(xdplabVersion, forKey: .xdplabVersion)
        try container.encode(startedAt, forKey: .startedAt)
        try container.encode(hostname, forKey: .hostname)
        try container.encode(interruptedBy, forKey: .interruptedBy)
        try container.encode(labs, forKey: .labs)
        try container.encode(labFileErrors, forKey: .labFileErrors)
        try container.encode(kernels, forKey: .kernels)
    }
}

public enum JSONReport {
    public static func render(_ labs: [LabReport], labFileErrors: [LabFileProblems] = [],
                              context: ReportContext = ReportContext(), kernels: [KernelRun] = []) -> String {
        let document = ReportDocument(labs: labs, labFileErrors: labFileErrors, context: context, kernels: kernels)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // A stall can be infinite (a session that never answered); JSON has no number for that.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
        } catch {
            let fallback: [String: Any] = ["schemaVersion": ReportDocument.currentSchemaVersion,
                                           "xdplabVersion": XDPLabVersion.current, "labs": [], "labFileErrors": [],
                                           "error": "cannot encode the report: \(error)"]
            let data = (try? JSONSerialization.data(withJSONObject: fallback)) ?? Data("{\"labs\":[]}".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// Reads a report back, as `render` wrote it.
    public static func decode(_ text: String) throws -> ReportDocument {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(ReportDocument.self, from: Data(text.utf8))
    }
}

/// One kernel of a kernel matrix: where and how its labs ran.
public struct KernelRun: Codable, Sendable, Equatable {
    /// As the labs' `kernel` field names it: `host` or the guest's release.
    public let name: String
    /// `uname -r` of the kernel.
    public let release: String
    /// `host`, `kvm` or `tcg`.
    public let accelerator: String
    public let bootSeconds: Double?
    public let totalSeconds: Double
    /// Why no lab could run on it (boot failure, panic, timeout: with the console tail).
    public let error: String?

    public init(name: String, release: String, accelerator: String, bootSeconds: Double?, totalSeconds: Double, error: String?) {
        self.name = name
        self.release = release
        self.accelerator = accelerator
        self.bootSeconds = bootSeconds
        self.totalSeconds = totalSeconds
        self.error = error
    }

    /// "TCG, booted in 13.1 s, 54.2 s in all".
    public var summary: String {
        if accelerator == "host" { return "the host's kernel" + (release.isEmpty ? "" : " \(release)") }
        var text = accelerator.uppercased()
        if let bootSeconds { text += ", booted in " + DurationText.seconds(bootSeconds, digits: 1, fixed: true, unit: " s") }
        text += ", " + DurationText.seconds(totalSeconds, digits: 1, fixed: true, unit: " s") + " in all"
        return text
    }
}
