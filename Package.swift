// swift-tools-version: 6.0
import PackageDescription

// Layers, bottom to top:
//   CLibBPF / CLibPcap / XDPShim  C libraries (libbpf+libxdp and libpcap never meet: their headers clash)
//   LabModel                      lab files as checked values; needs no root
//   Packets                       frame builders and parsers, the packet tag that traces every packet
//   Evidence                      records of what was sent and what the kernel saw, shared by the layers
//   Realization                   namespaces, veth links, addresses, ownership marks, clean-up
//   BPFSupport                    compiling and loading BPF objects
//   AFXDPStack                    the AF_XDP stack under test and the kernel evidence around it
//   Traffic                       queue steering, injection, SSH-like sessions
//   Capture                       libpcap capture into Captures/
//   Verification                  packet fates and the named checks
//   Reports                       terminal, JSON and JUnit output
//   Orchestrator                  runs a lab from file to verdict
//   Guests                        guest kernels: the cache, fetching Debian's packages, booting them with virtme-ng
//   xdplab                        the command line
let package = Package(
    name: "xdplab",
    platforms: [.macOS(.v13)],
    products: [.executable(name: "xdplab", targets: ["xdplab"])],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CLibBPF", path: "Sources/CLibBPF", pkgConfig: "libxdp",
                       providers: [.apt(["libbpf-dev", "libxdp-dev"])]),
        .systemLibrary(name: "CLibPcap", path: "Sources/CLibPcap", pkgConfig: "libpcap",
                       providers: [.apt(["libpcap-dev"])]),
        .target(name: "XDPShim", dependencies: ["CLibBPF"], path: "Sources/XDPShim"),

        .target(name: "LabModel", dependencies: [.product(name: "Yams", package: "Yams")]),
        .target(name: "Packets"),
        .target(name: "Evidence"),
        .target(name: "CLinux"),
        .target(name: "Realization", dependencies: ["CLinux"]),
        .target(name: "BPFSupport", dependencies: ["CLibBPF", "XDPShim", "Realization"]),
        .target(name: "Sequencing"),
        .target(name: "CMapRing", path: "Sources/MapRing/CMapRing"),
        .target(name: "MapRing", dependencies: ["CLibBPF", "BPFSupport", "Realization", "Sequencing", "CMapRing"],
                exclude: ["CMapRing"]),
        .target(name: "AFXDPStack",
                dependencies: ["CLibBPF", "XDPShim", "BPFSupport", "Realization", "Packets", "Evidence", "LabModel",
                               "Sequencing"],
                resources: [.copy("bpf")]),
        .target(name: "Traffic",
                dependencies: ["CLibBPF", "XDPShim", "BPFSupport", "Realization", "Packets", "Evidence", "LabModel",
                               "Sequencing", "CLinux"],
                resources: [.copy("bpf")]),
        .target(name: "Capture", dependencies: ["CLibPcap", "Realization", "Packets", "Evidence"]),
        .target(name: "Verification", dependencies: ["LabModel", "Packets", "Evidence", "Sequencing"]),
        .target(name: "Reports", dependencies: ["Verification", "LabModel", "Evidence", "Sequencing"]),
        .target(name: "Orchestrator",
                dependencies: ["LabModel", "Realization", "BPFSupport", "AFXDPStack", "Traffic",
                               "Capture", "Verification", "Reports", "Packets", "Evidence", "MapRing", "Sequencing",
                               "ProgramCheck", "XDPShim"],
                resources: [.copy("bpf")]),
        .target(name: "ProgramCheck",
                dependencies: ["CLibBPF", "XDPShim", "BPFSupport", "AFXDPStack", "Realization", "Packets", "Reports"]),
        .target(name: "Guests", dependencies: ["Reports"]),
        .executableTarget(name: "xdplab",
                          dependencies: ["Orchestrator", "ProgramCheck", "Guests", "LabModel", "Reports", "Realization", "BPFSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Helpers shared by the test targets (a library, so that they exist once): probes as named traits, the
        // repository's paths, the built executable, veth pairs in namespaces of a test's own, raw sockets.
        .target(name: "TestSupport", dependencies: ["Realization", "Packets"], path: "Tests/TestSupport"),
        .testTarget(name: "LabModelTests", dependencies: ["LabModel", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PacketsTests", dependencies: ["Packets", "Traffic", "TestSupport"]),
        .testTarget(name: "SequencingTests", dependencies: ["Sequencing", "TestSupport"], resources: [.copy("Snapshots")]),
        .testTarget(name: "VerificationTests",
                    dependencies: ["Verification", "Reports", "LabModel", "Packets", "Evidence", "Sequencing", "TestSupport"]),
        .testTarget(name: "KernelTests",
                    dependencies: ["Orchestrator", "AFXDPStack", "Traffic", "Capture", "Realization", "BPFSupport", "Packets", "Evidence", "LabModel",
                                   "MapRing", "Sequencing", "Reports", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DocsTests", dependencies: ["LabModel", "TestSupport", .product(name: "Yams", package: "Yams")]),
        // The built xdplab executable, run as users run it: exit statuses, output streams, reports.
        .testTarget(name: "CommandLineTests", dependencies: ["TestSupport"]),
        .testTarget(name: "GuestTests", dependencies: ["Guests", "Reports", "TestSupport"]),
        .testTarget(name: "ProgramCheckTests",
                    dependencies: ["ProgramCheck", "Packets", "Realization", "BPFSupport", "AFXDPStack", "CLibBPF", "TestSupport"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v5]
)
