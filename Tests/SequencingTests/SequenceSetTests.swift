import Testing
@testable import Sequencing

@Suite struct SequenceSetTests {
    @Test func countsInRangesAcrossWords() {
        var set = SequenceSet(base: 100)
        for value in UInt64(100)..<300 where value % 3 == 0 {
            let inserted = set.insert(value)
            #expect(inserted)
        }
        let again = set.insert(102)
        #expect(!again)
        #expect(set.count(in: 100..<300) == (100..<300).filter { $0 % 3 == 0 }.count)
        #expect(set.count(in: 163..<229) == (163..<229).filter { $0 % 3 == 0 }.count)
        #expect(set.count(in: 0..<100) == 0)
        #expect(set.count(in: 64..<65) == 0)
    }

    @Test func farValuesDoNotGrowTheBitmap() {
        var set = SequenceSet(base: 0)
        let first = set.insert(UInt64.max - 1), second = set.insert(UInt64.max - 1)
        #expect(first && !second)
        #expect(set.count(in: (UInt64.max - 2)..<UInt64.max) == 1)
        #expect(set.count == 1)
    }
}
