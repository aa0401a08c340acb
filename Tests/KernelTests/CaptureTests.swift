import Foundation
import Glibc
import Testing
import Capture
import Packets
import Realization
import SystemSupport
import TestSupport

/// Two namespaces of this test's own joined by one veth: `va` (02:00:00:00:00:0a) in `-a`, `vb` (02:00:00:00:00:0b)
/// in `-b`. No addresses and no IPv6 address generation, so the kernel itself sends no ARP or ND on the link.
private enum Link {
    static let macA: [UInt8] = [0x02, 0, 0, 0, 0, 0x0a]
    static let macB: [UInt8] = [0x02, 0, 0, 0, 0, 0x0b]

    static func create() throws -> VethPair {
        try VethPair(label: "capture", interfaces: ("va", "vb"), macs: (macA, macB))
    }
}

/// Frames built by hand; every one carries a tag so the capture's index can be checked.
private enum Frames {
    static func ethernet(to: [UInt8], from: [UInt8], type: UInt16, _ payload: [UInt8]) -> [UInt8] {
        let frame = to + from + [UInt8(type >> 8), UInt8(type & 0xff)] + payload
        return frame + [UInt8](repeating: 0, count: max(0, 60 - frame.count))
    }

    /// A frame of the IEEE local experimental EtherType carrying only a tag.
    static func experimental(id: UInt64, from: [UInt8], to: [UInt8]) -> [UInt8] {
        ethernet(to: to, from: from, type: 0x88B5, PacketTag.bytes(id: id))
    }

    /// ARP who-has 198.18.0.1 tell 198.18.0.2, with the tag (if any) in the Ethernet padding after the message.
    static func arpRequest(id: UInt64?, from: [UInt8]) -> [UInt8] {
        let message: [UInt8] = [0, 1, 0x08, 0x00, 6, 4, 0, 1] + from + [198, 18, 0, 2] + [0, 0, 0, 0, 0, 0] + [198, 18, 0, 1]
        return ethernet(to: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff], from: from, type: 0x0806,
                        message + (id.map { PacketTag.bytes(id: $0) } ?? []))
    }

    /// An ICMPv6 neighbour solicitation (type 135) for 2001:2::1 with the tag in trailing bytes. The checksum is
    /// left zero: the kernel discards it, but the tap sees it first, which is all the capture needs.
    static func neighbourSolicitation(id: UInt64?, from: [UInt8]) -> [UInt8] {
        let target: [UInt8] = [0x20, 0x01, 0, 2] + [UInt8](repeating: 0, count: 11) + [1]
        let source: [UInt8] = [0x20, 0x01, 0, 2] + [UInt8](repeating: 0, count: 11) + [2]
        let solicitedNode: [UInt8] = [0xff, 0x02] + [UInt8](repeating: 0, count: 9) + [1, 0xff, 0, 0, 1]
        let icmp: [UInt8] = [135, 0, 0, 0, 0, 0, 0, 0] + target + (id.map { PacketTag.bytes(id: $0) } ?? [])
        let ipv6: [UInt8] = [0x60, 0, 0, 0, UInt8(icmp.count >> 8), UInt8(icmp.count & 0xff), 58, 255] + source + solicitedNode
        return ethernet(to: [0x33, 0x33, 0xff, 0, 0, 1], from: from, type: 0x86DD, ipv6 + icmp)
    }
}

/// Reads a classic pcap file: the link type from the global header and the captured bytes of each record.
private struct PcapFile {
    let magic: UInt32
    let linkType: UInt32
    let records: [[UInt8]]

    init(path: String) throws {
        let data = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        func u32(_ at: Int) -> UInt32 {
            UInt32(data[at]) | UInt32(data[at + 1]) << 8 | UInt32(data[at + 2]) << 16 | UInt32(data[at + 3]) << 24
        }
        guard data.count >= 24 else { throw SystemError("read pcap header of \(path)", errno: EIO) }
        magic = u32(0)
        linkType = u32(20)
        var records: [[UInt8]] = []
        var offset = 24
        while offset + 16 <= data.count {
            let length = Int(u32(offset + 8))
            guard offset + 16 + length <= data.count else { break }
            records.append(Array(data[(offset + 16)..<(offset + 16 + length)]))
            offset += 16 + length
        }
        self.records = records
    }
}

@Suite("libpcap capture in a namespace", .serialized,
       Probe.needs(tools: ["ip"], to: "create xdplab-tcapture-* namespaces and open packet sockets"))
struct CaptureTests {
    @Test("indexes incoming tags, counts ARP/ND, writes every frame to a valid pcap file, loses none at stop")
    func capturesTaggedFrames() throws {
        let pair = try Link.create()
        defer { pair.remove() }
        let folder = NSTemporaryDirectory() + "xdplab-tverify-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let file = "\(folder)/nested/va.pcap"

        let began = Date()
        let capture = try PacketCapture.start(namespace: pair.a.namespace, interface: "va", file: file)
        let peer = try RawSocket(namespace: pair.b.namespace, interface: "vb", tap: false)
        let local = try RawSocket(namespace: pair.a.namespace, interface: "va", tap: false)
        for id: UInt64 in [101, 102, 103] {
            try peer.send(Frames.experimental(id: id, from: Link.macB, to: Link.macA))
        }
        try peer.send(Frames.arpRequest(id: 104, from: Link.macB))
        try peer.send(Frames.neighbourSolicitation(id: 105, from: Link.macB))
        // Untagged: what the hosts' own neighbour resolution sends; only these count as ARP/ND.
        try peer.send(Frames.arpRequest(id: nil, from: Link.macB))
        try peer.send(Frames.neighbourSolicitation(id: nil, from: Link.macB))
        // Sent by the captured side: in the file, but not an arrival.
        try local.send(Frames.experimental(id: 200, from: Link.macA, to: Link.macB))
        // A burst that fits in the taps' rings, then no pause before stop: stop itself must drain what is queued.
        // Below the kernel's 1,000-frame receive backlog, so none is dropped even if the receiving softirq is
        // pushed to ksoftirqd on a busy machine.
        let burst: Range<UInt64> = 1000..<1900
        for id in burst { try peer.send(Frames.experimental(id: id, from: Link.macB, to: Link.macA)) }
        let result = capture.stop()
        let elapsed = Date().timeIntervalSince(began)

        #expect(result.file == file)
        #expect(Set(result.tagged.keys) == Set([101, 102, 103, 104, 105] + burst))
        // Arrival times are seconds since the capture started: within the capture's life, and in the order one
        // sender on one link sent them.
        #expect(result.tagged.values.allSatisfy { $0 >= 0 && $0 <= elapsed }, "a time outside 0…\(elapsed) s")
        let order: [UInt64] = [101, 102, 103, 104, 105] + burst
        let times = order.compactMap { result.tagged[$0] }
        #expect(times.count == order.count && zip(times, times.dropFirst()).allSatisfy { $0 <= $1 },
                "arrival times out of sending order")
        #expect(result.arpFrames == 1)
        #expect(result.neighbourDiscoveryFrames == 1)
        #expect(result.droppedByCapture == 0)
        #expect(result.frames == 8 + burst.count)

        let pcap = try PcapFile(path: file)
        #expect(pcap.magic == 0xa1b2_c3d4)
        #expect(pcap.linkType == 1)   // Ethernet
        #expect(pcap.records.count == result.frames)
        let idsInFile = Set(pcap.records.compactMap { PacketTag.find(in: $0) })
        #expect(idsInFile.isSuperset(of: [101, 102, 103, 104, 105, 200]))

        #expect(capture.stop() == result, "stop is idempotent")
    }

    @Test("an interface that vanishes mid-capture is reported, not a hang or a silent gap")
    func interfaceVanishes() throws {
        let pair = try Link.create()
        defer { pair.remove() }
        let folder = NSTemporaryDirectory() + "xdplab-tverify-\(getpid())-vanish"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let capture = try PacketCapture.start(namespace: pair.a.namespace, interface: "va", file: "\(folder)/va.pcap")
        let peer = try RawSocket(namespace: pair.b.namespace, interface: "vb", tap: false)
        try peer.send(Frames.experimental(id: 7, from: Link.macB, to: Link.macA))
        usleep(100_000)   // let the capture thread read it before the link goes
        try Command.checked("ip", ["-n", pair.a.namespace, "link", "del", "dev", "va"])
        usleep(100_000)
        let result = capture.stop()
        #expect(result.tagged.keys.contains(7))
        #expect(result.failure?.contains("va") == true)
    }

    @Test("names the interface when it cannot open the capture")
    func missingInterface() throws {
        let pair = try Link.create()
        defer { pair.remove() }
        let folder = NSTemporaryDirectory() + "xdplab-tverify-\(getpid())-missing"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect {
            _ = try PacketCapture.start(namespace: pair.a.namespace, interface: "nosuch0", file: "\(folder)/x.pcap")
        } throws: { error in
            "\(error)".contains("nosuch0")
        }
    }
}
