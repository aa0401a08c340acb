import Foundation
import TestSupport

/// The repository's documents as a test reads them: fenced code blocks with the heading they stand under.
enum Markdown {
    static let repository: URL = {
        RepositoryPaths.root
    }()

    struct Block: Equatable {
        let language: String
        let heading: String
        let body: String
    }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: repository.appendingPathComponent(relativePath), encoding: .utf8)
    }

    /// Every fenced block, in order, with the text of the last heading above it (without the #s).
    static func blocks(_ relativePath: String) throws -> [Block] {
        var blocks: [Block] = []
        var heading = ""
        var open: (language: String, lines: [String])?
        for line in try text(relativePath).components(separatedBy: "\n") {
            if var current = open {
                if line.hasPrefix("```") {
                    blocks.append(Block(language: current.language, heading: heading,
                                        body: current.lines.joined(separator: "\n") + "\n"))
                    open = nil
                } else {
                    current.lines.append(line)
                    open = current
                }
            } else if line.hasPrefix("```") {
                open = (String(line.dropFirst(3)).trimmingCharacters(in: .whitespaces), [])
            } else if line.hasPrefix("#") {
                heading = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            }
        }
        return blocks
    }

    /// The blocks of one language under one heading.
    static func blocks(_ relativePath: String, language: String, under heading: String) throws -> [Block] {
        try blocks(relativePath).filter { $0.language == language && $0.heading == heading }
    }
}
