// swift-tools-version: 6.0
import PackageDescription

// Layers, bottom to top; a target imports only targets above it in this list, and declares what it imports.
//   CLibBPF / CLibPcap / XDPShim  C libraries (libbpf+libxdp and libpcap never meet: their headers clash)
//   CLinux                        C helpers for what Swift's Glibc lacks: setns, posix_spawn groups, rtnetlink
//   CMapRing                      C side of the map-ring poller (volatile slot reads, timer slack)
//   LabModel                      lab files as checked values; needs no root
//   Packets                       frame builders and parsers, the packet tag that traces every packet
//   Evidence                      records of what was sent and what the kernel saw, shared by the layers
//   Sequencing                    sequence payloads, pacing, loss and order judgement, consumer stalls
//   TextOutput                    XML escaping and ANSI colour, for every report writer
//   SystemSupport                 errno-carrying errors, the syscall wrapper, namespace entry, processes
//   Realization                   namespaces, veth links, addresses, ownership marks, clean-up (rtnetlink)
//   BPFSupport                    compiling and loading BPF objects
//   KernelObservation             what the kernel shows: attached XDP programs, AF_XDP sockets, held programs
//   XSKSockets                    one AF_XDP socket with its UMEM and drain thread; the idle socket
//   MapRing                       the BPF-map ring receiver of the map-ring incident and its watch
//   AFXDPStack                    the stack under test (built-in or the team's command) and the evidence around it
//   Traffic                       queue steering, injection, SSH-like sessions, sequenced senders and receivers
//   Capture                       libpcap capture into Captures/
//   Verification                  packet fates and the named checks
//   Reports                       terminal, JSON, JUnit and HTML output
//   ProgramCheck                  `xdplab check`: the BPF_PROG_TEST_RUN verdict matrix
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
        .target(name: "SystemSupport", dependencies: ["CLinux"]),
        .target(name: "Realization", dependencies: ["SystemSupport", "CLinux"]),
        .target(name: "BPFSupport", dependencies: ["CLibBPF", "XDPShim", "SystemSupport"]),
        .target(name: "Sequencing"),
        .target(name: "CMapRing", path: "Sources/MapRing/CMapRing"),
        .target(name: "MapRing", dependencies: ["CLibBPF", "BPFSupport", "SystemSupport", "Sequencing", "CMapRing"],
                exclude: ["CMapRing"]),
        .target(name: "XSKSockets", dependencies: ["CLibBPF", "BPFSupport", "SystemSupport", "Packets", "Evidence", "Sequencing"]),
        .target(name: "KernelObservation", dependencies: ["CLibBPF", "XDPShim", "BPFSupport", "SystemSupport", "Evidence"],
                resources: [.copy("bpf")]),
        .target(name: "AFXDPStack",
                dependencies: ["CLibBPF", "XDPShim", "BPFSupport", "SystemSupport", "Evidence", "Sequencing", "XSKSockets",
                               "KernelObservation"],
                resources: [.copy("bpf")]),
        .target(name: "Traffic",
                dependencies: ["CLibBPF", "XDPShim", "BPFSupport", "SystemSupport", "Packets", "Evidence", "LabModel",
                               "Sequencing", "CLinux"],
                resources: [.copy("bpf")]),
        .target(name: "Capture", dependencies: ["CLibPcap", "SystemSupport", "Packets"]),
        .target(name: "Verification", dependencies: ["LabModel", "Evidence", "Sequencing"]),
        .target(name: "TextOutput"),
        .target(name: "Reports", dependencies: ["Verification", "LabModel", "Evidence", "Sequencing", "TextOutput"]),
        .target(name: "Orchestrator",
                dependencies: ["LabModel", "SystemSupport", "Realization", "BPFSupport", "AFXDPStack", "Traffic",
                               "Capture", "Verification", "Reports", "Evidence", "MapRing", "Sequencing",
                               "ProgramCheck", "XDPShim", "KernelObservation", "XSKSockets"],
                resources: [.copy("bpf")]),
        .target(name: "ProgramCheck",
                dependencies: ["CLibBPF", "XDPShim", "BPFSupport", "XSKSockets", "KernelObservation", "SystemSupport",
                               "Realization", "Packets", "TextOutput", "LabModel"]),
        .target(name: "Guests", dependencies: ["Reports"]),
        .executableTarget(name: "xdplab",
                          dependencies: ["Orchestrator", "ProgramCheck", "Guests", "LabModel", "Reports", "SystemSupport", "Realization",
                                         "BPFSupport",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")]),

        // Helpers shared by the test targets (a library, so that they exist once): probes as named traits, the
        // repository's paths, the built executable, veth pairs in namespaces of a test's own, raw sockets.
        .target(name: "TestSupport", dependencies: ["Realization", "SystemSupport", "Packets"], path: "Tests/TestSupport"),
        .testTarget(name: "LabModelTests", dependencies: ["LabModel", "TestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PacketsTests", dependencies: ["Packets", "Traffic", "LabModel"]),
        .testTarget(name: "SequencingTests", dependencies: ["Sequencing", "TestSupport"], resources: [.copy("Snapshots")]),
        .testTarget(name: "VerificationTests",
                    dependencies: ["Verification", "Reports", "LabModel", "Evidence", "Sequencing", "TestSupport"]),
        .testTarget(name: "KernelTests",
                    dependencies: ["Orchestrator", "AFXDPStack", "Traffic", "Capture", "Realization", "SystemSupport", "BPFSupport", "Packets",
                                   "KernelObservation", "XSKSockets",
                                   "Evidence", "LabModel",
                                   "MapRing", "Sequencing", "Reports", "Verification", "CLibBPF", "TestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DocsTests", dependencies: ["LabModel", "TestSupport", .product(name: "Yams", package: "Yams")]),
        // The built xdplab executable, run as users run it: exit statuses, output streams, reports.
        .testTarget(name: "CommandLineTests", dependencies: ["TestSupport"]),
        .testTarget(name: "SystemSupportTests", dependencies: ["SystemSupport"]),
        .testTarget(name: "GuestTests", dependencies: ["Guests", "Reports", "Verification", "TestSupport"]),
        // `xdplab check`'s logic without a kernel (corpus, rules, judging, reports); ProgramCheckTests needs clang and root.
        .testTarget(name: "ProgramCheckLogicTests", dependencies: ["ProgramCheck", "Packets"]),
        .testTarget(name: "ProgramCheckTests",
                    dependencies: ["ProgramCheck", "Realization", "SystemSupport", "BPFSupport", "XSKSockets",
                                   "KernelObservation", "AFXDPStack", "CLibBPF", "LabModel", "TestSupport"],
                    exclude: ["Fixtures"]),
    ],
    swiftLanguageModes: [.v6]
)

// Every file imports the modules whose members it uses, so a target's declared dependencies are its real ones.
for target in package.targets where target.type != .system {
    target.swiftSettings = (target.swiftSettings ?? []) + [.enableUpcomingFeature("MemberImportVisibility")]
}
