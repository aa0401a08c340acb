import Foundation
import Testing
import TestSupport

/// What the real executable does with the mistakes a user makes before any lab runs; needs no root.
@Suite("The command line: usage and lab-file mistakes exit 2, as documented")
struct ExitStatusTests {
    static let gate = RepositoryPaths.path("Labs/gate/validator-ports.yaml")
    static let gateFolder = RepositoryPaths.path("Labs/gate")

    init() throws {
        try #require(XDPLabCommand.isBuilt, "build the xdplab executable first (swift build): \(XDPLabCommand.executable) is missing")
    }

    @Test("usage errors, ArgumentParser's own included, exit 2 and say what was wrong",
          arguments: [
            (["validate"], "Missing expected argument"),
            (["validate", "--bogus", gate], "Unknown option '--bogus'"),
            (["frobnicate"], "Unexpected argument 'frobnicate'"),
            (["run", "--program", "/nonexistent/prog.bpf.c", gate], "--program /nonexistent/prog.bpf.c: no such file"),
            (["run", "--program", gate, gate], "--program must be a .bpf.c source or a .o object"),
            (["run", "--json", "-", "--junit", "-", gate], "only one of --json and --junit can be -"),
            (["run", "--json", "/tmp", gate], "--json /tmp: is a folder; name a file in it"),
            (["run", "--junit", "\(gate)/report.xml", gate], "is a file, so no folder can be made there"),
            (["run", "--quiet", "--verbose", gate], "--quiet and --verbose exclude each other"),
            (["run", "--color", "sometimes", gate], "--color"),
            (["run", "--only", "nosuch", gateFolder], "no lab is named nosuch; the labs given are: sequence-afxdp, validator-ports"),
            (["run", "--keep", gateFolder], "--keep keeps one lab, and 3 are given"),
            (["validate", "no-such-file.yaml"], "no-such-file.yaml:1:1: error: lab file not found"),
            (["check"], "give exactly one of PROGRAM, --attached or --prog-id"),
            (["check", "prog.bpf.c", "--spread-sweeps", "--sweep-every-queue"], "--spread-sweeps and --sweep-every-queue contradict"),
            (["check", "prog.bpf.c", "--threads", "0"], "--threads must be at least 1, got 0"),
            (["run", "--jobs", "-1", gate], "--jobs must be at least 1, got -1"),
            (["run", "--keep", "--kernel", "host", gate], "--keep keeps one lab up on this machine, which a kernel matrix cannot"),
            (["run", "--kernel", "nonsense", gate], "--kernel nonsense: is neither host nor a version"),
            (["destroy", "not-a-run"], "not-a-run is not a run id"),
          ])
    func usage(_ arguments: [String], _ message: String) throws {
        let result = try XDPLabCommand.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
    }

    @Test("a pattern the shell did not expand is expanded; one that matches nothing is a usage error")
    func globs() throws {
        let matched = try XDPLabCommand.run(["validate", RepositoryPaths.path("Labs/gate/*.yaml")])
        #expect(matched.status == 0, "\(matched.stderr)")
        #expect(matched.stdout.contains("ok (validator-ports)") && matched.stdout.contains("ok (sequence-afxdp)"))
        let none = try XDPLabCommand.run(["validate", RepositoryPaths.path("Labs/gate/*.nothing")])
        #expect(none.status == 2)
        #expect(none.stderr.contains("no file matches"))
    }

    @Test("a folder stands for every *.yaml below it, sorted, each file once")
    func folders() throws {
        let result = try XDPLabCommand.run(["validate", RepositoryPaths.path("Labs"), Self.gate])
        #expect(result.status == 0, "\(result.stderr)")
        let files = result.stdout.split(separator: "\n").map { String($0.split(separator: ":").first ?? "") }
        let shipped = try FileManager.default.subpathsOfDirectory(atPath: RepositoryPaths.path("Labs")).filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".matrix.yaml") }
        #expect(files.count == shipped.count)
        #expect(files == files.sorted())
        #expect(Set(files).count == files.count)
        let empty = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: empty) }
        let none = try XDPLabCommand.run(["validate", empty])
        #expect(none.status == 2)
        #expect(none.stderr.contains("is a folder without lab files (*.yaml) below it"))
    }

    @Test("a bad lab file: validate and run exit 2; run writes JUnit and JSON naming the file and each problem's line")
    func badLabFile() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let bad = "\(folder)/bad.yaml"
        try "lab: bad\ntopology:\n\thosts: [a]\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let validated = try XDPLabCommand.run(["validate", bad, Self.gate])
        #expect(validated.status == 2)
        #expect(validated.stderr.contains("\(bad):3:1: error: a tab character here: YAML indents with spaces only"))
        #expect(validated.stdout.contains("ok (validator-ports)"))

        let junit = "\(folder)/reports/not/made/yet/report.xml"   // its folders are made when the report is written
        let run = try XDPLabCommand.run(["run", bad, Self.gate, "--json", "-", "--junit", junit])
        #expect(run.status == 2)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        #expect((document["labs"] as? [Any])?.isEmpty == true, "no lab runs while a lab file is bad")
        let files = try #require(document["labFileErrors"] as? [[String: Any]])
        #expect(files.count == 1)
        #expect(files.first?["file"] as? String == bad)
        let problem = try #require((files.first?["problems"] as? [[String: Any]])?.first)
        #expect(problem["line"] as? Int == 3 && problem["column"] as? Int == 1)
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<testcase classname=\"xdplab.lab-files\" name=\"\(bad)\" time=\"0.000\" file=\"\(bad)\" line=\"3\">"))
        #expect(xml.contains("type=\"lab-file\""))
        #expect(xml.contains("\(bad):3:1: error: a tab character here"))
        if ReportSchema.validatorAvailable { #expect(try ReportSchema.violations(of: run.stdout).isEmpty) }
    }

    @Test("at most 50 problems per file are printed, then how many more")
    func problemCap() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = "\(folder)/many.yaml"
        try ("lab: many\nexpect:\n" + (1...120).map { "  - no-such-check-\($0)\n" }.joined()).write(toFile: path, atomically: true, encoding: .utf8)
        let result = try XDPLabCommand.run(["validate", path])
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("\(path):") && $0.contains(": error: ") }.count == 50)
        #expect(lines.last.map(String.init)?.hasPrefix("… and ") == true, "\(lines.last ?? "")")
        #expect(lines.last?.hasSuffix("more problems in \(path)") == true)
    }

    @Test("--version names xdplab's version and the libbpf and libxdp behind it")
    func version() throws {
        let result = try XDPLabCommand.run(["--version"])
        #expect(result.status == 0)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(result.stdout)")
        #expect(lines.first?.range(of: #"^xdplab \d+\.\d+\.\d+$"#, options: .regularExpression) != nil)
        #expect(lines.dropFirst().first?.range(of: #"^libbpf \d+\.\d+ \(built against headers \d+\.\d+\)$"#, options: .regularExpression) != nil)
        #expect(lines.last?.range(of: #"^libxdp \d+\.\d+\.\d+ \(/.*libxdp\.so\.[0-9.]+\)$"#, options: .regularExpression) != nil)
    }

    @Test("completion scripts complete lab files and programs")
    func completions() throws {
        let bash = try XDPLabCommand.run(["--generate-completion-script", "bash"])
        #expect(bash.status == 0)
        #expect(bash.stdout.contains("yaml"))
        #expect(bash.stdout.contains("bpf.c"))
        let zsh = try XDPLabCommand.run(["--generate-completion-script", "zsh"])
        #expect(zsh.stdout.contains("*.yaml") || zsh.stdout.contains("yaml"))
    }
}
