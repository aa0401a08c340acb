import Foundation
import Testing
import Yams
import LabModel

/// docs/ci.md: its GitHub Actions workflow and GitLab job are valid YAML that run the README's commands on a fresh
/// program build, upload what a run leaves, and register a problem matcher that reads xdplab's own diagnostics.
@Suite("docs/ci.md")
struct CIWorkflowTests {
    /// The README's command for a fresh machine, split at `&&`: scripts/bootstrap, swift build, the gate lab's run.
    static func readmeCommands() throws -> [String] {
        let readme = try Markdown.blocks("README.md", language: "sh", under: "The two commands")
        let line = try #require(readme.first { $0.body.hasPrefix("scripts/bootstrap") }?.body)
        return line.trimmingCharacters(in: .whitespacesAndNewlines).components(separatedBy: "&&")
            .map { $0.trimmingCharacters(in: .whitespaces) }
    }

    static func yaml(under heading: String) throws -> [String: Any] {
        let block = try #require(try Markdown.blocks("docs/ci.md", language: "yaml", under: heading).first)
        return try #require(try Yams.load(yaml: block.body) as? [String: Any])
    }

    /// `--name value` of a command line, quotes and a leading $GITHUB_WORKSPACE/ or $CI_PROJECT_DIR/ taken off.
    static func option(_ name: String, in command: String) -> String? {
        let words = command.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)
        guard let index = words.firstIndex(of: name), index + 1 < words.count else { return nil }
        return words[index + 1].replacingOccurrences(of: "\"", with: "")
            .replacingOccurrences(of: "$GITHUB_WORKSPACE/", with: "").replacingOccurrences(of: "$CI_PROJECT_DIR/", with: "")
    }

    /// True when every command begins one of `lines` (as a whole word: `swift build`, not `swift buildx`), in the
    /// README's order.
    static func inOrder(_ commands: [String], in lines: [String]) -> Bool {
        var position = lines.startIndex
        for command in commands {
            let starts = { (line: String) in
                line.hasPrefix(command) && (line.count == command.count || line.dropFirst(command.count).first!.isWhitespace)
            }
            guard let found = lines[position...].firstIndex(where: starts) else { return false }
            position = found
        }
        return true
    }

    @Test("the GitHub Actions workflow: a privileged Debian 12 job whose steps run the README's commands with --program")
    func githubWorkflow() throws {
        let workflow = try Self.yaml(under: "GitHub Actions")
        let job = try #require((workflow["jobs"] as? [String: Any])?["gate"] as? [String: Any])
        let container = try #require(job["container"] as? [String: Any])
        #expect((container["image"] as? String)?.hasSuffix("-bookworm") == true, "Debian 12, what scripts/bootstrap expects")
        #expect(container["options"] as? String == "--privileged")
        let steps = try #require(job["steps"] as? [[String: Any]])

        // The README's commands run inside the xdplab checkout, in its order.
        let xdplab = steps.filter { $0["working-directory"] as? String == ".xdplab" }.compactMap { $0["run"] as? String }
        #expect(Self.inOrder(try Self.readmeCommands(), in: xdplab), "\(xdplab)")
        let run = try #require(xdplab.first { $0.hasPrefix(".build/debug/xdplab run Labs/gate/validator-ports.yaml") })
        let program = try #require(Self.option("--program", in: run))
        let junit = try #require(Self.option("--junit", in: run))
        let captures = try #require(Self.option("--captures", in: run))

        // The program is built fresh before the run, where --program looks for it.
        let commands = steps.compactMap { $0["run"] as? String }
        #expect(commands.contains { $0.contains("-target bpf") && $0.contains("-o \(program)") })

        // Everything the run leaves is uploaded, also when it failed.
        let upload = try #require(steps.first { ($0["uses"] as? String)?.hasPrefix("actions/upload-artifact@") == true })
        #expect(upload["if"] as? String == "always()")
        let paths = ((upload["with"] as? [String: Any])?["path"] as? String ?? "").split(separator: "\n")
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "/ ")) }
        #expect(paths.contains(junit) && paths.contains(captures), "\(paths)")

        // The problem matcher named exists in the xdplab checkout.
        let registration = try #require(commands.first { $0.contains("::add-matcher::.xdplab/") })
        let start = try #require(registration.range(of: "::add-matcher::.xdplab/")).upperBound
        let file = registration[start...].prefix { $0 != "\"" && $0 != "\n" }
        #expect(FileManager.default.fileExists(atPath: Markdown.repository.appendingPathComponent(String(file)).path), "\(file)")
    }

    @Test("the GitLab job: the same commands, artifacts when it fails too, the JUnit report")
    func gitlabJob() throws {
        let pipeline = try Self.yaml(under: "GitLab CI")
        let job = try #require(pipeline["xdplab-gate"] as? [String: Any])
        #expect((job["image"] as? String)?.hasSuffix("-bookworm") == true)
        let script = try #require(job["script"] as? [String])
        // Commands run inside the xdplab checkout, as `(cd .xdplab && …)` or `cd .xdplab && …`.
        let inside = script.compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: CharacterSet(charactersIn: "() \n"))
            return trimmed.hasPrefix("cd .xdplab && ") ? String(trimmed.dropFirst("cd .xdplab && ".count)) : nil
        }
        #expect(Self.inOrder(try Self.readmeCommands(), in: inside), "\(inside)")
        let run = try #require(inside.first { $0.hasPrefix(".build/debug/xdplab run Labs/gate/validator-ports.yaml") })
        #expect(Self.option("--program", in: run) != nil)
        let artifacts = try #require(job["artifacts"] as? [String: Any])
        #expect(artifacts["when"] as? String == "always")
        let paths = (artifacts["paths"] as? [String] ?? []).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "/")) }
        #expect(paths.contains(try #require(Self.option("--captures", in: run))))
        #expect((artifacts["reports"] as? [String: Any])?["junit"] as? String == Self.option("--junit", in: run))
    }

    @Test("the problem matcher: the file and the listing agree, and it reads xdplab's own diagnostics")
    func problemMatcher() throws {
        let listed = try #require(try Markdown.blocks("docs/ci.md", language: "json", under: "A problem matcher for lab files").first)
        let file = try Markdown.text("docs/xdplab-problem-matcher.json")
        #expect(listed.body == file)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(file.utf8)) as? [String: Any])
        let pattern = try #require(((json["problemMatcher"] as? [[String: Any]])?.first?["pattern"] as? [[String: Any]])?.first)
        let regex = try NSRegularExpression(pattern: try #require(pattern["regexp"] as? String))

        // A lab file with two problems, as xdplab validate prints them.
        let yaml = "lab: my-service\ntopology:\n  hosts: [server, client]\n  links:\n    - between: [server:enp1s0f0, client:eth0]\n      queue: 3\n"
        let diagnostics: [Diagnostic]
        do {
            _ = try LabLoader.parse(yaml: yaml, path: "labs/my-service.yaml")
            Issue.record("the lab must have problems")
            return
        } catch let error as LabFileError {
            diagnostics = error.diagnostics
        }
        #expect(diagnostics.count >= 2)
        for diagnostic in diagnostics {
            let line = diagnostic.description
            let match = try #require(regex.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), "\(line)")
            func group(_ key: String) -> String? {
                guard let index = pattern[key] as? Int, let range = Range(match.range(at: index), in: line) else { return nil }
                return String(line[range])
            }
            #expect(group("file") == "labs/my-service.yaml")
            #expect(group("line") == String(diagnostic.location.line))
            #expect(group("column") == String(diagnostic.location.column))
            #expect(group("severity") == "error")
            #expect(group("message") == diagnostic.message)
        }
    }
}
