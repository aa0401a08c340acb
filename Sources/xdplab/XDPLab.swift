import ArgumentParser
import BPFSupport
import Foundation
import Reports

@main
struct XDPLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xdplab",
        abstract: "Prove an XDP / AF_XDP stack safe in a real, disposable network lab.",
        discussion: """
            Exit status: 0 every lab behaved as declared, 1 a check failed, 2 bad lab file, unusable program or usage, \
            3 this machine lacks a capability a lab needs, 4 every lab that ran passed but a lab was skipped (its \
            `requires:` not met here), 130 or 143 interrupted by SIGINT or SIGTERM.
            """,
        version: versionText,
        subcommands: [Run.self, Check.self, Validate.self, List.self, Destroy.self, Clean.self, Kernels.self, Doctor.self, BringUp.self])

    /// xdplab's version and the libraries behind it.
    static var versionText: String {
        let libxdp = LibraryVersions.libxdp.map { "libxdp \($0.version) (\($0.file))" } ?? "libxdp: not loaded"
        return """
            xdplab \(XDPLabVersion.current)
            libbpf \(LibraryVersions.libbpf) (built against headers \(LibraryVersions.libbpfHeaders))
            \(libxdp)
            """
    }

    /// ArgumentParser ends a usage or validation error with 64 (EX_USAGE); xdplab's documented status for every
    /// usage error is 2, so those are printed the same way and end with 2. Everything else exits as ArgumentParser says.
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            exit(error, usage: self)
        }
        do {
            try command.run()
        } catch {
            // A usage mistake found while running (a lab name that is not there) shows the subcommand's usage.
            exit(error, usage: type(of: command))
        }
        exit()
    }

    private static func exit(_ error: Error, usage command: ParsableCommand.Type) -> Never {
        if exitCode(for: error) == .validationFailure {
            var message = fullMessage(for: error)
            if let validation = error as? ValidationError, command != self {
                message = "Error: \(validation.message)\nUsage: xdplab \(command.usageString())\n"
                    + "  See 'xdplab \(command._commandName) --help' for more information."
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            Foundation.exit(Status.badInput.rawValue)
        }
        exit(withError: error)
    }
}

/// Exit statuses shared by every subcommand (SIGINT and SIGTERM end a run with 130 and 143: `Interruption`).
enum Status {
    static let failed = ExitCode(1)
    static let badInput = ExitCode(2)
    static let missingCapability = ExitCode(3)
    /// Everything that ran passed, but a lab was skipped because this kernel or machine lacks what it requires.
    static let skipped = ExitCode(4)
}
