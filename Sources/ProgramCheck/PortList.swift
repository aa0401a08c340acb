import Foundation

/// Port lists as the command line writes them: "8003-8005", "8003,8004,8005", "53,8003-8005".
public enum PortList {
    public struct Problem: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// Sorted, without duplicates. Ports are 1 to 65535, as in lab files.
    public static func parse(_ text: String) throws -> [UInt16] {
        var ports = Set<UInt16>()
        let items = text.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        for item in items {
            guard !item.isEmpty else { throw Problem(description: "port list '\(text)' has an empty item") }
            let bounds = item.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard (1...2).contains(bounds.count), bounds.allSatisfy({ $0 != nil }) else {
                throw Problem(description: "'\(item)' is not a port or a range such as 8003-8005")
            }
            let low = bounds[0]!, high = bounds[bounds.count - 1]!
            guard (1...65535).contains(low), (1...65535).contains(high) else {
                throw Problem(description: "ports must be between 1 and 65535, got \(item)")
            }
            guard low <= high else { throw Problem(description: "port range \(item) runs backwards; write \(high)-\(low)") }
            ports.formUnion((low...high).map { UInt16($0) })
        }
        return ports.sorted()
    }

    /// "8003-8005, 9000".
    public static func text(_ ports: [UInt16]) -> String {
        var parts: [String] = []
        var index = 0
        let sorted = Array(Set(ports)).sorted()
        while index < sorted.count {
            var end = index
            while end + 1 < sorted.count, sorted[end + 1] == sorted[end] + 1 { end += 1 }
            parts.append(end == index ? "\(sorted[index])" : "\(sorted[index])-\(sorted[end])")
            index = end + 1
        }
        return parts.joined(separator: ", ")
    }
}
