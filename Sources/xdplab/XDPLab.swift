import ArgumentParser

@main
struct XDPLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "xdplab",
        abstract: "Prove an XDP / AF_XDP stack safe in a real, disposable network lab.",
        discussion: """
            Exit status: 0 every lab behaved as declared, 1 a check failed, 2 bad lab file or usage,
            3 this machine lacks a capability a lab needs, 4 every lab that ran passed but a lab was skipped (its
            `requires:` not met here).
            """,
        subcommands: [Run.self, Check.self, Validate.self, Clean.self, Kernels.self, Doctor.self])
}

/// Exit statuses shared by every subcommand.
enum Status {
    static let failed = ExitCode(1)
    static let badInput = ExitCode(2)
    static let missingCapability = ExitCode(3)
    /// Everything that ran passed, but a lab was skipped because this kernel or machine lacks what it requires.
    static let skipped = ExitCode(4)
}
