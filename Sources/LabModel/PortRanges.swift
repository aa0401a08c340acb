import Foundation

/// Port lists as lab files and the command line write them: "8003", "8003-8005", "53,8003-8005". The one parser
/// and printer of them; each caller words its own errors from `Problem`.
public enum PortRanges {
    /// What is wrong with one item of a list.
    public enum Problem: Error, Equatable, Sendable {
        /// Neither a number nor a range of two numbers.
        case notAPort
        /// A bound outside 1 to 65535.
        case outOfRange
        /// The range is written high to low.
        case backwards(low: Int, high: Int)

        /// The words both lab files and the command line use for the last two; `notAPort` is each caller's own.
        public func description(of item: String) -> String {
            switch self {
            case .notAPort: return "'\(item)' is not a port or a range such as 8003-8005"
            case .outOfRange: return "ports must be between 1 and 65535, got \(item)"
            case .backwards(let low, let high): return "port range \(item) runs backwards; write \(high)-\(low)"
            }
        }
    }

    /// One item: a port ("8003") or a range ("8003-8005"), with spaces around the numbers allowed. Ports are 1 to
    /// 65535.
    public static func range(_ item: String) -> Result<ClosedRange<UInt16>, Problem> {
        let bounds = item.split(separator: "-", omittingEmptySubsequences: false)
            .map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0 != nil }) else { return .failure(.notAPort) }
        let low = bounds[0]!, high = bounds[bounds.count - 1]!
        guard (1...65535).contains(low), (1...65535).contains(high) else { return .failure(.outOfRange) }
        guard low <= high else { return .failure(.backwards(low: low, high: high)) }
        return .success(UInt16(low)...UInt16(high))
    }

    /// A problem with a whole list as the command line writes it ("--ports 53,8003-8005").
    public struct ListProblem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// A comma-separated list, sorted, without duplicates.
    public static func parse(_ text: String) throws -> [UInt16] {
        var ports = Set<UInt16>()
        for item in text.split(separator: ",", omittingEmptySubsequences: false) {
            let item = item.trimmingCharacters(in: .whitespaces)
            guard !item.isEmpty else { throw ListProblem(description: "port list '\(text)' has an empty item") }
            switch range(item) {
            case .success(let range): ports.formUnion(range)
            case .failure(let problem): throw ListProblem(description: problem.description(of: item))
            }
        }
        return ports.sorted()
    }

    /// Runs of ports as ranges: [8005, 8003, 8004, 9000] → "8003-8005,9000" (`separator` ", " for people).
    public static func text(_ ports: [UInt16], separator: String = ",") -> String {
        let sorted = Array(Set(ports)).sorted()
        var parts: [String] = []
        var index = 0
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return parts.joined(separator: separator)
    }
}
