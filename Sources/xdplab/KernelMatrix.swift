import Foundation
import Glibc
import Guests
import LabModel
import Orchestrator
import Reports

/// `xdplab run --kernel …`: every lab on every kernel named, the host's as a plain run would (`HostRun`), each
/// guest's in one boot.
struct KernelMatrix {
    enum Target {
        case host
        case guest(CachedKernel)
    }

    let labs: [Lab]
    let options: RunOptions
    /// How the host's leg runs its labs (at once or one by one), as a plain `xdplab run` would.
    let host: HostRun
    let programOverride: String?
    let accelerator: String
    let timeout: Double?

    struct Outcome {
        var reports: [LabReport] = []
        var kernels: [KernelRun] = []
        var missingCapability = false

        mutating func add(_ other: Outcome) {
            reports += other.reports
            kernels += other.kernels
            missingCapability = missingCapability || other.missingCapability
        }
    }

    /// Each lab on the kernels its `kernels:` names (the host when it names none), kernels in order of first mention.
    static func declaredPlan(_ labs: [Lab]) -> [(kernel: String, labs: [Lab])] {
        var order: [String] = []
        for lab in labs {
            for kernel in lab.kernels.isEmpty ? ["host"] : lab.kernels where !order.contains(kernel) { order.append(kernel) }
        }
        return order.map { kernel in
            (kernel, labs.filter { $0.kernels.isEmpty ? kernel == "host" : $0.kernels.contains(kernel) })
        }
    }

    /// Resolves `host` and cached kernels by series or version; a kernel not in the cache is a usage error.
    static func targets(_ names: [String], cache: KernelCache) throws -> [Target] {
        try names.map { name in
            name == "host" ? .host : .guest(try cache.resolve(name))
        }
    }

    func run(_ targets: [Target]) throws -> Outcome {
        var outcome = Outcome()
        let cache = KernelCache.standard
        let tools = GuestTools.find(cache: cache)
        var chosen: (Accelerator, String)?
        for target in targets {
            Interruption.parkIfInterrupted()
            switch target {
            case .host:
                let started = Date()
                let reports = host.run(labs).reports
                outcome.reports += reports.map { $0.on(kernel: "host") }
                outcome.missingCapability = outcome.missingCapability || reports.contains { $0.errorKind == .missingCapability }
                outcome.kernels.append(KernelRun(name: "host", release: Self.hostRelease, accelerator: "host", bootSeconds: nil,
                                                 totalSeconds: Date().timeIntervalSince(started), error: nil))
            case .guest(let kernel):
                let boot = GuestBoot(tools: tools, cache: cache)
                let directory = guestDirectory(kernel)
                if chosen == nil { chosen = choose(boot, kernel: kernel, directory: directory) }
                let (accel, why) = chosen!
                say(kernel.release, "booting under \(accel.rawValue.uppercased()) (\(why)); shared folder \(directory)")
                outcome.reports += guestRun(boot, kernel: kernel, accelerator: accel, directory: directory, outcome: &outcome)
            }
        }
        return outcome
    }

    private func guestRun(_ boot: GuestBoot, kernel: CachedKernel, accelerator: Accelerator, directory: String,
                          outcome: inout Outcome) -> [LabReport] {
        let started = Date()
        let bound = timeout ?? Double(180 + 300 * labs.count)
        // One by one: under TCG the guest's two CPUs are emulated, and labs at once would turn its slowness into
        // timing failures.
        var arguments = labs.map { URL(fileURLWithPath: $0.path).standardizedFileURL.path } + ["--jobs", "1"]
        if let programOverride { arguments += ["--program", programOverride] }
        do {
            let result = try boot.runLabs(kernel: kernel, accelerator: accelerator, directory: directory,
                                          executable: Self.executable, runArguments: arguments,
                                          workingDirectory: FileManager.default.currentDirectoryPath, timeout: bound) {
                say(kernel.release, $0)
            }
            say(kernel.release, String(format: "done in %.1f s (xdplab exit status %d in the guest)", result.totalSeconds, result.status))
            if result.status == 3 { outcome.missingCapability = true }
            outcome.kernels.append(KernelRun(name: kernel.release, release: kernel.release, accelerator: accelerator.rawValue,
                                             bootSeconds: result.bootSeconds, totalSeconds: result.totalSeconds, error: nil))
            return result.reports.map { $0.on(kernel: kernel.release) }
        } catch {
            let seconds = Date().timeIntervalSince(started)
            say(kernel.release, "could not run the labs: \(error)")
            outcome.kernels.append(KernelRun(name: kernel.release, release: kernel.release, accelerator: accelerator.rawValue,
                                             bootSeconds: nil, totalSeconds: seconds, error: "\(error)"))
            return labs.map { LabReport.couldNotRun(lab: $0.name, file: $0.path, error: "\(error)", kernel: kernel.release, seconds: seconds) }
        }
    }

    /// KVM when asked, or when `auto` and a short probe boots a guest; TCG otherwise.
    private func choose(_ boot: GuestBoot, kernel: CachedKernel, directory: String) -> (Accelerator, String) {
        switch accelerator {
        case "tcg": return (.tcg, "--accel tcg")
        case "kvm": return (.kvm, "--accel kvm")
        default:
            say(kernel.release, "probing KVM (at most 20 s)")
            let probe = boot.probeKVM(kernel: kernel, directory: directory + "/kvm-probe")
            return probe.works ? (.kvm, probe.reason) : (.tcg, "KVM probe: " + probe.reason)
        }
    }

    private func guestDirectory(_ kernel: CachedKernel) -> String {
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let base = URL(fileURLWithPath: options.capturesDirectory).standardizedFileURL.path
        return "\(base)/guests/\(kernel.release)-\(stamp)-\(getpid())"
    }

    private func say(_ kernel: String, _ text: String) {
        FileHandle.standardError.write(Data("[kernel \(kernel)] \(text)\n".utf8))
    }

    /// The running binary: the guest runs the very same one from the host's root file system.
    static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }

    static var hostRelease: String {
        var name = utsname()
        uname(&name)
        return withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
    }
}
