import Foundation
import Reports

/// What a run leaves in its folder for programs and for people: `report.json` and `report.html` beside the pcap.
enum RunReports {
    /// Writes the JSON report (unless `json` is false: a lab that could not run has none) and the page, which
    /// links what the folder holds by then. A page that cannot be written is said, never fatal.
    static func write(_ report: LabReport, to directory: String, json: Bool = true, progress: Progress) {
        if json {
            try? JSONReport.render([report]).write(toFile: "\(directory)/report.json", atomically: true, encoding: .utf8)
        }
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).filter { $0 != HTMLReport.fileName }
        let ring = report.sequence?.ringPicture.flatMap { try? String(contentsOfFile: $0, encoding: .utf8) }
        let page = HTMLReport.render(report, folder: HTMLReport.Folder(files: files, ringPicture: ring))
        let path = "\(directory)/\(HTMLReport.fileName)"
        do {
            try page.write(toFile: path, atomically: true, encoding: .utf8)
            progress("report page: \(path)")
        } catch {
            progress("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
