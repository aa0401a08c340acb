import Foundation
import Glibc
import Testing
import AFXDPStack
import BPFSupport
import Evidence
import Packets
import Realization
import SystemSupport
import KernelObservation
import XSKSockets
import TestSupport

/// Two namespaces of this test's own joined by a 4-queue veth: `peer0` in `-a` sends, `stk0` in `-b` carries the
/// stack. No addresses and no IPv6 address generation, so the kernel itself puts no frame on the link.
private final class StackLink {
    static let peerMAC: [UInt8] = [0x02, 0, 0, 0, 0x01, 0x0a]
    static let stackMAC: [UInt8] = [0x02, 0, 0, 0, 0x01, 0x0b]
    static let queues = 4

    let pair: VethPair
    var peer: String { pair.a.namespace }
    var stack: String { pair.b.namespace }

    init() throws {
        pair = try VethPair(label: "stack", interfaces: ("peer0", "stk0"), macs: (Self.peerMAC, Self.stackMAC),
                            queues: Self.queues)
    }

    func remove() { pair.remove() }

    /// Makes every frame `peer0` sends leave on TX queue `queue`, hence arrive on `stk0`'s RX queue `queue`:
    /// XPS maps all CPUs to that queue and none to the others.
    func steer(toQueue queue: Int) throws {
        let allCPUs = String(try Self.onlineCPUMask(), radix: 16)
        let writes = (0..<Self.queues).map { q in
            "echo \(q == queue ? allCPUs : "0") > /sys/class/net/peer0/queues/tx-\(q)/xps_cpus"
        }
        // Clear the other queues first so no moment maps a CPU twice.
        let ordered = writes.enumerated().sorted { ($0.offset == queue ? 1 : 0) < ($1.offset == queue ? 1 : 0) }
        try Command.checked("ip", ["netns", "exec", peer, "sh", "-c", ordered.map(\.element).joined(separator: "; ")])
    }

    static func onlineCPUMask() throws -> UInt64 {
        let text = try String(contentsOfFile: "/sys/devices/system/cpu/online", encoding: .utf8)
        var mask: UInt64 = 0
        for range in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let bounds = range.split(separator: "-").compactMap { Int($0) }
            for cpu in bounds[0]...(bounds.last ?? bounds[0]) where cpu < 64 { mask |= 1 << UInt64(cpu) }
        }
        return mask
    }

    /// The XDP program id attached to `stk0`, if any (`ip -j link show`).
    func attachedProgram() throws -> Int? {
        let output = try Command.checked("ip", ["-n", stack, "-j", "-d", "link", "show", "dev", "stk0"]).stdout
        let links = try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [[String: Any]]
        let xdp = links?.first?["xdp"] as? [String: Any]
        return (xdp?["prog"] as? [String: Any])?["id"] as? Int
    }

    /// The tap on `stk0` (what XDP passed to the kernel) and the sender on `peer0`.
    func sockets() throws -> (tap: RawSocket, sender: RawSocket) {
        (try RawSocket(namespace: stack, interface: "stk0"), try RawSocket(namespace: peer, interface: "peer0", tap: false))
    }
}

/// Hand-built frames from `peer0` to `stk0`, the tag as UDP payload.
private enum Frames {
    static func udp(id: UInt64, sourcePort: UInt16, destinationPort: UInt16) -> [UInt8] {
        ipv4(id: id, sourcePort: sourcePort, destinationPort: destinationPort)
    }

    /// IPv4 + UDP; `options` must be a multiple of 4 bytes, `fragment` is the flags + offset field.
    static func ipv4(id: UInt64, sourcePort: UInt16 = 40000, destinationPort: UInt16,
                     options: [UInt8] = [], fragment: UInt16 = 0) -> [UInt8] {
        let udp = udpHeader(sourcePort, destinationPort, payload: PacketTag.bytes(id: id))
        let headerLength = 20 + options.count
        var ip: [UInt8] = [0x40 | UInt8(headerLength / 4), 0] + be16(UInt16(headerLength + udp.count)) + [0, 0]
            + be16(fragment) + [64, 17, 0, 0] + [198, 18, 0, 2] + [198, 18, 0, 1] + options
        let checksum = checksum(ip)
        ip[10] = UInt8(checksum >> 8)
        ip[11] = UInt8(checksum & 0xff)
        return ethernet(type: 0x0800) + ip + udp
    }

    /// IPv6 + UDP, optionally behind an empty hop-by-hop extension header. The UDP checksum stays zero: the
    /// kernel's UDP layer would discard it, but the tap sees it first, which is all these tests need.
    static func ipv6(id: UInt64, destinationPort: UInt16, hopByHop: Bool = false) -> [UInt8] {
        let udp = udpHeader(40000, destinationPort, payload: PacketTag.bytes(id: id))
        let extensionHeader: [UInt8] = hopByHop ? [17, 0, 1, 4, 0, 0, 0, 0] : []
        let source: [UInt8] = [0x20, 0x01, 0, 2] + [UInt8](repeating: 0, count: 11) + [2]
        let destination: [UInt8] = [0x20, 0x01, 0, 2] + [UInt8](repeating: 0, count: 11) + [1]
        let header: [UInt8] = [0x60, 0, 0, 0] + be16(UInt16(extensionHeader.count + udp.count))
            + [hopByHop ? 0 : 17, 64] + source + destination
        return ethernet(type: 0x86DD) + header + extensionHeader + udp
    }

    /// The same frame with an 802.1Q tag (VLAN 1) after the MAC addresses.
    static func vlanTagged(_ frame: [UInt8]) -> [UInt8] {
        Array(frame[0..<12]) + [0x81, 0x00, 0x00, 0x01] + Array(frame[12...])
    }

    static func ethernet(type: UInt16) -> [UInt8] { StackLink.stackMAC + StackLink.peerMAC + be16(type) }

    static func udpHeader(_ source: UInt16, _ destination: UInt16, payload: [UInt8]) -> [UInt8] {
        be16(source) + be16(destination) + be16(UInt16(8 + payload.count)) + [0, 0] + payload
    }

    static func be16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }

    static func checksum(_ header: [UInt8]) -> UInt16 {
        var sum: UInt32 = 0
        for i in stride(from: 0, to: header.count, by: 2) { sum += UInt32(header[i]) << 8 | UInt32(header[i + 1]) }
        while sum > 0xffff { sum = (sum & 0xffff) + (sum >> 16) }
        return ~UInt16(sum)
    }
}

/// Sends `count` tagged frames on each of `queues`, ids `base + 1000 q + i`, from distinct source ports.
private func send(_ sender: RawSocket, on link: StackLink, queues: [Int], count: Int, base: UInt64,
                  port: UInt16) throws -> [UInt64: Int] {
    var sent: [UInt64: Int] = [:]
    for queue in queues {
        try link.steer(toQueue: queue)
        for i in 0..<count {
            let id = base + UInt64(1000 * queue + i)
            try sender.send(Frames.udp(id: id, sourcePort: UInt16(40000 + i), destinationPort: port))
            sent[id] = queue
        }
    }
    return sent
}

/// Waits (up to a deadline, not a timing assertion) until the program has seen `packets` frames on `stk0` and
/// the sockets hold `received` frames; returns what the sockets received, id → queue.
private func settle(_ stack: AFXDPStack, packets: UInt64, received: Int) -> [UInt64: Int] {
    let deadline = Date().addingTimeInterval(3)
    while Date() < deadline
            && (stack.evidence().queueTotal("xdp_packets") < packets || stack.receivedPackets().count < received) {
        Thread.sleep(forTimeInterval: 0.02)
    }
    return Dictionary(stack.receivedPackets().compactMap { frame in frame.id.map { ($0, frame.queue) } },
                      uniquingKeysWith: { first, _ in first })
}

private let referenceProgram = RepositoryPaths.path("Labs/programs/port_redirect.bpf.c")

private func compiled(_ source: String, into folder: String) throws -> String {
    try BPFCompiler.object(for: source, outputDirectory: folder)
}

private func fixture(_ name: String) throws -> String {
    guard let folder = Bundle.module.url(forResource: "Fixtures", withExtension: nil) else {
        throw SystemError("find the KernelTests fixtures", errno: ENOENT)
    }
    return folder.appendingPathComponent(name).path
}

private func configuration(_ link: StackLink, object: String, queues: [Int], work: String, refill: Bool = true,
                           initialFill: Int? = nil) -> StackConfiguration {
    StackConfiguration(namespace: link.stack, interface: "stk0", objectPath: object, attachMode: .native,
                       ports: [8003, 8004, 8005], socketQueues: queues, refillFillRing: refill,
                       workDirectory: work, initialFill: initialFill)
}

private func workFolder(_ name: String) -> String {
    NSTemporaryDirectory() + "xdplab-tstack-\(getpid())-\(name)"
}

@Suite("AF_XDP stack on a real veth", .serialized,
       Probe.needs(tools: ["ip", "clang"], to: "build xdplab-tstack-* namespaces and load XDP"))
struct StackTests {
    @Test("port_redirect hands validator-port UDP to the socket of its RX queue and everything else to the kernel")
    func portRedirect() throws {
        let link = try StackLink()
        defer { link.remove() }
        let work = workFolder("port-redirect")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let object = try compiled(referenceProgram, into: work)

        let stack = AFXDPStack(configuration: configuration(link, object: object, queues: [0, 1], work: work))
        defer { stack.shutdown() }
        // Sockets are created before any program is attached: libxdp, told not to load its own, needs none.
        for step: StackStep in [.load, .createSockets, .register, .attach] { try stack.perform(step) }
        #expect(try link.attachedProgram() != nil)

        let (tap, sender) = try link.sockets()
        let matching = try send(sender, on: link, queues: [0, 1, 2, 3], count: 5, base: 10_000, port: 8003)
        let other = try send(sender, on: link, queues: [0, 1, 2, 3], count: 5, base: 20_000, port: 9999)

        let xsk = settle(stack, packets: 40, received: 10)
        #expect(xsk == matching.filter { $0.value < 2 }, "matches on queues 0 and 1 reach the socket of their queue")
        // The last non-match of each queue went after everything else on it: once the tap has those, it has all.
        let kernel = try tap.incomingTags(until: Set((0..<4).map { 20_000 + UInt64(1000 * $0 + 4) }))
        let toKernel = Set(matching.filter { $0.value >= 2 }.keys).union(other.keys)
        #expect(kernel == toKernel, "matches on socketless queues and every non-match reach the kernel")

        let evidence = stack.evidence()
        #expect(evidence.tracepointsAttached)
        #expect(evidence.gaps.isEmpty)
        #expect(evidence.exceptions.isEmpty)
        #expect(evidence.redirectErrors.isEmpty)
        #expect(Set(evidence.sockets.keys) == [0, 1])
        #expect(evidence.sockets.values.allSatisfy { $0 == SocketStatistics() })
        for queue in 0..<4 {
            #expect(evidence.queueCounters[queue]?["xdp_packets"] == 10, "queue \(queue)")
            #expect(evidence.queueCounters[queue]?["xdp_redirect"] == (queue < 2 ? 5 : 0), "queue \(queue)")
            #expect(evidence.queueCounters[queue]?["xdp_drops"] == 0, "queue \(queue)")
        }

        stack.shutdown()
        #expect(try link.attachedProgram() == nil, "shutdown detaches the program")
        #expect(stack.evidence() == evidence, "after shutdown, evidence is what was read at shutdown")
        stack.shutdown()
        #expect(throws: StackError.self) { try stack.perform(.load) }
    }

    @Test("port_redirect's matching rule: IPv4 with options and IPv6 UDP match; fragments, VLAN tags, extension headers do not")
    func matchingRule() throws {
        let link = try StackLink()
        defer { link.remove() }
        let work = workFolder("matching-rule")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let object = try compiled(referenceProgram, into: work)
        let stack = AFXDPStack(configuration: configuration(link, object: object, queues: [0], work: work))
        defer { stack.shutdown() }
        for step: StackStep in [.load, .createSockets, .register, .attach] { try stack.perform(step) }
        let (tap, sender) = try link.sockets()
        try link.steer(toQueue: 0)

        let matching: [UInt64: [UInt8]] = [
            1: Frames.ipv4(id: 1, destinationPort: 8003),
            2: Frames.ipv4(id: 2, destinationPort: 8005, options: [1, 1, 1, 0]),   // NOP NOP NOP EOL
            3: Frames.ipv6(id: 3, destinationPort: 8004),
        ]
        let other: [UInt64: [UInt8]] = [
            11: Frames.ipv4(id: 11, sourcePort: 8003, destinationPort: 9999),       // from a validator port
            12: Frames.ipv4(id: 12, destinationPort: 8003, fragment: 0x2000),       // first fragment (MF)
            13: Frames.ipv4(id: 13, destinationPort: 8003, fragment: 0x0010),       // a later fragment
            14: Frames.vlanTagged(Frames.ipv4(id: 14, destinationPort: 8003)),
            15: Frames.ipv6(id: 15, destinationPort: 8003, hopByHop: true),
            16: Frames.ipv4(id: 16, destinationPort: 8006),
        ]
        for (_, frame) in matching.merging(other, uniquingKeysWith: { a, _ in a }).sorted(by: { $0.key < $1.key }) {
            try sender.send(frame)
        }
        #expect(settle(stack, packets: 9, received: 3) == matching.mapValues { _ in 0 })
        #expect(try tap.incomingTags(until: [16]) == Set(other.keys), "16 went last, to a port nobody claims")
        #expect(stack.evidence().queueCounters[0]?["xdp_redirect"] == 3)
    }

    @Test("a fixed key 0 with flags 0: XDP_ABORTED where the slot is empty, EINVAL where the socket serves another queue")
    func fixedKeyRedirect() throws {
        let link = try StackLink()
        defer { link.remove() }
        let work = workFolder("fixed-key")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let object = try compiled(try fixture("fixed_key_redirect.bpf.c"), into: work)
        let sender = try RawSocket(namespace: link.peer, interface: "peer0", tap: false)

        // Slot 0 empty: the only socket serves queue 1. Program attached before the sockets exist.
        do {
            let stack = AFXDPStack(configuration: configuration(link, object: object, queues: [1], work: work))
            defer { stack.shutdown() }
            for step: StackStep in [.load, .attach, .createSockets, .register] { try stack.perform(step) }
            let tap = try RawSocket(namespace: link.stack, interface: "stk0")
            let sent = try send(sender, on: link, queues: [1, 3], count: 4, base: 30_000, port: 8004)
            // After them on each queue, a frame the program passes: the tap must see it, so a tap that saw nothing
            // at all cannot make the check below pass.
            let sentinels = try send(sender, on: link, queues: [1, 3], count: 1, base: 35_000, port: 9999)
            #expect(settle(stack, packets: 10, received: 0).isEmpty)
            let kernel = try tap.incomingTags(until: Set(sentinels.keys))
            #expect(kernel.isDisjoint(with: sent.keys), "aborted frames never reach the kernel")
            let evidence = stack.evidence()
            #expect(evidence.tracepointsAttached)
            #expect(evidence.exceptions == [ExceptionCount(action: 0, count: 8)])
            #expect(evidence.redirectErrors.isEmpty)
            #expect(evidence.queueCounters[3]?["xdp_drops"] == 4)
            #expect(evidence.queueCounters[1]?["xdp_drops"] == 4)
            #expect(evidence.queueTotal("xdp_drops") == 8)
        }
        #expect(try link.attachedProgram() == nil)

        // Slot 0 holds the socket of queue 0: frames from queue 3 fail with EINVAL on key 0.
        do {
            let stack = AFXDPStack(configuration: configuration(link, object: object, queues: [0], work: work))
            defer { stack.shutdown() }
            for step: StackStep in [.load, .attach, .createSockets, .register] { try stack.perform(step) }
            let sent = try send(sender, on: link, queues: [0, 3], count: 4, base: 40_000, port: 8005)
            #expect(settle(stack, packets: 8, received: 4) == sent.filter { $0.value == 0 })
            let evidence = stack.evidence()
            #expect(evidence.exceptions.isEmpty, "a fresh program id: the earlier run's events do not count")
            #expect(evidence.redirectErrors == [RedirectErrorCount(errno: EINVAL, mapIndex: 0, count: 4)])
            #expect(evidence.queueCounters[3]?["xdp_drops"] == 4)
        }
    }

    @Test("without refilling, a socket takes only the initial fill; the rest is dropped with ENOMEM")
    func fillRingRunsDry() throws {
        let link = try StackLink()
        defer { link.remove() }
        let work = workFolder("fill-ring")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let object = try compiled(referenceProgram, into: work)

        let stack = AFXDPStack(configuration: configuration(link, object: object, queues: [0], work: work,
                                                            refill: false, initialFill: 4))
        defer { stack.shutdown() }
        for step: StackStep in [.load, .createSockets, .register, .attach, .wait(0.05)] { try stack.perform(step) }
        let sender = try RawSocket(namespace: link.peer, interface: "peer0", tap: false)
        let sent = try send(sender, on: link, queues: [0], count: 10, base: 50_000, port: 8003)
        // One queue handles frames in order: the first four get the four frames, each its own.
        #expect(settle(stack, packets: 10, received: 4) == sent.filter { $0.key < 50_004 })
        let evidence = stack.evidence()
        #expect(evidence.redirectErrors == [RedirectErrorCount(errno: ENOMEM, mapIndex: 0, count: 6)])
        #expect(evidence.sockets[0]?.rxDropped == 6)
        #expect((evidence.sockets[0]?.rxFillRingEmptyDescs ?? 0) > 0)
    }

    @Test("refuses to attach over a program it did not attach, and leaves that program in place")
    func refusesForeignProgram() throws {
        let link = try StackLink()
        defer { link.remove() }
        let work = workFolder("foreign")
        defer { try? FileManager.default.removeItem(atPath: work) }
        let foreign = try compiled(try fixture("no_xskmap.bpf.c"), into: work)
        try Command.checked("ip", ["-n", link.stack, "link", "set", "dev", "stk0", "xdpdrv", "obj", foreign, "sec", "xdp"])
        let before = try link.attachedProgram()
        #expect(before != nil)

        let object = try compiled(referenceProgram, into: work)
        let stack = AFXDPStack(configuration: configuration(link, object: object, queues: [0], work: work))
        try stack.perform(.load)
        #expect { try stack.perform(.attach) } throws: { error in
            "\(error)".contains("already has XDP program") && "\(error)".contains("pass_all")
        }
        stack.shutdown()
        #expect(try link.attachedProgram() == before)
    }

    @Test("clear errors for a broken program contract and for steps out of order; shutdown after failures is clean")
    func contractAndOrder() throws {
        let link = try StackLink()
        defer { link.remove() }
        let work = workFolder("contract")
        defer { try? FileManager.default.removeItem(atPath: work) }

        let broken = AFXDPStack(configuration: configuration(link, object: try compiled(try fixture("no_xskmap.bpf.c"), into: work),
                                                             queues: [0], work: work))
        #expect { try broken.perform(.load) } throws: { error in
            "\(error)".contains("needs a BPF_MAP_TYPE_XSKMAP named xsks_map")
        }
        #expect { try broken.perform(.attach) } throws: { error in "\(error)".contains("load the program first") }
        broken.shutdown()
        #expect(broken.evidence().gaps.contains { $0.contains("never loaded") })

        let object = try compiled(referenceProgram, into: work)
        var wrongInterface = configuration(link, object: object, queues: [0, 2], work: work)
        wrongInterface.interface = "nosuch0"
        let stack = AFXDPStack(configuration: wrongInterface)
        #expect { try stack.perform(.register) } throws: { error in "\(error)".contains("load the program first") }
        try stack.perform(.load)
        #expect { try stack.perform(.register) } throws: { error in "\(error)".contains("create the sockets first") }
        #expect { try stack.perform(.createSockets) } throws: { error in
            "\(error)".contains("nosuch0") && "\(error)".contains("queue 0")
        }
        #expect { try stack.perform(.attach) } throws: { error in "\(error)".contains("nosuch0") }
        stack.shutdown()
        let evidence = stack.evidence()
        #expect(evidence.tracepointsAttached)
        #expect(evidence.gaps.contains { $0.contains("per-queue counters unavailable") && $0.contains("nosuch0") })
        #expect(try link.attachedProgram() == nil)
    }
}
