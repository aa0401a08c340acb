import Foundation

/// Machine-readable reports: `{"labs":[{"lab":…,"passed":…,"checks":[…],"packets":{…},…}]}`.
public enum JSONReport {
    private struct Document: Codable {
        let labs: [LabReport]
        let kernels: [KernelRun]?
    }

    /// Reads a report this renderer wrote (a guest's, brought back through the shared folder).
    public static func decode(_ data: Data) throws -> [LabReport] {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return try decoder.decode(Document.self, from: data).labs
    }

    /// `kernels` describes each kernel of a kernel matrix (how a guest booted); omitted in a plain run.
    public static func render(_ labs: [LabReport], kernels: [KernelRun] = []) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // A stall can be infinite (a session that never answered); JSON has no number for that.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(Document(labs: labs, kernels: kernels.isEmpty ? nil : kernels)), as: UTF8.self) + "\n"
        } catch {
            let fallback: [String: Any] = ["labs": [], "error": "cannot encode the report: \(error)"]
            let data = (try? JSONSerialization.data(withJSONObject: fallback)) ?? Data("{\"labs\":[]}".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
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
        if let bootSeconds { text += String(format: ", booted in %.1f s", bootSeconds) }
        text += String(format: ", %.1f s in all", totalSeconds)
        return text
    }
}
