import Foundation
import Testing
import LabModel
import TestSupport

/// Every lab file the repository ships, found from this file's place in it.
private let shippedLabs: [String] = {
    let labs = RepositoryPaths.root.appendingPathComponent("Labs")
    let files = FileManager.default.enumerator(atPath: labs.path)?.compactMap { $0 as? String } ?? []
    return files.filter { $0.hasSuffix(".yaml") && !$0.hasSuffix(".matrix.yaml") }.sorted().map { labs.appendingPathComponent($0).path }
}()

@Suite("the labs the repository ships")
struct ShippedLabsTests {
    @Test("there are gate and incident labs to load")
    func found() {
        #expect(shippedLabs.contains { $0.hasSuffix("gate/validator-ports.yaml") })
        #expect(shippedLabs.filter { $0.contains("/incidents/") }.count >= 18)
    }

    @Test("every shipped lab file is valid", arguments: shippedLabs)
    func valid(_ path: String) {
        #expect(throws: Never.self) { try LabLoader.load(path: path) }
    }

    @Test("every incident has a fixed twin, and only the buggy one declares violations",
          arguments: shippedLabs.filter { $0.contains("/incidents/") && !$0.hasSuffix("-fixed.yaml") })
    func twins(_ path: String) throws {
        let buggy = try LabLoader.load(path: path)
        let fixed = try LabLoader.load(path: path.replacingOccurrences(of: ".yaml", with: "-fixed.yaml"))
        #expect(buggy.expectations.contains { $0.outcome == .violated })
        #expect(fixed.expectations.allSatisfy { $0.outcome == .holds })
        let story = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").prefix(3)
        #expect(story.count == 3 && story.allSatisfy { $0.hasPrefix("# ") }, "the first three lines tell the story")
    }
}
