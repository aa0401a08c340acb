/// Nearest-rank percentiles: the result is always a value that was measured, never an interpolation.
enum Percentile {
    /// The value at or below which `percent` of `sorted` lies; `sorted` must be ascending and not empty.
    static func nearestRank<T>(_ percent: Double, of sorted: [T]) -> T {
        precondition(!sorted.isEmpty, "a percentile needs at least one value")
        let rank = Int((percent / 100 * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}
