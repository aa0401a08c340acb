import Testing
import Packets

@Suite("Packet tags are found wherever they lie, and only whole")
struct PacketTagTests {
    @Test("a tag at the very end, after decoys that share its first bytes, in every kind of byte collection")
    func findsTheWholeTag() {
        let decoys: [UInt8] = Array(PacketTag.magic.prefix(5)) + [0x58] + Array(PacketTag.magic.prefix(7))
        let frame = decoys + PacketTag.bytes(id: 0x0102_0304_0506_0708)
        #expect(PacketTag.find(in: frame) == 0x0102_0304_0506_0708)
        #expect(PacketTag.find(in: frame[3...]) == 0x0102_0304_0506_0708)
        #expect(PacketTag.find(in: frame.withUnsafeBytes { Array($0) }) == 0x0102_0304_0506_0708)
        #expect(frame.withUnsafeBytes { PacketTag.find(in: $0) } == 0x0102_0304_0506_0708)
        #expect(PacketTag.find(in: [UInt8](repeating: 0, count: 3) + PacketTag.bytes(id: 7) + PacketTag.bytes(id: 8)) == 7)
    }

    @Test("a tag cut short, a lone magic or a short frame is no tag")
    func refusesPartialTags() {
        let whole = PacketTag.bytes(id: 9)
        #expect(PacketTag.find(in: Array(whole.dropLast())) == nil)
        #expect(PacketTag.find(in: [0, 0] + Array(whole.dropLast(3))) == nil)
        #expect(PacketTag.find(in: [UInt8](repeating: 0x58, count: 64)) == nil)
        #expect(PacketTag.find(in: [UInt8]()) == nil)
    }
}
