import Testing
@testable import Sequencing

@Suite struct SequencePayloadTests {
    @Test func bytesAreMagicThenBigEndianNumbers() {
        let bytes = SequencePayload(sequence: 0x0102_0304_0506_0708, sentNanoseconds: 0x1112_1314_1516_1718).bytes()
        #expect(bytes.count == SequencePayload.size)
        #expect(Array(bytes[0..<8]) == Array("XDPLSEQ\u{1}".utf8))
        #expect(Array(bytes[8..<16]) == [1, 2, 3, 4, 5, 6, 7, 8])
        #expect(Array(bytes[16..<24]) == [0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18])
    }

    @Test func roundTripsWithATrailer() {
        let payload = SequencePayload(sequence: 1_278_853, sentNanoseconds: 987_654_321)
        let bytes = payload.bytes(trailer: [0xAA, 0xBB])
        #expect(bytes.count == 26)
        #expect(SequencePayload(payload: bytes) == payload)
    }

    @Test func zeroStampMeansUnstamped() {
        let bytes = SequencePayload(sequence: 5).bytes()
        #expect(SequencePayload(payload: bytes)?.sentNanoseconds == nil)
    }

    @Test func rejectsShortOrForeignPayloads() {
        let bytes = SequencePayload(sequence: 9).bytes()
        #expect(SequencePayload(payload: bytes.dropLast()) == nil)
        var foreign = bytes
        foreign[3] ^= 0xFF
        #expect(SequencePayload(payload: foreign) == nil)
        // The packet tag's magic is a different one.
        #expect(SequencePayload(payload: Array("XDPLAB\u{7}\u{1}".utf8) + [UInt8](repeating: 0, count: 16)) == nil)
    }

    @Test func foundInsideAFrame() {
        let frame = [UInt8](repeating: 0x58, count: 42) + SequencePayload(sequence: 77, sentNanoseconds: 3).bytes() + [0, 0]
        #expect(SequencePayload.find(in: frame) == SequencePayload(sequence: 77, sentNanoseconds: 3))
        #expect(SequencePayload.find(in: [UInt8](repeating: 0x58, count: 80)) == nil)
    }
}
