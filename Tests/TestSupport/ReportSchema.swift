import Foundation

/// Validates JSON reports against `docs/report.schema.json` with python3's `jsonschema` (Debian:
/// python3-jsonschema, which scripts/bootstrap installs): there is no JSON Schema validator for Swift here.
public enum ReportSchema {
    public static let path = RepositoryPaths.path("docs/report.schema.json")

    /// Whether python3 can import jsonschema; probed once.
    public static let validatorAvailable: Bool = (try? python(["-c", "import jsonschema"], input: ""))?.status == 0

    public static let missingReason =
        "needs python3 with the jsonschema module (Debian: python3-jsonschema; scripts/bootstrap installs it)"

    /// Checks the schema itself against draft 2020-12, then the report against the schema, formats included where
    /// the module can check them. Returns one line per violation ("labs/0/errorKind: 'x' is not one of …");
    /// empty when the report conforms.
    public static func violations(of json: String) throws -> [String] {
        let script = """
            import json, sys
            from jsonschema import Draft202012Validator, FormatChecker
            schema = json.load(open(sys.argv[1]))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema, format_checker=FormatChecker())
            report = json.load(sys.stdin)
            for error in sorted(validator.iter_errors(report), key=lambda e: [str(p) for p in e.absolute_path]):
                print("/".join(str(p) for p in error.absolute_path) or "(document)", ": ", error.message, sep="")
            """
        let result = try python(["-c", script, path], input: json)
        guard result.status == 0 else { return ["the validator failed (\(result.status)): \(result.stderr)"] }
        return result.stdout.split(separator: "\n").map(String.init)
    }

    private static func python(_ arguments: [String], input: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        // Write and read on separate threads: a large report must not fill one pipe while the other waits.
        DispatchQueue.global().async {
            stdin.fileHandleForWriting.write(Data(input.utf8))
            try? stdin.fileHandleForWriting.close()
        }
        let errors = ErrorText()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            errors.data = stderr.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: errors.data, as: UTF8.self))
    }

    private final class ErrorText: @unchecked Sendable { var data = Data() }
}
