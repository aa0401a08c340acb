import ArgumentParser
import Foundation
import Glibc
import LabModel
import Orchestrator

/// For Benchmarks/bring-up: builds a lab's topology and tears it down, `rounds` times, and prints how long each
/// took. No stack, no traffic.
struct BringUp: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bring-up",
        abstract: "Build and tear down a lab's topology only, timing each round (for Benchmarks/bring-up).",
        shouldDisplay: false)

    @Argument(help: "A lab file; only its topology is built.")
    var lab: String

    @Option(help: "How many times.")
    var rounds: Int = 5

    func run() throws {
        let (loaded, problems) = LabFiles.load([lab])
        guard problems.isEmpty, let lab = loaded.first else { throw Status.badInput }
        guard geteuid() == 0 else {
            FileHandle.standardError.write(Data("xdplab bring-up: needs root\n".utf8))
            throw Status.missingCapability
        }
        Interruption.install()
        for round in 1...max(1, rounds) {
            let timing = try TopologyTiming.measure(lab)
            print(String(format: "round %d: bring-up %.1f ms, tear-down %.1f ms, total %.1f ms", round,
                         timing.bringUp * 1000, timing.tearDown * 1000, (timing.bringUp + timing.tearDown) * 1000))
        }
    }
}
