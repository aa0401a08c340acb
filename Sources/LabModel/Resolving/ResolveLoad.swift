import Yams

extension LabResolver {
    static let loadKeys = ["duration", "rate"]
    /// Above this, a rate is surely a typo: the fastest sender on veth moves about 1.3 M packets/s.
    static let loadRateLimit = 10_000_000

    /// `load: {duration: 3s, rate: max}` or a rate in packets per second; both keys are optional.
    func resolveLoad(_ node: Node, stack: StackDraft?) -> LoadSpec? {
        if case .scalar = node, !reader.isNull(node) {
            reader.error("load must be a mapping such as {duration: 3s, rate: max}", at: node)
            return nil
        }
        let fields = reader.isNull(node) ? nil : reader.fields(node, "load", known: Self.loadKeys)
        if !reader.isNull(node), fields == nil { return nil }
        if stack?.spec?.command != nil {
            reader.error("load needs the built-in stack: its own sockets count what they receive, a command stack's "
                         + "cannot; remove load or the stack's command", at: node)
            return nil
        }
        let duration = fields?["duration"].map { reader.duration($0, "load duration", in: 0.1...60) } ?? 3
        let rate = fields?["rate"].map(loadRate) ?? .some(nil)
        guard let duration, let rate else { return nil }
        return LoadSpec(duration: duration, rate: rate)
    }

    /// nil: invalid (reported). `.some(nil)`: `max`.
    private func loadRate(_ node: Node) -> Int?? {
        guard let text = reader.string(node, "load rate") else { return nil }
        if text == "max" { return .some(nil) }
        guard Int(text) != nil else {
            reader.error("load rate must be max or packets per second such as 50000, got '\(text)'", at: node)
            return nil
        }
        return reader.integer(node, "load rate", in: 1...Self.loadRateLimit).map { .some($0) }
    }
}
