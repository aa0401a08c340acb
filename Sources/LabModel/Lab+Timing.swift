extension Lab {
    /// Whether the paced traffic, and the stack's start before it, need the machine to themselves: declared
    /// (`timing: sensitive`), or a command stack whose traffic starts at attach, where the verdict rests on the
    /// window between its attach and its registration.
    public var pacedTrafficIsTimingSensitive: Bool {
        traffic.timing == .sensitive || stack.command?.trafficStarts == .atAttach
    }

    /// Whether any part of the run needs the cores to itself: the paced traffic, a sequence run or a load phase.
    public var isTimingSensitive: Bool {
        pacedTrafficIsTimingSensitive || traffic.sequence != nil || traffic.load != nil
    }
}
