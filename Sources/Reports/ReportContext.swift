import Foundation
import Glibc

/// What a report says about the run as a whole: when it started, on which machine, and whether a signal cut it short.
public struct ReportContext: Sendable, Equatable {
    public var startedAt: Date
    public var hostname: String
    /// "SIGINT" or "SIGTERM" when the run was interrupted; the lab under way then reports as interrupted.
    public var interruptedBy: String?

    public init(startedAt: Date = Date(), hostname: String = ReportContext.hostname(), interruptedBy: String? = nil) {
        self.startedAt = startedAt
        self.hostname = hostname
        self.interruptedBy = interruptedBy
    }

    /// This machine's name as `gethostname(2)` gives it.
    public static func hostname() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "unknown" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// ISO 8601 in UTC to the second, "2025-05-12T09:30:00Z": what JUnit's `timestamp` and the JSON carry.
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
