import Foundation

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

    public init(labs: [LabReport], labFileErrors: [LabFileProblems] = [], context: ReportContext = ReportContext()) {
        schemaVersion = Self.currentSchemaVersion
        xdplabVersion = XDPLabVersion.current
        startedAt = ReportContext.timestamp(context.startedAt)
        hostname = context.hostname
        interruptedBy = context.interruptedBy
        self.labs = labs
        self.labFileErrors = labFileErrors
    }

    private enum CodingKeys: String, CodingKey {
        case schemaVersion, xdplabVersion, startedAt, hostname, interruptedBy, labs, labFileErrors
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
    }
}

public enum JSONReport {
    public static func render(_ labs: [LabReport], labFileErrors: [LabFileProblems] = [],
                              context: ReportContext = ReportContext()) -> String {
        let document = ReportDocument(labs: labs, labFileErrors: labFileErrors, context: context)
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
