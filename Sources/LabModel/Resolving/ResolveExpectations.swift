import Yams

extension LabResolver {
    static let expectationKeys = ["check", "outcome"]

    /// At least one check, each at most once; short form `- name`, long form `- check: name` + `outcome:`.
    func resolveExpectations(_ node: Node, traffic: TrafficDraft?, hasRecovery: Bool) -> [Expectation]? {
        guard let items = reader.list(node, "expect", example: "[non-matching-reach-kernel, ssh-survives]") else {
            return nil
        }
        if items.isEmpty {
            reader.error("expect must list at least one check; checks are: "
                         + CheckName.allCases.map(\.rawValue).joined(separator: ", "), at: node)
            return nil
        }
        var expectations: [Expectation] = []
        var valid = true
        for item in items {
            guard let expectation = expectation(item) else { valid = false; continue }
            if let earlier = expectations.first(where: { $0.check == expectation.check }) {
                reader.error("check '\(expectation.check.rawValue)' is already listed at line \(earlier.location.line); "
                             + "a check may appear once", at: item)
                valid = false
                continue
            }
            if !sequenceChecksFit(expectation, node: item, traffic: traffic) {
                valid = false
                continue
            }
            if expectation.check == .recovers, !hasRecovery {
                reader.error("recovers judges a recovery drill; add a recovery section (watchdog, break, "
                             + "restore-within), or remove the check", at: item)
                valid = false
            }
            if expectation.check == .loadNoLoss, traffic?.spec != nil, traffic?.spec?.load == nil {
                reader.error("load-no-loss judges a load phase; add load: {duration: 3s, rate: max} to traffic, "
                             + "or remove the check", at: item)
                valid = false
            }
            if expectation.check == .sshSurvives, let off = traffic?.sshOff {
                reader.error("ssh-survives needs SSH sessions, but traffic has ssh: off (line \(reader.location(off).line)); "
                             + "remove one of them", at: item)
                valid = false
            }
            expectations.append(expectation)
        }
        return valid ? expectations : nil
    }

    private func expectation(_ node: Node) -> Expectation? {
        if case .mapping = node {
            guard let fields = reader.fields(node, "an expectation", known: Self.expectationKeys) else { return nil }
            let check = fields.required("check", reader, meaning: "the check's name, such as ssh-survives")
                .flatMap { reader.choice($0, "check", as: CheckName.self) }
            let outcome = fields["outcome"].map { reader.choice($0, "outcome", as: Outcome.self) } ?? .holds
            guard let check, let outcome else { return nil }
            return Expectation(check: check, outcome: outcome, location: reader.location(node))
        }
        guard let check = reader.choice(node, "check", as: CheckName.self) else { return nil }
        return Expectation(check: check, outcome: .holds, location: reader.location(node))
    }
}
