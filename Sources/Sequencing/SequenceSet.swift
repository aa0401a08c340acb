/// The sequence numbers seen so far, as a bitmap from a base plus a set for stragglers.
///
/// Runs send millions of consecutive numbers, so a bitmap costs one bit each; numbers below the base or
/// absurdly far above it (a corrupted payload) go to an ordinary set instead of growing the bitmap.
struct SequenceSet {
    /// Largest distance above the base kept in the bitmap: 2^28 bits, 32 MiB.
    static let bitmapSpan: UInt64 = 1 << 28

    private(set) var base: UInt64?
    private var words: [UInt64] = []
    private var others: Set<UInt64> = []
    private(set) var count = 0

    init(base: UInt64? = nil) { self.base = base }

    /// Adds `value`; false when it was already there.
    mutating func insert(_ value: UInt64) -> Bool {
        if base == nil { base = value }
        let inserted: Bool
        if let base, value >= base, value - base < Self.bitmapSpan {
            let offset = Int(value - base)
            let word = offset >> 6, bit = UInt64(1) << UInt64(offset & 63)
            if word >= words.count { words.append(contentsOf: repeatElement(0, count: max(word + 1 - words.count, words.count))) }
            inserted = words[word] & bit == 0
            words[word] |= bit
        } else {
            inserted = others.insert(value).inserted
        }
        if inserted { count += 1 }
        return inserted
    }

    /// How many members lie in `range`.
    func count(in range: Range<UInt64>) -> Int {
        var total = others.reduce(0) { $0 + (range.contains($1) ? 1 : 0) }
        guard let base, !words.isEmpty else { return total }
        let low = max(range.lowerBound, base), high = min(range.upperBound, base + UInt64(words.count) * 64)
        guard low < high else { return total }
        var offset = Int(low - base)
        let end = Int(high - base)
        while offset < end {
            let word = offset >> 6, first = offset & 63
            let last = min(64, end - (word << 6))
            var mask = words[word] >> UInt64(first)
            if last - first < 64 { mask &= (UInt64(1) << UInt64(last - first)) - 1 }
            total += mask.nonzeroBitCount
            offset = (word + 1) << 6
        }
        return total
    }
}
