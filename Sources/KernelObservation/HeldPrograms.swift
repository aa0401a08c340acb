import Foundation

/// XDP programs that processes hold open, read from `/proc/PID/fdinfo` (a BPF program's descriptor shows its
/// `prog_type` and `prog_id` there). A stack that holds an XDP program which is not the attached one loaded it
/// for nothing, or, the classic outage, attached it and then had it replaced by another of its own.
public enum HeldPrograms {
    /// `BPF_PROG_TYPE_XDP`.
    static let xdpType = "6"

    /// Ids of the XDP programs held by `pids`, sorted, each once.
    public static func xdp(heldBy pids: [Int32]) -> [UInt32] {
        var ids = Set<UInt32>()
        for pid in pids {
            let folder = "/proc/\(pid)/fdinfo"
            guard let descriptors = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for descriptor in descriptors {
                guard let text = try? String(contentsOfFile: "\(folder)/\(descriptor)", encoding: .utf8),
                      text.contains("prog_id") else { continue }
                var type: String?
                var id: UInt32?
                for line in text.split(separator: "\n") {
                    let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                    guard parts.count == 2 else { continue }
                    if parts[0] == "prog_type" { type = parts[1] }
                    if parts[0] == "prog_id" { id = UInt32(parts[1]) }
                }
                if type == xdpType, let id { ids.insert(id) }
            }
        }
        return ids.sorted()
    }
}
