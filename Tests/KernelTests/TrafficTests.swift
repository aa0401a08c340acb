import Foundation
import Glibc
import Testing
import BPFSupport
import Evidence
import Packets
import Realization
import SystemSupport
import Traffic
import LabModel
import AFXDPStack
import TestSupport
import KernelObservation

/// Two namespaces of this test's own joined by a 4-queue veth with addresses: `ta` in `-a` sends, `tb` in `-b`
/// receives.
private final class TrafficLink {
    static let queues = 4
    static let ports: [UInt16] = [8003, 8004, 8005]
    static let senderMAC: [UInt8] = [0x02, 0, 0x5E, 0, 0, 0x02], receiverMAC: [UInt8] = [0x02, 0, 0x5E, 0, 0, 0x01]
    let pair: VethPair
    let endpoints: TrafficEndpoints
    let work: String
    var a: String { pair.a.namespace }
    var b: String { pair.b.namespace }
    /// The test XDP program on `tb`, while attached.
    private var attachment: StandaloneXDPAttachment?
    private var object: BPFObject?

    init() throws {
        work = NSTemporaryDirectory() + "xdplab-ttraffic-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        do {
            // The receiver's RX queues must be at least the sender's TX queues for native XDP on veth.
            pair = try VethPair(label: "traffic", interfaces: ("ta", "tb"), macs: (Self.senderMAC, Self.receiverMAC),
                                queues: Self.queues, quiet: false)
        } catch {
            try? FileManager.default.removeItem(atPath: work)
            throw error
        }
        endpoints = TrafficEndpoints(
            sender: TrafficSide(namespace: pair.a.namespace, interface: "ta", mac: Self.senderMAC, ipv4: [198, 18, 0, 2],
                                ipv6: AddressText.ipv6("2001:2::2")!),
            receiver: TrafficSide(namespace: pair.b.namespace, interface: "tb", mac: Self.receiverMAC, ipv4: [198, 18, 0, 1],
                                  ipv6: AddressText.ipv6("2001:2::1")!),
            queues: Self.queues)
        do {
            for side in [endpoints.sender, endpoints.receiver] {
                let ns = side.namespace, dev = side.interface
                try Command.checked("ip", ["-n", ns, "addr", "add", "\(AddressText.ip(side.ipv4))/24", "dev", dev])
                try Command.checked("ip", ["-n", ns, "addr", "add", "\(AddressText.ip(side.ipv6))/64", "dev", dev, "nodad"])
            }
        } catch {
            cleanUp()
            throw error
        }
    }

    func cleanUp() {
        _ = attachment?.detach()
        attachment = nil
        pair.remove()
        try? FileManager.default.removeItem(atPath: work)
    }

    /// Attaches a test XDP program to the receiver in native mode. Both variants scan the first 192 bytes for the
    /// packet tag and record the RX queue each tag id arrived on (`seen`). `dropUntagged`: pass tagged frames, drop
    /// the rest. Otherwise: drop only a session request (tag id 0x5353…) that arrived on another queue than the one
    /// its id names, pass everything else.
    func attachTestXDP(dropUntagged: Bool) throws {
        let source = "\(work)/tag_check.bpf.c"
        try Self.tagCheckSource.write(toFile: source, atomically: true, encoding: .utf8)
        let path = try BPFCompiler.object(for: source, outputDirectory: "\(work)/\(dropUntagged ? "tagged" : "queue")",
                                          defines: dropUntagged ? ["DROP_UNTAGGED": "1"] : [:])
        let object = try BPFObject(path: path)
        try object.load()
        let program = try #require(object.xdpProgram)
        attachment = try StandaloneXDPAttachment(program, namespace: b, interface: "tb", mode: .native)
        self.object = object
    }

    /// Tag id → the RX queue the test program saw it on (the first time).
    func seenTags() throws -> [UInt64: Int] {
        let map = try #require(object?.map(named: "seen"), "attach the test program first")
        var seen: [UInt64: Int] = [:]
        for (key, value) in try map.entries() {
            let id = key.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }   // the tag's id is big-endian on the wire
            seen[id] = Int(value.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) })
        }
        return seen
    }

    /// Polls `condition` every 10 ms until it holds or `timeout` seconds pass; returns whether it held. For
    /// kernel work that finishes after the call that caused it returned (NAPI, softirq, counters).
    func eventually(timeout: Double = 5, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            if try condition() { return true }
            if Date() > deadline { return false }
            usleep(10_000)
        }
    }

    /// `ethtool -S tb` per-queue XDP counters: [queue: (packets, drops)].
    func receiverQueueCounters() throws -> [Int: (packets: Int, drops: Int)] {
        let output = try Command.checked("ip", ["netns", "exec", b, "ethtool", "-S", "tb"]).stdout
        var counters: [Int: (packets: Int, drops: Int)] = [:]
        for line in output.split(separator: "\n") {
            let parts = line.split(separator: ":").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let value = Int(parts[1]), parts[0].hasPrefix("rx_queue_") else { continue }
            let fields = parts[0].dropFirst("rx_queue_".count).split(separator: "_", maxSplits: 1)
            guard fields.count == 2, let queue = Int(fields[0]) else { continue }
            var entry = counters[queue] ?? (0, 0)
            if fields[1] == "xdp_packets" { entry.packets = value }
            if fields[1] == "xdp_drops" { entry.drops = value }
            counters[queue] = entry
        }
        return counters
    }

    /// The receiver's /proc/net/snmp, netstat and snmp6 counters, as "Udp.NoPorts" / "IpExt.InTruncatedPkts" /
    /// "Udp6NoPorts" → value.
    func receiverSNMP() throws -> [String: Int] {
        var values: [String: Int] = [:]
        for file in ["/proc/net/snmp", "/proc/net/netstat"] {
            let text = try Command.checked("ip", ["netns", "exec", b, "cat", file]).stdout
            let lines = text.split(separator: "\n").map { $0.split(separator: " ") }
            for (header, numbers) in zip(lines, lines.dropFirst()) where header.first == numbers.first && header.count == numbers.count {
                let group = header[0].dropLast()   // "Udp:"
                for (name, value) in zip(header.dropFirst(), numbers.dropFirst()) { values["\(group).\(name)"] = Int(value) }
            }
        }
        let snmp6 = try Command.checked("ip", ["netns", "exec", b, "cat", "/proc/net/snmp6"]).stdout
        for line in snmp6.split(separator: "\n") {
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if fields.count == 2, let value = Int(fields[1]) { values[String(fields[0])] = value }
        }
        return values
    }

    static let tagCheckSource = """
    #include <linux/bpf.h>
    #include <bpf/bpf_helpers.h>

    struct {
        __uint(type, BPF_MAP_TYPE_HASH);
        __uint(max_entries, 8192);
        __type(key, __u64);
        __type(value, __u32);
    } seen SEC(".maps");

    SEC("xdp")
    int tag_check(struct xdp_md *ctx)
    {
        unsigned char *data = (void *)(long)ctx->data;
        unsigned char *end = (void *)(long)ctx->data_end;

        for (int i = 0; i < 192; i++) {
            unsigned char *p = data + i;
            if (p + 16 > end)
                break;
            if (p[0] != 'X' || p[1] != 'D' || p[2] != 'P' || p[3] != 'L' || p[4] != 'A' || p[5] != 'B'
                || p[6] != 7 || p[7] != 1)
                continue;
            __u64 id;
            __u32 queue = ctx->rx_queue_index;
            __builtin_memcpy(&id, p + 8, sizeof(id));
            bpf_map_update_elem(&seen, &id, &queue, BPF_NOEXIST);
    #ifndef DROP_UNTAGGED
            if (p[8] == 0x53 && p[9] == 0x53 && ((__u32)p[10] << 8 | p[11]) != ctx->rx_queue_index)
                return XDP_DROP;
    #endif
            return XDP_PASS;
        }
    #ifdef DROP_UNTAGGED
        return XDP_DROP;
    #else
        return XDP_PASS;
    #endif
    }

    char LICENSE[] SEC("license") = "GPL";
    """
}

@Suite("Traffic on a real 4-queue veth", .serialized,
       Probe.needs(tools: ["ip", "tc", "ethtool", "clang"], to: "build namespaces and attach tc and XDP programs"))
struct TrafficTests {
    @Test("Steered frames of every class land on their RX queue; the kernel takes the whole ones, counts the cut ones as errors")
    func steeredFramesLandOnTheirQueues() throws {
        let link = try TrafficLink()
        defer { link.cleanUp() }
        try link.attachTestXDP(dropUntagged: true)
        let steering = try QueueSteering.install(namespace: link.a, interface: "ta", workDirectory: "\(link.work)/steering")
        defer { steering.remove() }

        let frames = TrafficPlanner.plan(endpoints: link.endpoints, classes: PacketClass.allCases, rounds: 2,
                                         ports: TrafficLink.ports, firstID: 1)
        let countersBefore = try link.receiverQueueCounters()
        let snmpBefore = try link.receiverSNMP()

        let injector = try Injector(endpoints: link.endpoints)
        defer { injector.close() }
        var lastProgress = (0, 0)
        let began = TrafficClock.now()
        let records = try injector.send(frames, over: 0.5) { sent, total in lastProgress = (sent, total) }
        let took = TrafficClock.now() - began
        #expect(lastProgress == (frames.count, frames.count))
        #expect(records.map(\.id) == frames.map(\.id))
        // Frame i goes at i × 0.5 s / count after the start, never before (a nanosecond's rounding aside); none
        // after the call returned.
        let spacing = 0.5 / Double(frames.count)
        let early = records.indices.filter { records[$0].sentAt < Double($0) * spacing - 1e-9 }
        #expect(early.isEmpty, "sent before their time: \(early.prefix(5).map { "#\($0) at \(records[$0].sentAt) s" })")
        #expect(records.allSatisfy { $0.sentAt <= took }, "a send time after the call returned (\(took) s)")
        #expect(zip(records, records.dropFirst()).allSatisfy { $0.sentAt <= $1.sentAt })

        // Every tag, on the RX queue it was planned for: the program recorded the queue each tag id arrived on.
        // (NAPI may still be working when the last send returns: wait for the count, bounded, then compare.)
        let planned = Dictionary(uniqueKeysWithValues: frames.map { ($0.id, $0.queue) })
        #expect(Set((0..<TrafficLink.queues).filter { queue in planned.values.contains(queue) }) == Set(0..<TrafficLink.queues))
        _ = try link.eventually { try link.seenTags().count >= planned.count }
        let seen = try link.seenTags()
        let misplaced = seen.filter { planned[$0.key] != $0.value }.count, unseen = Set(planned.keys).subtracting(seen.keys).count
        #expect(seen == planned, "\(misplaced) tags on another queue than planned, \(unseen) never seen")

        // The per-queue counters agree: the program passed the tagged frames and dropped nothing else of ours.
        func tagged(_ counters: [Int: (packets: Int, drops: Int)], _ queue: Int) -> Int {
            (counters[queue]?.packets ?? 0) - (counters[queue]?.drops ?? 0)
        }
        let counters = try link.receiverQueueCounters()
        for queue in 0..<TrafficLink.queues {
            #expect(tagged(counters, queue) - tagged(countersBefore, queue) == frames.filter { $0.queue == queue }.count,
                    "RX queue \(queue)")
        }

        // The kernel took every whole frame as valid: no checksum or address errors, and each protocol counted
        // exactly the frames meant for it (the XDP program kept everything else out). The truncated frames it
        // counted and dropped in its IP layer: a cut IPv4 or IPv6 header as a header error, a whole IPv4
        // header with a cut UDP header as a truncated packet. The protocols count after XDP in softirq: wait
        // (bounded) until the last ones have counted, then compare exactly.
        var snmp: [String: Int] = [:]
        func delta(_ key: String) -> Int { (snmp[key] ?? -1) - (snmpBefore[key] ?? 0) }
        let parsed = frames.map { FrameParser.parse($0.frame) }
        let whole = parsed.filter { $0.vlanIDs.isEmpty && $0.problem == nil }
        let cut = parsed.filter { $0.problem != nil }
        #expect(cut.count == frames.filter { $0.packetClass == .truncated }.count)
        let udp4 = whole.filter { $0.ipVersion == 4 && $0.ipProtocol == 17 && $0.fragmentOffset == 0 }.count
        let udp6 = whole.filter { $0.ipVersion == 6 && $0.ipProtocol == 17 && $0.fragmentOffset == 0 }.count
        let count = { (packetClass: PacketClass) in frames.filter { $0.packetClass == packetClass }.count }
        _ = try link.eventually {
            snmp = try link.receiverSNMP()
            return delta("Udp.NoPorts") >= udp4 && delta("Udp6NoPorts") >= udp6 && delta("Tcp.InSegs") >= count(.tcpValidatorPorts)
                && delta("Icmp.InEchos") >= count(.icmpEcho) && delta("Icmp6InEchos") >= count(.icmpv6Echo)
        }
        for key in ["Ip.InAddrErrors", "Udp.InCsumErrors", "Udp.InErrors", "Tcp.InCsumErrors", "Icmp.InCsumErrors",
                    "Icmp.InErrors", "Ip.ReasmFails", "Udp6InCsumErrors", "Udp6InErrors", "Icmp6InCsumErrors",
                    "Icmp6InErrors", "Ip6ReasmFails", "Ip6InTruncatedPkts"] {
            #expect(delta(key) == 0, "\(key)")
        }
        #expect(delta("Ip.InHdrErrors") == cut.filter { $0.problem == "truncated ipv4 options" }.count)
        #expect(delta("IpExt.InTruncatedPkts") == cut.filter { $0.problem == "truncated ipv4 packet" }.count)
        #expect(delta("Ip6InHdrErrors") == cut.filter { $0.problem == "truncated ipv6 header" }.count)
        #expect(delta("Udp.NoPorts") == udp4)                                   // fragments count once, reassembled
        #expect(delta("Udp6NoPorts") == udp6)
        #expect(delta("Ip.ReasmOKs") == count(.ipv4Fragments) / 2)
        // Two fragmented datagrams per slot, and the atomic fragment, which Linux counts as reassembled too.
        #expect(delta("Ip6ReasmOKs") == whole.filter { $0.ipv6ExtensionHeaders == [44] && $0.fragmentOffset == 0 }.count)
        #expect(delta("Icmp.InEchos") == count(.icmpEcho))
        #expect(delta("Icmp6InEchos") == count(.icmpv6Echo))
        #expect(delta("Tcp.InSegs") == count(.tcpValidatorPorts))
        #expect(delta("Icmp6InNeighborSolicits") == count(.ndp) / 2)
        #expect(delta("Icmp6InNeighborAdvertisements") == count(.ndp) / 2)
        // ARP and neighbour discovery taught the receiver the sender's true MAC.
        let neighbours = try Command.checked("ip", ["-n", link.b, "neigh", "show", "dev", "tb"]).stdout
        let senderMAC = AddressText.mac(link.endpoints.sender.mac)
        #expect(neighbours.contains("198.18.0.2 lladdr \(senderMAC)"))
        #expect(neighbours.contains("2001:2::2 lladdr \(senderMAC)"))
    }

    @Test("SSH-like sessions on every queue complete every exchange (no XDP on the receiver)")
    func sessionsComplete() throws {
        let link = try TrafficLink()
        defer { link.cleanUp() }
        let steering = try QueueSteering.install(namespace: link.a, interface: "ta", workDirectory: "\(link.work)/steering")
        defer { steering.remove() }

        let sessions = try SSHSessions.start(endpoints: link.endpoints, port: 22, interval: 0.1, maxStall: 1,
                                             duration: 2)
        defer { sessions.stop() }
        let records = sessions.finish()
        #expect(records.map(\.queue) == Array(0..<TrafficLink.queues))
        for record in records {
            #expect(record.failure == nil, "queue \(record.queue): \(record.failure ?? "")")
            #expect(record.exchangesPlanned == 20)
            #expect(record.exchangesCompleted == record.exchangesPlanned, "queue \(record.queue)")
            #expect(record.stalledAt == nil)
            #expect(record.flow.hasPrefix("tcp 198.18.0.2:") && record.flow.hasSuffix(" > 198.18.0.1:22"))
        }
        #expect(Set(records.map(\.flow)).count == records.count)
    }

    @Test("Each session's requests arrive on the RX queue the session is steered to")
    func sessionsAreSteered() throws {
        let link = try TrafficLink()
        defer { link.cleanUp() }
        // This program drops any request that arrives on another queue than its tag names, so a
        // mis-steered session would stall and show drops.
        try link.attachTestXDP(dropUntagged: false)
        let steering = try QueueSteering.install(namespace: link.a, interface: "ta", workDirectory: "\(link.work)/steering")
        defer { steering.remove() }
        let before = try link.receiverQueueCounters()

        let sessions = try SSHSessions.start(endpoints: link.endpoints, port: 2222, interval: 0.1, maxStall: 1,
                                             duration: 1)
        defer { sessions.stop() }
        let records = sessions.finish()
        let after = try link.receiverQueueCounters()
        let seen = try link.seenTags()
        #expect(records.count == TrafficLink.queues)
        for record in records {
            #expect(record.failure == nil && record.exchangesCompleted == record.exchangesPlanned, "queue \(record.queue)")
            let queue = record.queue
            #expect((after[queue]?.drops ?? -1) - (before[queue]?.drops ?? 0) == 0, "drops on RX queue \(queue)")
            // Matched by tag: the request of every completed exchange of this session was seen, on its queue.
            let requests = seen.filter { $0.key >> 48 == 0x5353 && Int($0.key >> 32 & 0xFFFF) == queue }
            #expect(requests.values.allSatisfy { $0 == queue },
                    "requests of the session on queue \(queue) seen on \(Set(requests.values).sorted())")
            let exchanges = Set(requests.keys.map { Int($0 & 0xFFFF_FFFF) })
            #expect(exchanges.isSuperset(of: 0..<record.exchangesCompleted),
                    "queue \(queue): \(record.exchangesCompleted) exchanges completed, requests seen \(exchanges.sorted())")
        }
        #expect(seen.keys.allSatisfy { $0 >> 48 == 0x5353 }, "only session requests carry tags here")
    }

    @Test("A stalled session is reported, not hung")
    func stalledSessionIsReported() throws {
        let link = try TrafficLink()
        defer { link.cleanUp() }
        // Five seconds of exchanges, so that a slow machine still cuts the link before the last one is due.
        let sessions = try SSHSessions.start(endpoints: link.endpoints, port: 22, interval: 0.1, maxStall: 0.3,
                                             duration: 5)
        defer { sessions.stop() }
        // Cut the link while the sessions run (the receiver's TCP has taken segments from all four, handshakes and
        // requests): answers stop, and every session must say so and end.
        let before = try link.receiverSNMP()["Tcp.InSegs"] ?? 0
        let flowing = try link.eventually { (try link.receiverSNMP()["Tcp.InSegs"] ?? 0) - before >= 4 * 4 }
        try #require(flowing, "the sessions never got going")
        try Command.checked("ip", ["-n", link.b, "link", "set", "dev", "tb", "down"])
        let records = sessions.finish()
        #expect(records.count == TrafficLink.queues)
        for record in records {
            #expect(record.failure == nil, "a stall is not a failure: TCP may still recover")
            #expect(record.exchangesCompleted < record.exchangesPlanned)
            #expect(record.stalledAt != nil)
            #expect(record.longestStall >= 0.3)
        }
    }

    @Test("Queue steering installs a tc egress filter and removes it (twice is fine)")
    func steeringInstallAndRemove() throws {
        let link = try TrafficLink()
        defer { link.cleanUp() }
        let steering = try QueueSteering.install(namespace: link.a, interface: "ta", workDirectory: "\(link.work)/steering")
        let shown = try Command.checked("tc", ["-n", link.a, "filter", "show", "dev", "ta", "egress"]).stdout
        #expect(shown.contains("steer_by_mark"))
        steering.remove()
        steering.remove()
        let qdiscs = try Command.checked("tc", ["-n", link.a, "qdisc", "show", "dev", "ta"]).stdout
        #expect(!qdiscs.contains("clsact"))
        #expect(throws: SystemError.self) {
            _ = try QueueSteering.install(namespace: link.a, interface: "nosuch0", workDirectory: "\(link.work)/steering")
        }
    }
}
