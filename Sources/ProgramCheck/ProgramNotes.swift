import Foundation
import BPFSupport

/// What reading a program's instructions tells before any packet is run: the fallback of each
/// `bpf_redirect_map` call, and sign tests of its result that can never be true (with what the verifier
/// made of them). `xdplab run` adds these sentences to a failing lab's diagnosis.
public enum ProgramNotes {
    /// Sentences about the loaded object at `objectPath`; empty when there is nothing to say. Never throws:
    /// a program that cannot be read gives a sentence saying so.
    public static func notes(objectPath: String, ports: [UInt16], queues: Int) -> [String] {
        let program: ProgramUnderTest
        do {
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("xdplab-notes-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: work) }
            program = try ProgramUnderTest(path: objectPath, ports: ports, queues: queues, workDirectory: work)
        } catch {
            return ["The program's instructions could not be read: \(error)."]
        }
        let instructions = program.instructions
        let calls = RedirectLint.calls(in: instructions, mapNames: program.mapNames)
        var notes: [String] = []
        for call in calls where !call.emptySlotIsSafe {
            notes.append("Static analysis: \(call.summary).")
        }
        let tests = ResultTestLint.findings(in: instructions)
        guard !tests.isEmpty else { return notes }
        let translated = (try? program.program.translatedInstructions()).map(ProgramUnderTest.instructions(of:))
        for test in tests {
            let flags = calls.first { $0.instruction == test.call }
            let fallback = flags.map { $0.flags.count == 1 && !$0.computedAtRunTime
                ? "its flags & 3 (here \($0.flags[0]), \(RedirectLint.fallback($0.flags[0])))" : "its flags & 3" } ?? "its flags & 3"
            var sentence = "Static analysis: instruction \(test.instruction) tests the result of the bpf_redirect_map call at "
                + "instruction \(test.call) for a negative value (`\(test.text)`). That can never be true: on a failed lookup "
                + "the helper returns \(fallback), never a negative errno, so the branch is dead and the fallback still applies."
            if let translated {
                let before = ResultTestLint.signedComparisons(in: instructions)
                let after = ResultTestLint.signedComparisons(in: translated)
                sentence += after < before
                    ? " The verifier proved it too: the translated program the kernel runs has \(after) signed comparison"
                      + "\(after == 1 ? "" : "s") where the object has \(before) (\(instructions.count) → \(translated.count) instructions)."
                    : " The kernel's translated program keeps the branch (\(after) of the object's \(before) signed comparison"
                      + "\(before == 1 ? "" : "s"), \(instructions.count) → \(translated.count) instructions): this kernel's "
                      + "verifier does not narrow the helper's result, so the dead branch stays in, harmless but misleading."
            }
            notes.append(sentence)
        }
        return notes
    }
}
