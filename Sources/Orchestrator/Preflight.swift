import Foundation
import Glibc
import LabModel
import SystemSupport

/// What this machine must offer before a lab is built; each gap is a `CapabilityError` (exit status 3).
enum Preflight {
    static func check(_ lab: Lab) throws {
        guard geteuid() == 0 else {
            throw CapabilityError(capability: "root (CAP_SYS_ADMIN, CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK, CAP_NET_BIND_SERVICE)",
                                  detail: "xdplab creates network namespaces and loads BPF programs; run it as root (sudo)")
        }
        // Root in a container or under a restricted bounding set may still lack some.
        if let missing = ProcessCapabilities.missing(sessionPort: lab.traffic.ssh?.port), !missing.isEmpty {
            throw CapabilityError(capability: missing.map(\.name).joined(separator: ", "),
                                  detail: missing.map { "\($0.name) for \($0.why)" }.joined(separator: "; ")
                                      + "; in a container, run it privileged or add them (docs/ci.md)")
        }
        guard Command.which("ip") != nil else {
            throw CapabilityError(capability: "iproute2", detail: "`ip` is not installed; apt-get install iproute2")
        }
        if let program = lab.stack.program, program.hasSuffix(".c"), Command.which("clang") == nil {
            throw CapabilityError(capability: "clang",
                                  detail: "\(program) must be compiled but clang is not installed; apt-get install clang, or give a prebuilt .o")
        }
        guard FileManager.default.fileExists(atPath: NetworkNamespace.runDirectory)
                || (try? FileManager.default.createDirectory(atPath: NetworkNamespace.runDirectory,
                                                            withIntermediateDirectories: true)) != nil else {
            throw CapabilityError(capability: "network namespaces", detail: "cannot create \(NetworkNamespace.runDirectory)")
        }
    }
}
