import Foundation

/// Machine-readable reports: `{"labs":[{"lab":…,"passed":…,"checks":[…],"packets":{…},…}]}`.
public enum JSONReport {
    private struct Document: Codable { let labs: [LabReport] }

    /// The labs of a report that `render` wrote (a child `xdplab run` hands its result back this way).
    public static func parse(_ data: Data) throws -> [LabReport] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(Document.self, from: data).labs
    }

    public static func render(_ labs: [LabReport]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // A stall can be infinite (a session that never answered); JSON has no number for that.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(Document(labs: labs)), as: UTF8.self) + "\n"
        } catch {
            let fallback: [String: Any] = ["labs": [], "error": "cannot encode the report: \(error)"]
            let data = (try? JSONSerialization.data(withJSONObject: fallback)) ?? Data("{\"labs\":[]}".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }
}
