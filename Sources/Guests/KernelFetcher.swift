import Foundation

/// Fetches Debian's kernel packages into the cache: `apt-get download`, `dpkg -x`, modules made loadable.
public struct KernelFetcher: Sendable {
    public let cache: KernelCache
    public let progress: @Sendable (String) -> Void

    public init(cache: KernelCache, progress: @escaping @Sendable (String) -> Void) {
        self.cache = cache
        self.progress = progress
    }

    /// Fetches the newest package of a series (`6.1`) or an exact version; an already cached one is kept.
    public func fetch(_ request: String) throws -> CachedKernel {
        let version = try packageVersion(for: request)
        if let cached = cache.list().first(where: { $0.version == version }) {
            progress("\(version): already cached in \(cache.directory(of: version))")
            return cached
        }
        let package = "linux-image-\(version)-amd64-unsigned"
        let downloads = cache.root + "/downloads"
        let staging = cache.kernelsDirectory + "/.\(version).partial"
        try makeDirectory(downloads)
        try? FileManager.default.removeItem(atPath: staging)
        try makeDirectory(staging)

        progress("\(version): apt-get download \(package)")
        try step("apt-get download \(package)",
                 ["sh", "-c", "cd \"$1\" && exec apt-get download -q \"$2\"", "sh", downloads, package], timeout: 900)
        let files = (try? FileManager.default.contentsOfDirectory(atPath: downloads)) ?? []
        guard let deb = files.filter({ $0.hasPrefix(package + "_") && $0.hasSuffix(".deb") }).sorted().last else {
            throw GuestError.io("find the downloaded \(package)_*.deb in \(downloads)")
        }
        let debPath = downloads + "/" + deb
        let packageVersion = try step("dpkg-deb -f", ["dpkg-deb", "-f", debPath, "Version"], timeout: 60)
            .trimmingCharacters(in: .whitespacesAndNewlines)

        progress("\(version): unpacking \(deb)")
        try step("dpkg -x \(deb)", ["dpkg", "-x", debPath, staging], timeout: 600)
        let modulesRoot = staging + "/lib/modules"
        guard let release = (try? FileManager.default.contentsOfDirectory(atPath: modulesRoot))?.first(where: { $0.hasPrefix(version) }) else {
            throw GuestError.io("find \(modulesRoot)/\(version)* in the unpacked package")
        }
        let vmlinuz = "boot/vmlinuz-\(release)"
        guard FileManager.default.fileExists(atPath: staging + "/" + vmlinuz) else {
            throw GuestError.io("find \(vmlinuz) in the unpacked package")
        }

        let moduleDirectory = modulesRoot + "/" + release
        let compressed = countFiles(in: moduleDirectory, suffix: ".ko.xz")
        if compressed > 0 {
            // virtme-ng's initramfs loads plain or zstd modules only; Debian 6.12 ships xz.
            progress("\(version): decompressing \(compressed) .ko.xz modules")
            try step("xz -d the modules", ["find", moduleDirectory, "-name", "*.ko.xz", "-exec", "xz", "-d", "{}", "+"], timeout: 900)
        }
        progress("\(version): depmod -a -b … \(release)")
        try step("depmod", ["depmod", "-a", "-b", staging, release], timeout: 300)

        let kernel = CachedKernel(version: version, release: release, package: package, packageVersion: packageVersion,
                                  fetchedAt: ISO8601DateFormatter().string(from: Date()), vmlinuz: vmlinuz,
                                  modules: countFiles(in: moduleDirectory, suffix: ".ko"), decompressedModules: compressed)
        let final = cache.directory(of: version)
        try? FileManager.default.removeItem(atPath: final)
        do {
            try FileManager.default.moveItem(atPath: staging, toPath: final)
        } catch {
            throw GuestError.io("move \(staging) to \(final): \(error.localizedDescription)")
        }
        try cache.write(kernel)
        try? FileManager.default.removeItem(atPath: debPath)
        progress("\(version): cached \(release) in \(final)")
        return kernel
    }

    /// The Debian version to fetch for a request; runs `apt-get update` once when apt knows none.
    func packageVersion(for request: String) throws -> String {
        if let version = KernelVersion.pick(request, from: try knownPackages()) { return version }
        progress("apt knows no linux-image-\(request)*-amd64-unsigned: apt-get update")
        try step("apt-get update", ["apt-get", "update", "-q"], timeout: 600)
        if let version = KernelVersion.pick(request, from: try knownPackages()) { return version }
        throw GuestError.noPackage(request)
    }

    private func knownPackages() throws -> [String] {
        let output = try step("apt-cache search", ["apt-cache", "search", "--names-only", "^linux-image-.*-amd64-unsigned$"], timeout: 120)
        return output.split(separator: "\n").compactMap { $0.split(separator: " ").first.map(String.init) }
    }

    @discardableResult
    private func step(_ what: String, _ arguments: [String], timeout: Double) throws -> String {
        let (status, output) = try BoundedCommand.capture(arguments, timeout: timeout)
        guard let status else { throw GuestError.command("\(what) (no answer within \(Int(timeout)) s)", output: output) }
        guard status == 0 else { throw GuestError.command("\(what) (exit status \(status))", output: output) }
        return output
    }

    private func makeDirectory(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw GuestError.io("create \(path): \(error.localizedDescription)")
        }
    }

    private func countFiles(in directory: String, suffix: String) -> Int {
        guard let walker = FileManager.default.enumerator(atPath: directory) else { return 0 }
        var count = 0
        while let path = walker.nextObject() as? String {
            if path.hasSuffix(suffix) { count += 1 }
        }
        return count
    }
}
