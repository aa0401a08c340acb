import Foundation
import Glibc
import Testing
@testable import AFXDPStack
import BPFSupport
import CLibBPF  // SOCK_RAW resolves through the kernel headers CLibBPF brings
import Evidence
import Packets
import Realization
import SystemSupport
import KernelObservation
import XSKSockets
import TestSupport

/// One namespace of its own per test, `xdplab-tobs-<random>`, with a veth whose stack side `s0` has two RX
/// queues and whose peer `p0` has one TX queue: veth hands TX queue q to RX queue q, so every frame `p0`
/// sends arrives on `s0`'s queue 0. Deleted by `remove()`, which the tests call in a `defer`.
private struct ObservedLink {
    static let stackMAC: [UInt8] = [0x02, 0, 0, 0, 0x02, 0x0b]
    static let peerMAC: [UInt8] = [0x02, 0, 0, 0, 0x02, 0x0a]
    let namespace = "xdplab-tobs-\(String(UInt32.random(in: 0...UInt32.max), radix: 16))"
    let work: String

    init() throws {
        work = NSTemporaryDirectory() + "xdplab-tobs-\(getpid())-\(UUID().uuidString.prefix(8))"
        try Command.checked("ip", ["netns", "add", namespace])
        do {
            try Command.checked("ip", ["-n", namespace, "link", "add", "p0", "address", AddressText.mac(Self.peerMAC),
                                       "numtxqueues", "1", "numrxqueues", "1", "type", "veth", "peer", "name", "s0",
                                       "address", AddressText.mac(Self.stackMAC), "numtxqueues", "2", "numrxqueues", "2"])
            for device in ["p0", "s0"] {
                try Command.checked("ip", ["-n", namespace, "link", "set", "dev", device, "addrgenmode", "none", "up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    func remove() {
        _ = try? Command.run("ip", ["netns", "del", namespace])
        try? FileManager.default.removeItem(atPath: work)
    }

    var gone: Bool { !FileManager.default.fileExists(atPath: NetworkNamespace.path(namespace)) }

    func ifindex(_ device: String) throws -> Int32 {
        try NetworkNamespace.run(namespace) { Int32(bitPattern: if_nametoindex(device)) }
    }

    func stack(queues: [Int], refill: Bool = true, initialFill: Int? = nil) throws -> AFXDPStack {
        let source = RepositoryPaths.path("Labs/programs/port_redirect.bpf.c")
        let object = try BPFCompiler.object(for: source, outputDirectory: work)
        return AFXDPStack(configuration: StackConfiguration(
            namespace: namespace, interface: "s0", objectPath: object, attachMode: .native, ports: [8003],
            socketQueues: queues, refillFillRing: refill, workDirectory: work, initialFill: initialFill))
    }

    /// Sends `count` UDP frames to port 8003 from `p0` through an AF_PACKET socket; they arrive on `s0` queue 0.
    func send(count: Int) throws {
        let builder = FrameBuilder(source: Self.peerMAC, destination: Self.stackMAC)
        let header = IPv4Header(source: [198, 18, 0, 2], destination: [198, 18, 0, 1])
        let sender = try RawSocket(namespace: namespace, interface: "p0", tap: false)
        for i in 0..<count {
            try sender.send(builder.ipv4(header, .udp(source: UInt16(40000 + i), destination: 8003,
                                                      payload: Array(repeating: 0xAB, count: 32))))
        }
    }
}

@Suite("What the kernel says about AF_XDP sockets and attached programs, whoever made them", .serialized,
       Probe.needs(tools: ["ip", "clang"], to: "build xdplab-tobs-* namespaces, load BPF and open AF_XDP sockets"))
struct ObservedTests {
    @Test("ObservedSockets sees the stack's sockets with exact queue and ifindex; a starved socket's drops show after traffic")
    func socketsOfTheStack() throws {
        let link = try ObservedLink()
        defer { link.remove() }
        #expect(try ObservedSockets.all(namespace: link.namespace).isEmpty)

        // Both sockets get only 4 fill-ring frames and are never refilled; all traffic arrives on queue 0.
        let stack = try link.stack(queues: [0, 1], refill: false, initialFill: 4)
        defer { stack.shutdown() }
        for step: StackStep in [.load, .createSockets, .register, .attach] { try stack.perform(step) }
        let s0 = try link.ifindex("s0")
        let before = try ObservedSockets.bound(to: "s0", namespace: link.namespace)
        #expect(before.map(\.queue) == [0, 1])
        #expect(before.allSatisfy { $0.ifindex == s0 && $0.inode != 0 })
        #expect(before.allSatisfy { $0.statistics == SocketStatistics() })
        #expect(before.allSatisfy { $0.rxRingEntries == 2048 && $0.fillRingEntries == 2048 })
        #expect(Set(before.compactMap(\.umemID)).count == 2, "one UMEM each")
        #expect(before.allSatisfy { $0.zeroCopy == false }, "veth has copy mode only")
        if before.first?.source == .taskFileIterator {
            #expect(before.allSatisfy { $0.owners == [getpid()] }, "this process holds them")
        }
        #expect(try ObservedSockets.bound(to: "p0", namespace: link.namespace).isEmpty)
        #expect(try ObservedSockets.all(namespace: link.namespace) == before)

        try link.send(count: 10)
        var after = before
        let deadline = Date().addingTimeInterval(3)
        while Date() < deadline, (after.first?.statistics?.rxDropped ?? 0) < 6 {
            Thread.sleep(forTimeInterval: 0.02)
            after = try ObservedSockets.bound(to: "s0", namespace: link.namespace)
        }
        #expect(after.map(\.inode) == before.map(\.inode))
        let starved = try #require(after.first { $0.queue == 0 }?.statistics)
        #expect(starved.rxDropped == 6, "4 frames filled the 4 buffers, 6 found the fill ring empty")
        #expect(starved.rxFillRingEmptyDescs > 0)
        #expect(starved.rxRingFull == 0)
        #expect(after.first { $0.queue == 1 }?.statistics == SocketStatistics(), "queue 1 got nothing")
        // The kernel's numbers are the socket's own XDP_STATISTICS.
        #expect(stack.evidence().sockets[0]?.rxDropped == starved.rxDropped)

        stack.shutdown()
        #expect(try ObservedSockets.all(namespace: link.namespace).isEmpty, "closing the stack closes its sockets")
        link.remove()
        #expect(link.gone)
    }

    @Test("AttachedPrograms reports the id XDPAttachment attached, in its mode, and nil after detach")
    func attachedProgram() throws {
        let link = try ObservedLink()
        defer { link.remove() }
        #expect(try AttachedPrograms.xdp(namespace: link.namespace, interface: "s0") == nil)

        let stack = try link.stack(queues: [])
        let object = try BPFObject(path: stack.configuration.objectPath)
        try object.load()
        let program = try #require(object.xdpProgram)
        let info = try program.info()
        let attachment = try XDPAttachment.attach(program, namespace: link.namespace, interface: "s0", mode: .native)
        let found = try #require(try AttachedPrograms.xdp(namespace: link.namespace, interface: "s0"))
        #expect(found.id == info.id)
        #expect(found.name == "port_redirect")
        #expect(found.mode == .native)
        #expect(found.tag.count == 16 && found.tag.allSatisfy(\.isHexDigit) && found.tag == info.tag)
        let maps = try found.mapIDs.map { try BPFMapInfo(id: $0) }
        #expect(Set(maps.map(\.name)).isSuperset(of: ["xsks_map", "validator_ports"]), "\(maps.map(\.name))")
        #expect(try AttachedPrograms.xdp(namespace: link.namespace, interface: "p0") == nil)

        #expect(attachment.detach() == nil)
        #expect(try AttachedPrograms.xdp(namespace: link.namespace, interface: "s0") == nil)

        // Another loader, the generic path: ip(8) loads and attaches it, xdplab only looks.
        try Command.checked("ip", ["-n", link.namespace, "link", "set", "dev", "s0", "xdpgeneric", "obj",
                                   stack.configuration.objectPath, "sec", "xdp"])
        let foreign = try #require(try AttachedPrograms.xdp(namespace: link.namespace, interface: "s0"))
        #expect(foreign.mode == .generic)
        #expect(foreign.id != info.id)
        #expect(foreign.tag == info.tag, "the same instructions give the same tag, whoever loads them")
        #expect(throws: SystemError.self) { try AttachedPrograms.xdp(namespace: link.namespace, interface: "nosuch0") }
        link.remove()
        #expect(link.gone)
    }
}
