import Foundation
import Glibc
import Testing
import Realization
import SystemSupport
import TestSupport

/// Short copies of the gate lab in a temporary folder, each with its own name; `failing` ones run the flags-0
/// incident program, so their failed-redirects-pass check fails.
private func shortLabs(_ names: [(name: String, failing: Bool)], in folder: String, duration: String = "2s") throws -> [String] {
    let gate = try String(contentsOfFile: Repository.gateLab, encoding: .utf8)
    let programs = Repository.programsFolder
    return try names.map { lab in
        let program = lab.failing ? "\(programs)/incidents/redirect_flags0.bpf.c" : "\(programs)/port_redirect.bpf.c"
        let text = gate.replacingOccurrences(of: "lab: validator-ports", with: "lab: \(lab.name)")
            .replacingOccurrences(of: "  program: ../programs/port_redirect.bpf.c", with: "  program: \(program)")
            .replacingOccurrences(of: "  preflight: [check]", with: "")
            .replacingOccurrences(of: "  duration: 6s", with: "  duration: \(duration)")
            .replacingOccurrences(of: "  rounds: 4", with: "  rounds: 1")
        let path = "\(folder)/\(lab.name).yaml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}

/// The run ids of the labs under `captures` (each child writes `<captures>/<lab>/<time>-<run>/`): the namespaces
/// to look at are theirs alone, whatever other suites run meanwhile.
private func runIDs(under captures: String) -> Set<String> {
    let labs = (try? FileManager.default.contentsOfDirectory(atPath: captures)) ?? []
    return Set(labs.flatMap { lab in
        ((try? FileManager.default.contentsOfDirectory(atPath: "\(captures)/\(lab)")) ?? []).compactMap {
            $0.split(separator: "-").last.map(String.init)
        }
    })
}

private func namespaces(ofRuns runs: Set<String>) -> [String] {
    ourNamespaces().filter { Ownership.runID(ofNamespace: $0).map(runs.contains) ?? false }
}

private func xdplab(_ arguments: [String]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: Repository.executable)
    process.arguments = arguments
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

@Suite("xdplab run --jobs: labs at once, each in a child run", .serialized,
       Probe.needs(tools: ["ip", "clang"], to: "build xdplab-<run>-* namespaces and load XDP"))
struct ParallelRunTests {
    @Test("reports come back in the order given, the exit status covers all, and nothing is left")
    func orderAndStatus() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Repository.executable), "build xdplab first")
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        let labs = try shortLabs([("par-one", false), ("par-two", true), ("par-three", false)], in: work)
        let captures = "\(work)/captures"
        let process = try xdplab(["run"] + labs + ["--jobs", "3", "--json", "\(work)/report.json", "--captures", captures])
        process.waitUntilExit()
        #expect(process.terminationStatus == 1, "one lab fails its checks")
        let data = try #require(FileManager.default.contents(atPath: "\(work)/report.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let reports = try #require(document["labs"] as? [[String: Any]])
        #expect(reports.compactMap { $0["lab"] as? String } == ["par-one", "par-two", "par-three"])
        #expect(reports.compactMap { $0["passed"] as? Bool } == [true, false, true])
        #expect(runIDs(under: captures).count == 3)
        #expect(namespaces(ofRuns: runIDs(under: captures)).isEmpty)
    }

    @Test("SIGTERM with several labs running ends every child run, starts no other, and every lab is torn down")
    func interruptEndsEveryChild() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Repository.executable), "build xdplab first")
        let work = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: work) }
        // Long enough that the first lab is still up when the last one's namespaces appear; SIGTERM ends them.
        let names = ["int-one", "int-two", "int-three", "int-four", "int-five"]
        let labs = try shortLabs(names.map { ($0, false) }, in: work, duration: "30s")
        let captures = "\(work)/captures"
        let process = try xdplab(["run"] + labs + ["--jobs", "3", "--json", "\(work)/report.json", "--captures", captures])
        // Wait until three labs have namespaces (two each), then interrupt.
        var appeared: [String] = []
        for _ in 0..<300 where appeared.count < 6 {
            Thread.sleep(forTimeInterval: 0.05)
            appeared = namespaces(ofRuns: runIDs(under: captures))
        }
        #expect(appeared.count == 6, "three labs up at once: \(appeared.sorted())")
        let signalled = Date()
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        #expect(process.terminationStatus == 143)
        #expect(Date().timeIntervalSince(signalled) < 20, "the labs still waiting were started and run instead of dropped")
        #expect(runIDs(under: captures).count == 3, "no lab started after the signal")
        #expect(namespaces(ofRuns: runIDs(under: captures)).isEmpty, "every child tore its lab down")
        // Every lab is in the report: three interrupted, two never started.
        let data = try #require(FileManager.default.contents(atPath: "\(work)/report.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let reports = try #require(document["labs"] as? [[String: Any]])
        let errors = reports.compactMap { $0["error"] as? String }
        #expect(Set(reports.compactMap { $0["lab"] as? String }) == Set(names))
        #expect(errors.filter { $0 == "interrupted by SIGTERM" }.count == 3, "\(errors)")
        #expect(errors.filter { $0 == "not started: the run was interrupted by SIGTERM" }.count == 2, "\(errors)")
    }
}
