import Foundation

/// The programs a guest boot needs, found on this machine, or what is missing and how to install it.
public struct GuestTools: Sendable {
    public let vng: String?
    public let qemu: String?
    public let depmod: String?
    /// virtme-ng builds its initramfs from the host's busybox.
    public let busybox: String?

    /// virtme-ng is looked for in PATH, then in the venvs `scripts/bootstrap --guests` makes.
    public static func find(cache: KernelCache = .standard) -> GuestTools {
        let venvs = [cache.root + "/venv/bin/vng", "/opt/xdplab-venv/bin/vng"]
        return GuestTools(vng: which("vng") ?? venvs.first { FileManager.default.isExecutableFile(atPath: $0) },
                          qemu: which("qemu-system-x86_64"),
                          depmod: which("depmod"), busybox: which("busybox"))
    }

    /// One line per missing tool, with the command that installs it; empty when all are there.
    public var missing: [String] {
        var lines: [String] = []
        if qemu == nil { lines.append("qemu-system-x86_64: apt-get install qemu-system-x86") }
        if depmod == nil { lines.append("depmod: apt-get install kmod") }
        if busybox == nil { lines.append("busybox (for virtme-ng's initramfs): apt-get install busybox-static") }
        if vng == nil { lines.append("vng (virtme-ng): python3 -m venv ~/.cache/xdplab/venv && ~/.cache/xdplab/venv/bin/pip install virtme-ng") }
        if !lines.isEmpty { lines.append("or run: scripts/bootstrap --guests") }
        return lines
    }

    /// PATH with vng's folder first: vng runs `virtme-run` from its own venv.
    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        if let vng {
            let folder = (vng as NSString).deletingLastPathComponent
            environment["PATH"] = folder + ":" + (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin")
        }
        return environment
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/sbin", "/sbin"]
        return directories.map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}
