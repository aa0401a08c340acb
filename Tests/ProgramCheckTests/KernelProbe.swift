import Foundation
import Glibc
import ProgramCheck
import Testing
import TestSupport

/// Whether this process may do what the kernel tests need, probed once; tests that need it are disabled
/// with a reason a reader sees.
enum KernelProbe {
    static let isRoot = Probe.isRoot
    static let hasClang = FileManager.default.isExecutableFile(atPath: "/usr/bin/clang")
    static let reason: Comment = "needs root (CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN) and clang"
    static let clangReason: Comment = "needs clang to compile the fixtures"
    static var ready: Bool { isRoot && hasClang }

    /// A namespace name of this test target's own, unique per call.
    static func isolation(_ label: String) -> CheckOptions.Isolation {
        .ownNamespace(name: "xdplab-tcheck-\(label)-\(String(UInt32.random(in: 0...0xFFFF_FFFF), radix: 16))")
    }

    /// True when the namespace of this isolation is gone again.
    static func noLeftovers(_ isolation: CheckOptions.Isolation) -> Bool {
        guard case .ownNamespace(let name?) = isolation else { return true }
        return !FileManager.default.fileExists(atPath: "/run/netns/\(name)")
    }
}
