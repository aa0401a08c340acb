import Foundation

/// Machine-readable reports: `{"labs":[{"lab":…,"passed":…,"checks":[…],"packets":{…},…}]}`.
public enum JSONReport {
    private struct Document: Encodable { let labs: [LabReport] }

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
