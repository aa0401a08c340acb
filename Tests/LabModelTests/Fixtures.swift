import Foundation
import Testing
@testable import LabModel

/// Paths into the test bundle's `Fixtures` folder.
enum Fixtures {
    static let folder: String = {
        guard let url = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
            fatalError("the LabModelTests bundle has no Fixtures folder")
        }
        return url.standardizedFileURL.path
    }()

    static func lab(_ name: String) -> String { "\(folder)/labs/\(name)" }
    static func program(_ name: String) -> String { "\(folder)/programs/\(name)" }

    /// Where inline YAML pretends to live, so `../programs/…` finds the fixture programs.
    static let inlinePath = lab("inline.yaml")

    /// A valid lab to vary in tests; `replacing` swaps one exact line for another text.
    static let baseYAML = """
        lab: base
        topology:
          hosts: [validator, peer]
          links:
            - between: [validator:eth0, peer:eth0]
              queues: 2
        stack:
          host: validator
          interface: eth0
          program: ../programs/port_redirect.bpf.c
          ports: [8003]
        traffic:
          from: peer
        expect: [ssh-survives]
        """

    static func base(replacing line: String, with replacement: String) -> String {
        precondition(baseYAML.contains(line), "base lab has no line '\(line)'")
        return baseYAML.replacingOccurrences(of: line, with: replacement)
    }

    static func base(adding text: String) -> String { baseYAML + "\n" + text }
}

/// The diagnostics a parse reports; records a test failure when it succeeds instead.
func diagnostics(yaml: String, path: String = Fixtures.inlinePath) -> [Diagnostic] {
    do {
        let lab = try LabLoader.parse(yaml: yaml, path: path)
        Issue.record("expected problems, but the lab parsed: \(lab.name)")
        return []
    } catch let error as LabFileError {
        return error.diagnostics
    } catch {
        Issue.record("unexpected error type: \(error)")
        return []
    }
}

/// The only diagnostic's "line:column: message", for compact expectations.
func onlyProblem(yaml: String) -> String {
    let found = diagnostics(yaml: yaml)
    #expect(found.count == 1, "expected one problem, got: \(found.map(\.description))")
    guard let first = found.first else { return "" }
    return "\(first.location.line):\(first.location.column): \(first.message)"
}
