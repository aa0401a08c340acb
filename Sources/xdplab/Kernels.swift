import ArgumentParser
import Foundation
import Guests

struct Kernels: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Guest kernels for `xdplab run --kernel`: fetch Debian's, list the cache.",
        subcommands: [Fetch.self, List.self])

    struct Fetch: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Download the newest Debian kernel of each series (6.1, 6.12) or an exact version, ready to boot.",
            discussion: "Unpacks into ~/.cache/xdplab/kernels/<version>/ (or $XDPLAB_CACHE), decompresses xz modules and runs depmod.")

        @Argument(help: "Series such as 6.1 and 6.12, or exact versions such as 6.1.0-50.")
        var versions: [String]

        func run() throws {
            let cache = KernelCache.standard
            let fetcher = KernelFetcher(cache: cache) { print("kernels: \($0)") }
            var failed = false
            for version in versions {
                do {
                    let kernel = try fetcher.fetch(version)
                    print("kernels: \(version) → \(kernel.release) (\(kernel.modules) modules)")
                } catch {
                    failed = true
                    FileHandle.standardError.write(Data("xdplab kernels fetch \(version): \(error)\n".utf8))
                }
            }
            let missing = GuestTools.find(cache: cache).missing
            if !missing.isEmpty {
                print("kernels: to boot them, this machine still needs:\n  " + missing.joined(separator: "\n  "))
            }
            if failed { throw Status.failed }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the cached guest kernels.")

        func run() {
            let cache = KernelCache.standard
            let kernels = cache.list()
            if kernels.isEmpty {
                print("no guest kernels in \(cache.kernelsDirectory); fetch some with: xdplab kernels fetch 6.1 6.12")
                return
            }
            print(KernelTable.render(kernels, cache: cache))
        }
    }
}

enum KernelTable {
    static func render(_ kernels: [CachedKernel], cache: KernelCache) -> String {
        let headers = ["series", "version", "release", "modules", "fetched", "folder"]
        // A built kernel has everything built in; its modules cell says what it adds to Debian's.
        let rows = kernels.map { kernel in
            let compiled = kernel.builtSeconds.map { " (compiled here in \(($0 + 59) / 60) min)" } ?? ""
            let modules = kernel.features.map { "built in, adds " + $0.joined(separator: ", ") + compiled } ?? "\(kernel.modules)"
            return [kernel.series, kernel.version, kernel.release, modules, String(kernel.fetchedAt.prefix(10)),
                    cache.directory(of: kernel.version)]
        }
        let widths = headers.indices.map { column in ([headers] + rows).map { $0[column].count }.max()! }
        return ([headers] + rows).map { cells in
            cells.indices.map { cells[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }.joined(separator: "  ")
                .trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
