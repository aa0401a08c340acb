import Foundation

/// One fetched kernel: `~/.cache/xdplab/kernels/<version>/` with the package unpacked and `manifest.json`.
public struct CachedKernel: Codable, Sendable, Equatable {
    /// Debian's version in the package name: `6.1.0-54`, `6.12.57+deb12`.
    public let version: String
    /// `uname -r` inside the guest: `6.1.0-54-amd64`.
    public let release: String
    public let package: String
    public let packageVersion: String
    public let fetchedAt: String
    /// Relative to the kernel's folder: `boot/vmlinuz-<release>`.
    public let vmlinuz: String
    public let modules: Int
    /// Modules that were xz-compressed and are now plain `.ko` (virtme-ng's initramfs cannot load `.ko.xz`).
    public let decompressedModules: Int
    /// What a kernel built by `scripts/build-guest-kernel` adds to Debian's (`["netdevsim"]`); nil for a fetched one.
    public var features: [String]? = nil
    /// How long that build's compile took on the machine that built it.
    public var builtSeconds: Int? = nil

    /// True for a kernel built here from `linux-source-*` rather than fetched from Debian.
    public var isBuilt: Bool { features != nil }

    public init(version: String, release: String, package: String, packageVersion: String, fetchedAt: String,
                vmlinuz: String, modules: Int, decompressedModules: Int) {
        self.version = version
        self.release = release
        self.package = package
        self.packageVersion = packageVersion
        self.fetchedAt = fetchedAt
        self.vmlinuz = vmlinuz
        self.modules = modules
        self.decompressedModules = decompressedModules
    }

    /// `6.1` for `6.1.0-54`, `6.12` for `6.12.57+deb12`.
    public var series: String { Self.series(of: version) }

    static func series(of version: String) -> String {
        version.split(separator: ".").prefix(2).joined(separator: ".")
    }
}

public struct KernelCache: Sendable {
    public let root: String

    /// `$XDPLAB_CACHE`, else `$XDG_CACHE_HOME/xdplab`, else `~/.cache/xdplab`.
    public static var standard: KernelCache {
        let environment = ProcessInfo.processInfo.environment
        if let explicit = environment["XDPLAB_CACHE"], !explicit.isEmpty { return KernelCache(root: explicit) }
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() + "/.cache")
        return KernelCache(root: base + "/xdplab")
    }

    public init(root: String) { self.root = root }

    public var kernelsDirectory: String { root + "/kernels" }
    public func directory(of version: String) -> String { kernelsDirectory + "/" + version }
    public func vmlinuz(of kernel: CachedKernel) -> String { directory(of: kernel.version) + "/" + kernel.vmlinuz }

    /// Every kernel with a readable manifest, newest series and version first.
    public func list() -> [CachedKernel] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: kernelsDirectory)) ?? []
        let kernels = names.compactMap { name -> CachedKernel? in
            guard let data = FileManager.default.contents(atPath: directory(of: name) + "/manifest.json") else { return nil }
            return try? JSONDecoder().decode(CachedKernel.self, from: data)
        }
        return kernels.sorted { KernelVersion.isNewer($0.version, than: $1.version) }
    }

    /// The newest cached kernel of a series (`6.1`), or the one with this exact version or release. A series
    /// means Debian's kernel when one is cached: a built kernel (`6.12.117-netdevsim`) is taken by its name, so
    /// `--kernel 6.12` keeps meaning the same kernel after a build.
    public func resolve(_ name: String) throws -> CachedKernel {
        let kernels = list()
        if let exact = kernels.first(where: { $0.version == name || $0.release == name }) { return exact }
        let series = kernels.filter { $0.series == name }
        if let newest = series.first(where: { !$0.isBuilt }) ?? series.first { return newest }
        throw GuestError.notCached(name, cached: kernels.map(\.version))
    }

    func write(_ kernel: CachedKernel) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let path = directory(of: kernel.version) + "/manifest.json"
        do {
            try encoder.encode(kernel).write(to: URL(fileURLWithPath: path))
        } catch {
            throw GuestError.io("write \(path): \(error.localizedDescription)")
        }
    }
}

/// Orders Debian kernel versions by their numbers: 6.12.57+deb12 > 6.12.9+deb12, 6.1.0-54 > 6.1.0-9.
public enum KernelVersion {
    static func numbers(_ version: String) -> [Int] {
        let trimmed = version.split(separator: "+").first.map(String.init) ?? version
        return trimmed.split(whereSeparator: { $0 == "." || $0 == "-" }).map { Int($0) ?? 0 }
    }

    public static func isNewer(_ a: String, than b: String) -> Bool {
        let (x, y) = (numbers(a), numbers(b))
        for (p, q) in zip(x, y) where p != q { return p > q }
        return x.count > y.count
    }

    /// The version in a package name: `linux-image-6.1.0-54-amd64-unsigned` → `6.1.0-54`.
    public static func fromPackage(_ name: String) -> String? {
        let prefix = "linux-image-", suffix = "-amd64-unsigned"
        guard name.hasPrefix(prefix), name.hasSuffix(suffix) else { return nil }
        let version = String(name.dropFirst(prefix.count).dropLast(suffix.count))
        // Flavours (cloud, rt) are not the generic kernel.
        guard let first = version.first, first.isNumber, !version.contains("-cloud"), !version.contains("-rt") else { return nil }
        return version
    }

    /// Picks the package for a request: a series (`6.1`, newest of it) or an exact version (`6.1.0-50`,
    /// `6.12.57+deb12`, or a release `6.1.0-50-amd64`).
    public static func pick(_ request: String, from packages: [String]) -> String? {
        let wanted = request.hasSuffix("-amd64") ? String(request.dropLast("-amd64".count)) : request
        let versions = packages.compactMap(fromPackage)
        if versions.contains(wanted) { return wanted }
        return versions.filter { CachedKernel.series(of: $0) == wanted }.sorted { isNewer($0, than: $1) }.first
    }
}
