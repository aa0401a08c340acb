import Yams

extension LabResolver {
    static let recoveryKeys = ["watchdog", "break", "restore-within", "on-failure"]
    static let breakKeys = ["at", "by", "program"]

    /// `recovery`: the watchdog, the break and the bound on the lockout. A drill needs SSH sessions (they are
    /// what must come back), a break within the traffic, and a program for `by: attach`.
    func resolveRecovery(_ node: Node, stack: StackSpec?, traffic: TrafficSpec?) -> RecoverySpec? {
        guard let fields = reader.fields(node, "recovery", known: Self.recoveryKeys) else { return nil }
        let hasProgram = stack?.program != nil
        let watchdog = fields["watchdog"].map { commandArguments($0, "watchdog", hasProgram: hasProgram) }
        let onFailure = fields["on-failure"].map { commandArguments($0, "on-failure", hasProgram: hasProgram) }
        let restore = fields.required("restore-within", reader, meaning: "how soon SSH must work again after the break, such as 25s")
            .flatMap { reader.duration($0, "restore-within", in: 0.1...600) }
        let broken = fields.required("break", reader, meaning: "when and how the drill breaks the network")
            .flatMap { breakSpec($0, stack: stack, traffic: traffic) }
        var valid = true
        if let traffic, traffic.ssh == nil {
            reader.error("a recovery drill times SSH sessions, but traffic has ssh: off; switch SSH on", at: node)
            valid = false
        }
        if let traffic, traffic.sequence != nil {
            reader.error("a recovery drill runs with traffic classes and SSH sessions, not a sequence", at: node)
            valid = false
        }
        guard valid, let restore, let broken, watchdog.map({ $0 != nil }) ?? true, onFailure.map({ $0 != nil }) ?? true
        else { return nil }
        return RecoverySpec(watchdog: watchdog ?? nil, breakAt: broken.at, breakBy: broken.by, breakProgram: broken.program,
                            restoreWithin: restore, onFailure: onFailure ?? nil, workingDirectory: LabPaths.folder(of: labPath))
    }

    private func breakSpec(_ node: Node, stack: StackSpec?, traffic: TrafficSpec?)
        -> (at: Double, by: BreakKind, program: String?)? {
        guard let fields = reader.fields(node, "break", known: Self.breakKeys) else { return nil }
        let at = fields.required("at", reader, meaning: "how long after traffic starts, such as 2s")
            .flatMap { reader.duration($0, "at") }
        let by = fields.required("by", reader, meaning: "attach or stack-exit")
            .flatMap { reader.choice($0, "by", as: BreakKind.self) }
        let program = fields["program"].flatMap(programPath)
        guard let at, let by else { return nil }
        if let traffic, at >= traffic.duration {
            reader.error("the break at \(LabDuration.format(at)) comes after traffic ends "
                         + "(traffic.duration \(LabDuration.format(traffic.duration))); break earlier or send for longer",
                         at: fields["at"])
            return nil
        }
        switch by {
        case .attach:
            guard let program else {
                if fields["program"] == nil {
                    reader.error("by: attach puts a program on the interface; name it with program:, such as "
                                 + "../programs/incidents/drop_all.bpf.c", at: node)
                }
                return nil
            }
            return (at, by, program)
        case .stackExit:
            if let extra = fields["program"] {
                reader.error("program only applies to by: attach; stack-exit leaves the stack's own program", at: extra)
                return nil
            }
            if let stack, stack.command == nil {
                reader.error("by: stack-exit kills a command stack's process; this stack is xdplab's built-in one "
                             + "(add stack.command, or break by: attach)", at: fields["by"])
                return nil
            }
            return (at, by, nil)
        }
    }
}
