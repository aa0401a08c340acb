import Foundation
import Testing
import TestSupport

/// Colour in the summary of a run that stops at once: its program has no xsks_map (bad input as root; without root,
/// a missing capability). Either way the summary shows a red ERROR, and nothing is deployed.
@Suite("Colour: --color decides; auto colours a terminal unless NO_COLOR is set to something")
struct ColorTests {
    static let escape = "\u{1B}["

    private func run(_ extra: [String], environment: [String: String?] = ["NO_COLOR": nil], terminal: Bool) throws -> XDPLabCommand.Result {
        try #require(XDPLabCommand.isBuilt, "build the xdplab executable first (swift build)")
        let captures = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: captures) }
        let arguments = ["run", RepositoryPaths.path("Labs/gate/validator-ports.yaml"), "--quiet", "--captures", captures,
                         "--program", RepositoryPaths.path("Tests/KernelTests/Fixtures/no_xskmap.bpf.c")] + extra
        let result = terminal ? try XDPLabCommand.runOnTerminal(arguments, environment: environment)
                              : try XDPLabCommand.run(arguments, environment: environment)
        #expect([2, 3].contains(result.status), "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("ERROR"), "\(result.stdout)")
        return result
    }

    @Test("on a pipe: auto is plain; always colours, even with NO_COLOR set")
    func pipe() throws {
        #expect(!(try run([], terminal: false).stdout.contains(Self.escape)))
        #expect(try run(["--color", "always"], terminal: false).stdout.contains(Self.escape))
        #expect(try run(["--color", "always"], environment: ["NO_COLOR": "1"], terminal: false).stdout.contains(Self.escape))
    }

    @Test("on a terminal: auto colours unless NO_COLOR is non-empty; never is plain",
          .enabled(if: XDPLabCommand.canUseTerminal, "needs script(1) from util-linux for a pseudo-terminal"))
    func terminal() throws {
        #expect(try run([], terminal: true).stdout.contains(Self.escape))
        #expect(!(try run([], environment: ["NO_COLOR": "1"], terminal: true).stdout.contains(Self.escape)))
        #expect(try run([], environment: ["NO_COLOR": ""], terminal: true).stdout.contains(Self.escape))
        #expect(!(try run(["--color", "never"], terminal: true).stdout.contains(Self.escape)))
    }
}
