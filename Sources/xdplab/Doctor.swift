import ArgumentParser
import Foundation
import Guests
import LabModel
import Orchestrator

struct Doctor: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show what this kernel and machine allow, each line checked for real.",
        discussion: """
            Loads a pass-everything XDP program, test-runs it, aims fexit and the xdp tracepoints at it, attaches it \
            natively to a veth in a scratch namespace (removed again) and binds AF_XDP sockets there; boots a cached \
            guest kernel with KVM for at most 20 s. Names in brackets are what a lab can list under `requires:`.
            """)

    func run() {
        print(DoctorReport.render(MachineCheck.all(includeKVM: true)), terminator: "")
    }
}

/// The kernel's capabilities plus the guest side: KVM (a bounded boot), cached kernels, virtme-ng and qemu.
enum MachineCheck {
    static func all(includeKVM: Bool) -> [Capability] {
        var found = MachineProbe.kernel()
        let cache = KernelCache.standard
        let tools = GuestTools.find(cache: cache)
        let kernels = cache.list()
        if includeKVM { found.append(kvm(tools: tools, cache: cache, kernel: kernels.last)) }
        found.append(Capability(name: "cached guest kernels", requirement: nil, available: !kernels.isEmpty,
                                detail: kernels.isEmpty ? "none in \(cache.kernelsDirectory) (xdplab kernels fetch 6.1 6.12)"
                                    : kernels.map(\.release).joined(separator: ", ")))
        found.append(Capability(name: "guest tools", requirement: nil, available: tools.missing.isEmpty,
                                detail: tools.missing.isEmpty ? "vng \(tools.vng!), \(tools.qemu!), busybox, depmod"
                                    : "missing: " + tools.missing.joined(separator: "; ")))
        return found
    }

    static func kvm(tools: GuestTools, cache: KernelCache, kernel: CachedKernel?) -> Capability {
        guard FileManager.default.fileExists(atPath: "/dev/kvm") else {
            return Capability(name: "KVM", requirement: .kvm, available: false, detail: "no /dev/kvm")
        }
        guard let kernel, tools.missing.isEmpty else {
            return Capability(name: "KVM", requirement: .kvm, available: false,
                              detail: "/dev/kvm exists, not probed: a guest boot needs a cached kernel and virtme-ng/qemu")
        }
        let folder = NSTemporaryDirectory() + "xdplab-kvm-probe-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let probe = GuestBoot(tools: tools, cache: cache).probeKVM(kernel: kernel, directory: folder)
        return Capability(name: "KVM", requirement: .kvm, available: probe.works,
                          detail: "/dev/kvm exists; \(probe.reason)" + (probe.works ? "" : ": guests run under TCG"))
    }
}

enum DoctorReport {
    /// `  yes  fexit on an XDP program [fexit]  load refused: …`, aligned.
    static func render(_ capabilities: [Capability]) -> String {
        let names = capabilities.map { $0.name + ($0.requirement.map { " [\($0.rawValue)]" } ?? "") }
        let width = names.map(\.count).max() ?? 0
        var lines = ["xdplab doctor: kernel \(KernelMatrix.hostRelease)"]
        for (capability, name) in zip(capabilities, names) {
            lines.append("  \(capability.available ? "yes" : "no ")  \(name.padding(toLength: width, withPad: " ", startingAt: 0))  \(capability.detail)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Skips labs whose `requires:` this machine does not meet; probes once, and only when a lab asks.
final class RequirementGate {
    private var capabilities: [Capability]?

    func skipReason(_ lab: Lab) -> String? {
        guard !lab.requires.isEmpty else { return nil }
        let found = capabilities ?? MachineCheck.all(includeKVM: lab.requires.contains(.kvm))
        capabilities = found
        let missing = lab.requires.compactMap { requirement -> String? in
            guard let capability = found.first(where: { $0.requirement == requirement }) else { return "\(requirement.rawValue) (not probed)" }
            return capability.available ? nil : "\(requirement.rawValue): \(capability.detail)"
        }
        return missing.isEmpty ? nil : "requires " + missing.joined(separator: "; ")
    }
}
