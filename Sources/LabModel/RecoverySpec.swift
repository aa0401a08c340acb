/// A recovery drill: the lab breaks the network on purpose while traffic flows and times how long the team's
/// watchdog takes to bring SSH back, if it does.
public struct RecoverySpec: Sendable, Equatable {
    /// The watchdog, started in the stack's namespace before traffic (as production runs it), with the same
    /// placeholders and environment as a command stack; nil drills without one (nothing will restore SSH).
    public var watchdog: [String]?
    /// Seconds after traffic starts.
    public var breakAt: Double
    public var breakBy: BreakKind
    /// The program `attach` puts on the interface (absolute path of a `.bpf.c` or `.o`).
    public var breakProgram: String?
    /// SSH must work again within this many seconds after the break.
    public var restoreWithin: Double
    /// The manual recovery script, run after traffic when the interface still holds what broke it, to prove it
    /// would have worked.
    public var onFailure: [String]?
    /// The lab file's folder: the working directory of the watchdog and the on-failure script.
    public var workingDirectory: String

    public init(watchdog: [String]?, breakAt: Double, breakBy: BreakKind, breakProgram: String? = nil,
                restoreWithin: Double, onFailure: [String]? = nil, workingDirectory: String) {
        self.watchdog = watchdog
        self.breakAt = breakAt
        self.breakBy = breakBy
        self.breakProgram = breakProgram
        self.restoreWithin = restoreWithin
        self.onFailure = onFailure
        self.workingDirectory = workingDirectory
    }
}

/// How a drill breaks the network.
public enum BreakKind: String, Sendable, CaseIterable {
    /// Put `program` on the stack's interface, replacing whatever is attached (one wrong return value).
    case attach
    /// SIGKILL the command stack's whole process group, leaving its program attached with its sockets gone.
    case stackExit = "stack-exit"
}
