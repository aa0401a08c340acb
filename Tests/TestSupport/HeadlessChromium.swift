import Foundation

/// A real browser for tests of the report page: Debian's `chromium`, run headless on a file. Tests that need it
/// are enabled with `available` and show `reason` when it is absent (`scripts/bootstrap` installs it).
public enum HeadlessChromium {
    public static let path: String? = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }
    public static var available: Bool { path != nil }
    public static let reason = "needs Debian's chromium for a real browser (scripts/bootstrap installs it)"

    /// What the browser made of a page.
    public struct Page: Sendable {
        /// The DOM after loading, serialised.
        public let dom: String
        /// Every message the page wrote to the console, with its source; the report page has no script, so any
        /// message here is an error (a blocked load, a violated Content-Security-Policy).
        public let console: [String]
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads `file` and returns its DOM and console messages.
    public static func load(_ file: String) throws -> Page {
        let (output, errors) = try run(["--enable-logging=stderr", "--v=0", "--dump-dom", url(file)])
        // Chromium logs each console message to stderr as "…:INFO:CONSOLE:<line>] "<message>", source: <url> (<line>)".
        let console = errors.split(separator: "\n").filter { $0.contains(":CONSOLE") }.map(String.init)
        return Page(dom: output, console: console)
    }

    /// Saves a PNG of the page as a window of `width` × `height` pixels shows it.
    public static func screenshot(_ file: String, to png: String, width: Int = 1280, height: Int = 2000) throws {
        _ = try run(["--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=\(png)", url(file)])
        guard FileManager.default.fileExists(atPath: png) else { throw Failure(description: "chromium wrote no screenshot to \(png)") }
    }

    private static func url(_ file: String) -> String { URL(fileURLWithPath: file).absoluteString }

    /// Runs chromium with a profile of its own (removed afterwards), no sandbox (tests run as root) and a time limit;
    /// its output goes to files in that folder, so a chatty browser never blocks on a full pipe.
    private static func run(_ arguments: [String]) throws -> (output: String, errors: String) {
        guard let path else { throw Failure(description: reason) }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-chromium-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outputPath = "\(folder)/stdout", errorPath = "\(folder)/stderr"
        guard FileManager.default.createFile(atPath: outputPath, contents: nil),
              FileManager.default.createFile(atPath: errorPath, contents: nil) else {
            throw Failure(description: "cannot create chromium's output files in \(folder)")
        }
        let output = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        let errors = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        defer { try? output.close(); try? errors.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run",
                             "--user-data-dir=\(folder)/profile"] + arguments
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            throw Failure(description: "chromium did not finish within 90 s: \(arguments.joined(separator: " "))")
        }
        let printed = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
        let logged = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        guard process.terminationStatus == 0 else {
            throw Failure(description: "chromium exited with status \(process.terminationStatus): \(logged.suffix(2000))")
        }
        return (printed, logged)
    }
}
