import Foundation
import Glibc
import Synchronization

/// What `xdplab run --jobs N` shows while labs run. On a terminal: one status line per running lab (its name, its
/// time so far and its latest progress line), redrawn below the blocks of the labs that ended. Elsewhere (a CI log):
/// only the whole block of each lab as it ends, so that lines of different labs never interleave.
final class JobBoard: Sendable {
    private struct Running {
        let name: String
        let log: String
        let started: Date
    }

    private struct State {
        var running: [Running] = []
        /// Status lines on screen below the last block, which the next redraw replaces.
        var drawn = 0
        var stopped = false
    }

    private let live: Bool
    private let state = Mutex(State())

    /// `live`: standard error is a terminal and progress is wanted.
    init(live: Bool) { self.live = live }

    static func forStandardError(quiet: Bool) -> JobBoard {
        JobBoard(live: !quiet && isatty(STDERR_FILENO) != 0)
    }

    /// Redraws the status lines four times a second until `stop()`.
    func start() {
        guard live else { return }
        Thread.detachNewThread { [self] in
            while !state.withLock({ $0.stopped }) {
                state.withLock { redraw(&$0, above: "") }
                usleep(250_000)
            }
        }
    }

    /// Clears the status lines for good (the summary follows).
    func stop() {
        state.withLock {
            $0.running = []
            redraw(&$0, above: "")
            $0.stopped = true
        }
    }

    /// A line for everyone, above the status lines.
    func note(_ line: String) {
        state.withLock { redraw(&$0, above: line + "\n") }
    }

    func started(_ name: String, log: String) {
        state.withLock { $0.running.append(Running(name: name, log: log, started: Date())) }
    }

    /// The lab's whole progress, printed as one block above the status lines.
    func ended(_ name: String, block: String) {
        state.withLock { state in
            state.running.removeAll { $0.name == name }
            redraw(&state, above: block)
        }
    }

    /// Replaces the status lines with `text` followed by fresh status lines. The caller holds the lock.
    private func redraw(_ state: inout State, above text: String) {
        var output = ""
        if live, state.drawn > 0 { output += "\u{1B}[\(state.drawn)F\u{1B}[J" }
        output += text
        state.drawn = 0
        if live, !state.stopped {
            let width = Self.terminalWidth()
            for lab in state.running {
                output += Self.statusLine(lab, width: width) + "\n"
                state.drawn += 1
            }
        }
        if !output.isEmpty { FileHandle.standardError.write(Data(output.utf8)) }
    }

    /// "  ▸ lab-name   12.3s  inject: 12/56", cut to the terminal's width so that no line wraps.
    private static func statusLine(_ lab: Running, width: Int) -> String {
        let elapsed = String(format: "%5.1fs", Date().timeIntervalSince(lab.started))
        let line = "  ▸ \(lab.name)  \(elapsed)  \(latestProgress(lab.log))"
        return String(line.prefix(max(width - 1, 20)))
    }

    /// The last complete line of a child's progress log, without its "[lab  1.2s] " prefix.
    static func latestProgress(_ log: String) -> String {
        guard let handle = FileHandle(forReadingAtPath: log) else { return "" }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > 1024 ? size - 1024 : 0)
        let tail = String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
        guard let last = tail.split(separator: "\n").last else { return "starting" }
        if last.hasPrefix("["), let close = last.firstIndex(of: "]") {
            return String(last[last.index(after: close)...]).trimmingCharacters(in: .whitespaces)
        }
        return String(last)
    }

    private static func terminalWidth() -> Int {
        var size = winsize()
        return ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0 && size.ws_col > 0 ? Int(size.ws_col) : 100
    }
}
