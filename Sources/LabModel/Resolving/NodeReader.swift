import Foundation
import Yams

/// Reads YAML nodes into plain values and records every problem, with its place, instead of stopping
/// at the first. Each reader returns nil after recording why, so callers only skip what depends on it.
final class NodeReader {
    let file: String
    private(set) var diagnostics: [Diagnostic] = []

    init(file: String) { self.file = file }

    func location(_ node: Node?) -> SourceLocation { location(node?.mark) }

    func location(_ mark: Mark?) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    func error(_ message: String, at node: Node?) { error(message, at: location(node)) }

    func error(_ message: String, at location: SourceLocation) {
        diagnostics.append(Diagnostic(location: location, message: message))
    }

    /// `key:` with nothing after it, `~` or `null`.
    func isNull(_ node: Node) -> Bool {
        if case .scalar = node { return node.null != nil }
        return false
    }

    /// What was found instead, for "must be a list, got …".
    func kind(of node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar): return isNull(node) ? "nothing" : "'\(scalar.string)'"
        }
    }

    /// A mapping whose keys are all in `known`; unknown keys are reported with a suggestion.
    func fields(_ node: Node, _ what: String, known: [String]) -> Fields? {
        guard case .mapping(let mapping) = node else {
            error("\(what) must be a mapping of settings (key: value lines), got \(kind(of: node))", at: node)
            return nil
        }
        var values: [String: Node] = [:]
        var misspelt: Set<String> = []
        for (keyNode, value) in mapping {
            guard case .scalar(let key) = keyNode else {
                error("keys must be plain names, got \(kind(of: keyNode))", at: keyNode)
                continue
            }
            guard known.contains(key.string) else {
                if let meant = Suggestion.closest(to: key.string, among: known) { misspelt.insert(meant) }
                let hint = Suggestion.hint(for: key.string, among: known, listing: "keys of \(what)")
                error("unknown key '\(key.string)'\(hint)", at: keyNode)
                continue
            }
            values[key.string] = value
        }
        return Fields(node: node, name: what, values: values, misspelt: misspelt)
    }

    /// A YAML list; a single value where a list belongs is an error, not a one-item list.
    func list(_ node: Node, _ what: String, example: String) -> [Node]? {
        guard case .sequence(let sequence) = node else {
            error("\(what) must be a list such as \(example), got \(kind(of: node))", at: node)
            return nil
        }
        return Array(sequence)
    }

    /// A single non-empty value.
    func string(_ node: Node, _ what: String) -> String? {
        guard case .scalar(let scalar) = node else {
            error("\(what) must be a single value, got \(kind(of: node))", at: node)
            return nil
        }
        guard !isNull(node), !scalar.string.isEmpty else {
            error("\(what) needs a value", at: node)
            return nil
        }
        return scalar.string
    }

    /// A whole decimal number within `range`.
    func integer(_ node: Node, _ what: String, in range: ClosedRange<Int>) -> Int? {
        guard let text = string(node, what) else { return nil }
        guard let value = Int(text) else {
            error("\(what) must be a whole number between \(range.lowerBound) and \(range.upperBound), got '\(text)'", at: node)
            return nil
        }
        guard range.contains(value) else {
            error("\(what) must be between \(range.lowerBound) and \(range.upperBound), got \(value)", at: node)
            return nil
        }
        return value
    }

    /// A duration in seconds, optionally within `range` (seconds).
    func duration(_ node: Node, _ what: String, in range: ClosedRange<Double>? = nil) -> Double? {
        guard let text = string(node, what) else { return nil }
        guard let seconds = LabDuration.parse(text) else {
            error("\(what) must be a duration greater than zero such as 250ms, 2s, 1.5s or 1m "
                  + "(a bare number means seconds), got '\(text)'", at: node)
            return nil
        }
        if let range, !range.contains(seconds) {
            error("\(what) must be between \(LabDuration.format(range.lowerBound)) and "
                  + "\(LabDuration.format(range.upperBound)), got \(text)", at: node)
            return nil
        }
        return seconds
    }

    /// One of an enumeration's lab-file names.
    func choice<T: RawRepresentable & CaseIterable>(_ node: Node, _ what: String, as type: T.Type) -> T?
    where T.RawValue == String {
        guard let text = string(node, what) else { return nil }
        if let value = T(rawValue: text) { return value }
        let names = T.allCases.map(\.rawValue)
        error("unknown \(what) '\(text)'" + Suggestion.hint(for: text, among: names, listing: "choices"), at: node)
        return nil
    }
}

/// The values of one mapping by key, after unknown keys were reported.
struct Fields {
    let node: Node
    let name: String
    let values: [String: Node]
    /// Known keys that an unknown key was taken for; their absence is already explained.
    let misspelt: Set<String>

    subscript(key: String) -> Node? { values[key] }

    /// The value of a key that must be there; its absence is reported at the mapping, unless a
    /// misspelling of it was already reported.
    func required(_ key: String, _ reader: NodeReader, meaning: String) -> Node? {
        if let value = values[key] { return value }
        if misspelt.contains(key) { return nil }
        reader.error("\(name) is missing '\(key)' (\(meaning))", at: node)
        return nil
    }
}
