import Yams

/// Resolves a composed lab file in one pass. Each section is read even when an earlier one has
/// problems, so the author sees every problem at once; checks that depend on a broken value are
/// skipped rather than reported twice.
struct LabResolver {
    let reader: NodeReader
    /// The lab file, absolute; `program:` paths are relative to its folder.
    let labPath: String

    static let topKeys = ["lab", "description", "topology", "stack", "traffic", "expect", "recovery", "requires",
                          "kernels"]

    func resolve(_ root: Node) -> Lab? {
        guard let top = reader.fields(root, "the lab file", known: Self.topKeys) else { return nil }
        let name = top.required("lab", reader, meaning: "the lab's name, such as validator-ports").flatMap(labName)
        let description = top["description"].flatMap { reader.isNull($0) ? nil : reader.string($0, "description") }

        let topology = top.required("topology", reader, meaning: "the hosts and the links between them")
            .map(resolveTopology)
        let stack = top.required("stack", reader, meaning: "the AF_XDP stack to deploy")
            .map { resolveStack($0, topology: topology) }
        let traffic = top.required("traffic", reader, meaning: "the traffic to send to the stack")
            .map { resolveTraffic($0, topology: topology, stack: stack) }
        let expectations = top.required("expect", reader, meaning: "the checks to run, such as ssh-survives")
            .flatMap { resolveExpectations($0, traffic: traffic, hasRecovery: top["recovery"] != nil) }
        let recovery = top["recovery"].map { resolveRecovery($0, stack: stack?.spec, traffic: traffic?.spec) }
        let requires = top["requires"].map(resolveRequirements) ?? []
        let kernels = top["kernels"].map(reader.kernelList) ?? []

        guard let name, let topology = topology?.value, let stackSpec = stack?.spec,
              let trafficSpec = traffic?.spec, let expectations, recovery == nil || recovery! != nil else { return nil }
        guard let requires, let kernels else { return nil }
        var lab = Lab(name: name, description: description, path: labPath, topology: topology,
                      stack: stackSpec, traffic: trafficSpec, expectations: expectations, recovery: recovery ?? nil)
        lab.requires = requires
        // A netdevsim link cannot be built without the driver: the lab needs it whether it says so or not, so it
        // is skipped (with the reason) instead of failing where netdevsim is absent.
        if topology.links.contains(where: { $0.kind == .netdevsim }), !requires.contains(.netdevsim) {
            lab.requires.append(.netdevsim)
        }
        lab.kernels = kernels
        return lab
    }

    /// `requires: [fexit, netdevsim]`: known names, each once.
    private func resolveRequirements(_ node: Node) -> [Requirement]? {
        guard let items = reader.list(node, "requires", example: "[fexit, netdevsim]") else { return nil }
        let known = Requirement.allCases.map(\.rawValue)
        var requirements: [Requirement] = []
        var good = true
        for item in items {
            guard let text = reader.string(item, "a requirement") else { good = false; continue }
            guard let requirement = Requirement(rawValue: text) else {
                reader.error("unknown requirement '\(text)'" + Suggestion.hint(for: text, among: known, listing: "requirements"), at: item)
                good = false
                continue
            }
            if requirements.contains(requirement) {
                reader.error("requirement '\(text)' is listed twice", at: item)
                good = false
                continue
            }
            requirements.append(requirement)
        }
        return good ? requirements : nil
    }

    /// `[a-z0-9][a-z0-9-]*`, at most 40 characters: it names folders and reports.
    private func labName(_ node: Node) -> String? {
        guard let text = reader.string(node, "lab") else { return nil }
        let allowed = text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard allowed, text.count <= 40, !text.hasPrefix("-") else {
            reader.error("lab name must be 1 to 40 lower-case letters, digits and '-', not starting with '-'; "
                         + "got '\(text)'", at: node)
            return nil
        }
        return text
    }
}

/// Lab-file name rules shared by hosts and interfaces: `[a-z][a-z0-9]*` up to `maxLength`.
enum Names {
    /// Host names become parts of namespace names, so they stay short; 9 lets in "validator".
    static let hostLength = 9
    /// The kernel's limit for interface names (IFNAMSIZ less the terminating zero).
    static let interfaceLength = 15

    static func isValid(_ text: String, maxLength: Int) -> Bool {
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first), text.count <= maxLength else { return false }
        return text.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }
}
