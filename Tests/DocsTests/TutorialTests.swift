import Foundation
import Testing
import LabModel

/// docs/writing-a-lab.md and docs/program-contract.md show files of the repository and what xdplab says about them;
/// these tests keep the listings equal to the files and the quoted diagnostics equal to what the loader reports.
@Suite("docs: the tutorial and the program contract")
struct TutorialTests {
    static let lab = "Examples/tutorial/my-service.yaml"
    static var labPath: String { Markdown.repository.appendingPathComponent(lab).path }

    /// The diagnostics of a lab text as `xdplab validate Examples/tutorial/my-service.yaml` prints them.
    static func diagnostics(_ yaml: String) -> [String] {
        do {
            _ = try LabLoader.parse(yaml: yaml, path: labPath)
            return []
        } catch let error as LabFileError {
            return error.diagnostics.map { $0.description.replacingOccurrences(of: labPath, with: lab) }
        } catch {
            return ["\(error)"]
        }
    }

    /// The `error:` lines of the text block that follows a step's listing.
    static func quotedErrors(_ block: Markdown.Block) -> [String] {
        block.body.split(separator: "\n").map(String.init).filter { $0.contains(": error: ") }
    }

    @Test("the finished lab is the file in Examples/tutorial, and it loads")
    func finishedLab() throws {
        let listed = try #require(try Markdown.blocks("docs/writing-a-lab.md", language: "yaml", under: "4. The whole file").first)
        #expect(listed.body == (try Markdown.text(Self.lab)))
        let lab = try LabLoader.load(path: Self.labPath)
        #expect(lab.stack.interface == "enp1s0f0")
        #expect(lab.stack.ports == [9000, 9001, 9100])
        #expect(lab.stack.socketQueues == [0, 1] && lab.queueCount == 3)
    }

    @Test("each step's quoted errors are what the loader reports for that step's file")
    func stepErrors() throws {
        let blocks = try Markdown.blocks("docs/writing-a-lab.md")
        func output(after heading: String, index: Int = 0) throws -> Markdown.Block {
            try #require(blocks.filter { $0.heading == heading && $0.language == "text" }.dropFirst(index).first)
        }
        #expect(Self.quotedErrors(try output(after: "1. An empty file")) == Self.diagnostics(""))

        let machines = try #require(blocks.first { $0.heading == "2. The machines and the NIC" && $0.language == "yaml" })
        #expect(Self.quotedErrors(try output(after: "2. The machines and the NIC")) == Self.diagnostics(machines.body))

        let stack = try #require(blocks.first { $0.heading == "3. The stack, the traffic, the checks" && $0.language == "yaml" })
        let steps = machines.body + "\n" + stack.body
        #expect(Self.quotedErrors(try output(after: "3. The stack, the traffic, the checks")) == Self.diagnostics(steps))
        let missingQueue = steps.replacingOccurrences(of: "  queue: [0, 1]", with: "  queues: [0, 3]")
        #expect(Self.quotedErrors(try output(after: "3. The stack, the traffic, the checks", index: 1)) == Self.diagnostics(missingQueue))
    }

    @Test("the contract's minimal program is the file in Examples/program")
    func minimalProgram() throws {
        let listed = try #require(try Markdown.blocks("docs/program-contract.md", language: "c", under: "A minimal program").first)
        #expect(listed.body == (try Markdown.text("Examples/program/minimal_xdp.bpf.c")))
    }

    @Test("relative links in the README and docs lead to files that exist")
    func links() throws {
        for document in ["README.md", "docs/ci.md", "docs/program-contract.md", "docs/writing-a-lab.md", "docs/lab-format.md"] {
            let text = try Markdown.text(document)
            let folder = URL(fileURLWithPath: document).deletingLastPathComponent().relativePath
            let regex = try NSRegularExpression(pattern: "\\]\\(([^)#\\s]+)(#[^)]*)?\\)")
            for match in regex.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let target = String(text[Range(match.range(at: 1), in: text)!])
                guard !target.contains("://") else { continue }
                let path = Markdown.repository.appendingPathComponent(folder == "." ? target : "\(folder)/\(target)").path
                #expect(FileManager.default.fileExists(atPath: path), "\(document) links \(target)")
            }
        }
    }
}
