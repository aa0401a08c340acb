import Foundation
import Glibc
import Testing
import CLibBPF
import BPFSupport
import MapRing
import Packets
import Realization
import SystemSupport
import Sequencing
import TestSupport

/// The two map-ring programs, compiled from Labs/programs and driven with BPF_PROG_TEST_RUN: the kernel
/// runs the real XDP program on each crafted frame, with no interface and no namespace involved.
private final class MapRingBench {
    static let port: UInt16 = 7100
    static let programs = RepositoryPaths.root.appendingPathComponent("Labs/programs")

    let object: BPFObject
    let program: BPFProgram
    let directory: String

    init(_ name: String) throws {
        // One folder per bench: suites run in parallel and each removes its own folder.
        directory = NSTemporaryDirectory() + "xdplab-tseq-\(name)-\(UUID().uuidString.prefix(8))"
        let path = try BPFCompiler.object(for: Self.programs.appendingPathComponent("\(name).bpf.c").path,
                                          outputDirectory: directory)
        object = try MapRingObject.load(path: path, port: Self.port)
        program = try #require(object.xdpProgram)
    }

    deinit { try? FileManager.default.removeItem(atPath: directory) }

    static let builder = FrameBuilder(source: [0x02, 0, 0, 0, 0x05, 0x0a], destination: [0x02, 0, 0, 0, 0x05, 0x0b])
    static let ipv4 = IPv4Header(source: [198, 18, 5, 1], destination: [198, 18, 5, 2])
    static let ipv6 = IPv6Header(source: [0x20, 0x01, 0, 2, 0, 0, 0, 5] + [UInt8](repeating: 0, count: 7) + [1],
                                 destination: [0x20, 0x01, 0, 2, 0, 0, 0, 5] + [UInt8](repeating: 0, count: 7) + [2])

    /// A UDP frame to the ring's port carrying a sequence payload stamped now, then a packet tag.
    static func frame(sequence: UInt64, port: UInt16 = port) -> [UInt8] {
        let payload = SequencePayload(sequence: sequence, sentNanoseconds: MonotonicClock.now())
            .bytes(trailer: PacketTag.bytes(id: sequence))
        return builder.ipv4(ipv4, .udp(source: 40000, destination: port, payload: payload))
    }

    /// Runs the XDP program once on `frame` and returns its verdict. The C function is `bpf_prog_test_run_opts`.
    func run(_ frame: [UInt8]) throws -> UInt32 {
        var options = bpf_test_run_opts()
        options.sz = MemoryLayout<bpf_test_run_opts>.size
        options.data_size_in = UInt32(frame.count)
        return try frame.withUnsafeBytes { bytes in
            options.data_in = bytes.baseAddress
            try negativeErrno("test-run \(program.name)", bpf_prog_test_run_opts(program.fd, &options))
            return options.retval
        }
    }

    /// Pushes sequences `range` in batches no larger than the ring, letting `poller` drain after each batch;
    /// a paused poller is not waited for. Returns the verdicts.
    func push(_ range: Range<UInt64>, poller: MapRingPoller?, batch: Int = 32) throws -> [UInt32] {
        var verdicts: [UInt32] = []
        for start in stride(from: range.lowerBound, to: range.upperBound, by: batch) {
            for sequence in start..<min(start + UInt64(batch), range.upperBound) {
                verdicts.append(try run(Self.frame(sequence: sequence)))
            }
            if let poller { #expect(poller.waitUntilIdle(), "the poller did not drain the ring") }
        }
        return verdicts
    }
}

private let xdpDrop = UInt32(XDP_DROP.rawValue), xdpPass = UInt32(XDP_PASS.rawValue)

@Suite("map ring programs under BPF_PROG_TEST_RUN", .serialized,
       Probe.needs(tools: ["clang"], to: "compile and load the map-ring XDP programs"))
struct MapRingTests {
    @Test func claimsOnlyUDPToTheRingPortAndCopiesThePayload() throws {
        let bench = try MapRingBench("map_ring")
        let poller = try MapRingPoller(object: bench.object, options: .init(idle: .sleep(nanoseconds: 20_000), keepPayloads: true))
        #expect(poller.ringSize == 64)
        let builder = MapRingBench.builder, port = MapRingBench.port
        let sequenced = SequencePayload(sequence: 7, sentNanoseconds: 1).bytes(trailer: PacketTag.bytes(id: 77))
        let long = [UInt8](repeating: 0xAB, count: 200)

        // Claimed: IPv4, IPv6, a one-byte payload, a payload longer than a slot.
        #expect(try bench.run(builder.ipv4(MapRingBench.ipv4, .udp(source: 1, destination: port, payload: sequenced))) == xdpDrop)
        #expect(try bench.run(builder.ipv6(MapRingBench.ipv6, .udp(source: 1, destination: port, payload: sequenced))) == xdpDrop)
        #expect(try bench.run(builder.ipv4(MapRingBench.ipv4, .udp(source: 1, destination: port, payload: [0x42]))) == xdpDrop)
        #expect(try bench.run(builder.ipv4(MapRingBench.ipv4, .udp(source: 1, destination: port, payload: long))) == xdpDrop)
        // Passed: another port, TCP to the port, an IPv4 fragment, ARP, a runt.
        #expect(try bench.run(builder.ipv4(MapRingBench.ipv4, .udp(source: 1, destination: port + 1, payload: sequenced))) == xdpPass)
        #expect(try bench.run(builder.ipv4(MapRingBench.ipv4, .tcp(TCPSegment(source: 1, destination: port, flags: .syn)))) == xdpPass)
        var fragment = MapRingBench.ipv4
        fragment.moreFragments = true
        #expect(try bench.run(builder.ipv4(fragment, .udp(source: 1, destination: port, payload: sequenced))) == xdpPass)
        #expect(try bench.run(builder.ethernet(etherType: FrameBuilder.etherTypeARP, payload: [UInt8](repeating: 0, count: 28))) == xdpPass)
        #expect(try bench.run([UInt8](repeating: 0xFF, count: 14)) == xdpPass)

        let control = try poller.control()
        #expect(control == MapRingControl(writeIndex: 4, stored: 4, fullDrops: 0, contentionDrops: 0))
        #expect(poller.slotStates() == [1, 1, 1, 1] + [UInt32](repeating: 0, count: 60))
        #expect(poller.occupiedSlots() == 4)

        poller.start()
        #expect(poller.waitUntilConsumed(4))
        poller.stop()
        let payloads = poller.payloads()
        #expect(payloads.map(\.bytes) == [sequenced, sequenced, [0x42], Array(long.prefix(64))])
        #expect(payloads.map(\.readIndex) == [0, 1, 2, 3])
        #expect(payloads.allSatisfy { $0.arrivalNanoseconds > 0 && $0.arrivalNanoseconds <= MonotonicClock.now() })
        #expect(poller.arrivals().map(\.sequence) == [7, 7])
        #expect(poller.foreignPayloads == 2)
        #expect(poller.occupiedSlots() == 0)
    }

    /// The kernel rule behind the two-map design: a map whose value holds a bpf_spin_lock cannot be mmapped.
    @Test func controlMapWithTheSpinLockCannotBeMapped() throws {
        let bench = try MapRingBench("map_ring")
        let fd = try #require(bench.object.map(named: MapRingLayout.controlMapName)).fd
        let mapped = mmap(nil, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        let code = errno
        #expect(mapped == MAP_FAILED)
        #expect(code == 524)   // ENOTSUPP, the kernel-internal "not supported"
        if let mapped, mapped != MAP_FAILED { munmap(mapped, 4096) }
        let ring = try BPFMapInfo(fd: try #require(bench.object.map(named: MapRingLayout.ringMapName)).fd)
        #expect(ring.isMemoryMappable && ring.maxEntries == 64 && ring.valueSize == MapRingLayout.slotSize)
    }

    /// The fix: during a stall the ring fills and later packets are dropped without moving the write index,
    /// so after the stall the poller sees one gap and perfect order.
    @Test func fixedRingLosesDuringTheStallOnlyAndKeepsOrder() throws {
        let bench = try MapRingBench("map_ring")
        let poller = try MapRingPoller(object: bench.object, options: .init(idle: .sleep(nanoseconds: 20_000)))
        let watch = RingWatch(poller: poller, intervalNanoseconds: 1_000_000)
        poller.start()
        watch.start()

        #expect(try bench.push(0..<100, poller: poller).allSatisfy { $0 == xdpDrop })
        poller.pause()
        #expect(try bench.push(100..<300, poller: nil).allSatisfy { $0 == xdpDrop })
        let during = try watch.sample()
        #expect(during.stalled && during.occupied == 64 && during.readIndex == 100)
        #expect(during.writeIndex == 164)   // stopped at the first slot it could not fill
        #expect(try poller.control() == MapRingControl(writeIndex: 164, stored: 164, fullDrops: 136, contentionDrops: 0))
        poller.resume()
        #expect(poller.waitUntilIdle())
        #expect(try bench.push(300..<500, poller: poller).allSatisfy { $0 == xdpDrop })
        let samples = watch.stop()
        poller.stop()

        let report = poller.report(expected: 0..<500)
        #expect(report.gapLines == ["missed 136 packets between 163 and 300"])
        #expect(report.lost == 136)
        #expect(report.outOfOrder == 0 && report.duplicated == 0 && report.isInOrder)
        #expect(report.received == 364)
        #expect(try poller.control() == MapRingControl(writeIndex: 364, stored: 364, fullDrops: 136, contentionDrops: 0))
        #expect(poller.readIndex == 364)
        let latency = try #require(report.latency)
        #expect(latency.count == 364 && latency.minimum > 0)
        #expect(poller.stallWindows().count == 1)
        #expect(!samples.isEmpty && samples.allSatisfy { $0.ringSize == 64 && $0.readIndex <= $0.writeIndex })

        // The companion files of a capture.
        let capture = bench.directory + "/run.pcap"
        let paths = try watch.write(besideCapture: capture, title: "map_ring after a stall")
        #expect(paths.csv == bench.directory + "/run.ring.csv" && paths.svg == bench.directory + "/run.ring.svg")
        #expect(try RingSample.parse(csv: String(contentsOfFile: paths.csv, encoding: .utf8)) == samples)
        #expect(try String(contentsOfFile: paths.svg, encoding: .utf8).contains("map_ring after a stall"))
    }

    /// The published bug: the write index keeps moving while the ring is full, so after the stall the
    /// writer is 136 slots (8 modulo 64) ahead of the reader. The poller waits at a slot the writer
    /// refills only a lap later, then reads the older packets behind it: endless positive/negative gaps.
    @Test func overwriteRingReordersAfterTheStall() throws {
        let bench = try MapRingBench("map_ring_overwrite")
        let poller = try MapRingPoller(object: bench.object, options: .init(idle: .sleep(nanoseconds: 20_000)))
        poller.start()

        #expect(try bench.push(0..<100, poller: poller).allSatisfy { $0 == xdpDrop })
        poller.pause()
        #expect(try bench.push(100..<300, poller: nil).allSatisfy { $0 == xdpDrop })
        #expect(try poller.control() == MapRingControl(writeIndex: 300, stored: 164, fullDrops: 136, contentionDrops: 0))
        poller.resume()
        #expect(poller.waitUntilIdle())
        #expect(try bench.push(300..<500, poller: poller).allSatisfy { $0 == xdpDrop })
        poller.stop()

        let report = poller.report(expected: 0..<500)
        #expect(Array(report.gapLines.prefix(6)) == [
            "missed 192 packets between 163 and 356",
            "missed -64 packets between 363 and 300",
            "missed 64 packets between 355 and 420",
            "missed -64 packets between 427 and 364",
            "missed 64 packets between 419 and 484",
            "missed -64 packets between 491 and 428",
        ])
        #expect(report.outOfOrder == 3 * 56)
        #expect(report.duplicated == 0)
        #expect(!report.isInOrder)
        // 164..299 were dropped in the stall; 492..499 sit in slots the poller will reach only a lap later.
        #expect(report.lost == 136 + 8)
        let control = try poller.control()
        #expect(control.writeIndex == control.stored + control.fullDrops)
        #expect(control.fullDrops == 136)
        #expect(poller.occupiedSlots() == 8)
    }

    /// Fault injection: a planned stall and a manual one are taken (nothing is consumed meanwhile), ended
    /// by resume(), and recorded as windows.
    @Test func plannedAndManualStallsAreTakenAndRecorded() throws {
        let bench = try MapRingBench("map_ring")
        let minute: UInt64 = 60_000_000_000
        let poller = try MapRingPoller(object: bench.object,
                                       options: .init(idle: .sleep(nanoseconds: 20_000), stalls: .once(at: 0, for: minute)))
        poller.start()
        let deadline = MonotonicClock.now() + 2_000_000_000
        while !poller.isStalled && MonotonicClock.now() < deadline { usleep(100) }
        #expect(poller.isStalled)
        #expect(try bench.push(0..<10, poller: nil).allSatisfy { $0 == xdpDrop })
        #expect(poller.readIndex == 0 && poller.occupiedSlots() == 10)
        poller.resume()
        #expect(poller.waitUntilConsumed(10))

        poller.stall(for: minute)
        #expect(poller.isStalled)
        #expect(try bench.push(10..<15, poller: nil).allSatisfy { $0 == xdpDrop })
        #expect(poller.readIndex == 10)
        poller.resume()
        #expect(poller.waitUntilConsumed(15))
        poller.stop()

        let windows = poller.stallWindows()
        #expect(windows.count == 2)
        #expect(windows.allSatisfy { $0.start >= poller.startedAt && $0.duration > 0 && $0.duration < minute })
        let report = poller.report(expected: 0..<15)
        #expect(report.isInOrder && report.lost == 0)
    }
}

/// Two namespaces of the test's own joined by a veth: `seqa0` in `-a` sends with a kernel UDP socket, `seqb0` in
/// `-b` runs the map-ring program in native mode. Static neighbours, so no ARP or NDP runs during the test.
private final class MapRingLink {
    static let senderAddress: [UInt8] = [198, 18, 7, 1], ringAddress: [UInt8] = [198, 18, 7, 2]
    let pair: VethPair
    var a: String { pair.a.namespace }
    var b: String { pair.b.namespace }

    init() throws {
        pair = try VethPair(label: "mapring", interfaces: ("seqa0", "seqb0"),
                            macs: ([0x02, 0, 0, 0, 0x07, 0x0a], [0x02, 0, 0, 0, 0x07, 0x0b]))
        try Command.checked("ip", ["-n", a, "addr", "add", "198.18.7.1/24", "dev", "seqa0"])
        try Command.checked("ip", ["-n", b, "addr", "add", "198.18.7.2/24", "dev", "seqb0"])
        try Command.checked("ip", ["-n", a, "neigh", "replace", "198.18.7.2", "lladdr", "02:00:00:00:07:0b", "dev", "seqa0", "nud", "permanent"])
    }

    func remove() { pair.remove() }

    /// Attaches in native mode, never over another program. The C function is `bpf_xdp_attach`.
    func attach(_ program: BPFProgram) throws {
        try NetworkNamespace.run(b) {
            let ifindex = Int32(bitPattern: if_nametoindex("seqb0"))
            guard ifindex > 0 else { throw SystemError("find seqb0 in \(b)", errno: Glibc.errno) }
            try negativeErrno("attach \(program.name) to \(b):seqb0 (native)",
                              bpf_xdp_attach(ifindex, program.fd, UInt32(XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE), nil))
        }
    }

    /// A UDP socket opened inside the sender's namespace.
    func senderSocket() throws -> Int32 {
        try NetworkNamespace.run(a) {
            try syscall("open UDP socket in \(a)") { socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0) }
        }
    }

    static func send(_ fd: Int32, _ payload: [UInt8], port: UInt16) throws {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = ringAddress.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
        try syscall("send to 198.18.7.2:\(port)") {
            withUnsafePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, payload, payload.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
        }
    }
}

@Suite("map ring on a veth", .serialized, Probe.needs(tools: ["ip", "clang"], to: "build xdplab-tmapring-* namespaces and attach XDP"))
struct MapRingLinkTests {
    /// A paced run from a kernel UDP socket through native XDP into the fixed ring: the receiver sees the
    /// packets in order, every packet is accounted for (consumed or counted as a full-ring drop), and the
    /// XDP arrival stamp minus the payload's send stamp gives a one-way latency on one clock.
    @Test func pacedRunThroughNativeXDPArrivesInOrderWithLatency() throws {
        let link = try MapRingLink()
        defer { link.remove() }
        let bench = try MapRingBench("map_ring")
        try link.attach(bench.program)
        let poller = try MapRingPoller(object: bench.object)
        poller.start()
        defer { poller.stop() }

        let socket = try link.senderSocket()
        defer { close(socket) }
        let count = 2_000
        let schedule = PacedSchedule(pacing: .interval(nanoseconds: 20_000), extent: .count(count))
        let sendTimes = try schedule.run { index in
            let payload = SequencePayload(sequence: UInt64(index), sentNanoseconds: MonotonicClock.now()).bytes()
            try MapRingLink.send(socket, payload, port: MapRingBench.port)
        }
        // A datagram to another port passes XDP, so the ring holds only the run.
        try MapRingLink.send(socket, [1, 2, 3], port: MapRingBench.port + 1)
        // veth hands frames to the peer's NAPI, so XDP may still be working when the last send returns.
        var control = try poller.control()
        let deadline = MonotonicClock.now() + 2_000_000_000
        while control.stored + control.fullDrops + control.contentionDrops < UInt64(count) && MonotonicClock.now() < deadline {
            usleep(1_000)
            control = try poller.control()
        }
        #expect(poller.waitUntilConsumed(control.stored))
        poller.stop()

        let report = poller.report(expected: 0..<UInt64(count))
        #expect(report.isInOrder)
        #expect(UInt64(report.received) == control.stored)
        #expect(control.stored + control.fullDrops + control.contentionDrops == UInt64(count))
        #expect(control.writeIndex == control.stored)
        let latency = try #require(report.latency)
        #expect(latency.minimum > 0)
        let pacing = try #require(PacingReport(sendTimes: sendTimes, schedule: schedule))
        #expect(pacing.packets == count)
        print("map ring on veth: \(pacing); \(report.summaryLines.joined(separator: "; "))")
    }
}
