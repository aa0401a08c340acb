import Foundation
import Testing
import Guests

/// A kernel from scripts/build-guest-kernel sits in the cache beside fetched ones: its manifest (written by the
/// shell script) must decode, and a series request keeps meaning Debian's kernel.
@Suite("the kernel cache with a built netdevsim kernel")
struct BuiltKernelCacheTests {
    private func cache(with manifests: [String: String]) throws -> (KernelCache, String) {
        let root = NSTemporaryDirectory() + "xdplab-built-cache-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for (version, json) in manifests {
            let folder = root + "/kernels/" + version
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try json.write(toFile: folder + "/manifest.json", atomically: true, encoding: .utf8)
        }
        return (KernelCache(root: root), root)
    }

    private func fetched(_ version: String) -> String {
        """
        {"decompressedModules": 4230, "fetchedAt": "2026-11-30T22:11:47Z", "modules": 4230,
         "package": "linux-image-\(version)-amd64-unsigned", "packageVersion": "6.12.117-1~deb12u1",
         "release": "\(version)-amd64", "version": "\(version)", "vmlinuz": "boot/vmlinuz-\(version)-amd64"}
        """
    }

    /// What the script writes (the same keys, its layout).
    private let built = """
        {
          "builtSeconds" : 1800,
          "decompressedModules" : 0,
          "features" : [ "netdevsim" ],
          "fetchedAt" : "2026-12-01T03:30:00Z",
          "modules" : 0,
          "package" : "linux-source-6.12",
          "packageVersion" : "6.12.117-1~deb12u1",
          "release" : "6.12.117-netdevsim",
          "version" : "6.12.117-netdevsim",
          "vmlinuz" : "boot/vmlinuz-6.12.117-netdevsim"
        }
        """

    @Test("the script's manifest decodes as a built kernel; a fetched one is not built")
    func decodes() throws {
        let (cache, root) = try cache(with: ["6.12.117-netdevsim": built, "6.12.117+deb12": fetched("6.12.117+deb12")])
        defer { try? FileManager.default.removeItem(atPath: root) }
        let kernels = cache.list()
        let netdevsim = try #require(kernels.first { $0.version == "6.12.117-netdevsim" })
        #expect(netdevsim.isBuilt && netdevsim.features == ["netdevsim"] && netdevsim.builtSeconds == 1800)
        #expect(netdevsim.series == "6.12" && netdevsim.modules == 0)
        #expect(kernels.first { $0.version == "6.12.117+deb12" }?.isBuilt == false)
    }

    @Test("--kernel 6.12 is Debian's kernel when one is cached; the built one is taken by its name")
    func seriesPrefersDebian() throws {
        let (cache, root) = try cache(with: ["6.12.117-netdevsim": built, "6.12.117+deb12": fetched("6.12.117+deb12")])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try cache.resolve("6.12").version == "6.12.117+deb12")
        #expect(try cache.resolve("6.12.117-netdevsim").version == "6.12.117-netdevsim")
    }

    @Test("with only the built kernel of a series cached, the series finds it")
    func seriesFallsBackToBuilt() throws {
        let (cache, root) = try cache(with: ["6.12.117-netdevsim": built])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try cache.resolve("6.12").version == "6.12.117-netdevsim")
    }

    @Test("a missing netdevsim kernel points at the build script, not at fetching")
    func missingNamesTheScript() throws {
        let (cache, root) = try cache(with: [:])
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect { try cache.resolve("6.12.117-netdevsim") } throws: { error in
            "\(error)".contains("build it with: scripts/build-guest-kernel")
        }
    }
}
