import Glibc
import Packets
import Evidence

/// The timing every client of one `SSHSessions` shares.
struct SessionPlan {
    /// When exchange 0 is due (TrafficClock seconds).
    let start: Double
    /// What `stalledAt` counts from.
    let origin: Double
    let interval: Double
    let maxStall: Double
    let duration: Double

    /// Exchanges due at start, start + interval, … before start + duration.
    var exchanges: Int { max(1, Int((duration / interval + 1e-6).rounded(.down))) }
    /// Nothing is sent after this, and an answer is not waited for past `deadline`.
    var lastSend: Double { start + duration }
    var deadline: Double { start + duration + maxStall }
}

/// One client session, run on its own thread.
struct SessionClient {
    let fd: Int32
    let queue: Int
    let endpoints: TrafficEndpoints
    let port: UInt16
    let plan: SessionPlan
    let stopFlag: StopFlag

    /// What the session has seen so far.
    private struct Tally {
        var completed = 0
        var longest = 0.0
        var stalledAt: Double?
        var failure: String?
        /// When the last answer came (or the session started).
        var lastProgress: Double
        var answeredAt: [Double] = []
    }

    func run() -> SessionRecord {
        var tally = Tally(lastProgress: plan.start)
        tally.answeredAt.reserveCapacity(plan.exchanges)
        let receiver = Sockets.ipv4Address(endpoints.receiver.ipv4, port: port)
        if let why = Sockets.connect(fd, to: receiver, timeout: max(plan.maxStall, 0.001)) {
            tally.failure = why
            tally.longest = TrafficClock.now() - plan.start
            tally.stalledAt = plan.start - plan.origin
            return record(tally)
        }

        var reader = StreamReader(fd: fd)
        for exchange in 0..<plan.exchanges {
            guard waitUntilDue(exchange, &tally), self.exchange(exchange, reader: &reader, &tally) else { break }
        }
        if tally.completed < plan.exchanges {
            // The time since the last answer counts as a stall too, or a session that died early would look smooth.
            tally.longest = max(tally.longest, TrafficClock.now() - tally.lastProgress)
        }
        return record(tally)
    }

    /// Sleeps until `exchange` is due; false when the session ends first (stopped, or past its deadline).
    private func waitUntilDue(_ exchange: Int, _ tally: inout Tally) -> Bool {
        let due = plan.start + Double(exchange) * plan.interval
        while TrafficClock.now() < due && !stopFlag.isRaised {
            TrafficClock.sleep(until: min(due, TrafficClock.now() + SessionServer.tick))
        }
        if stopFlag.isRaised {
            tally.failure = "stopped before the end"
            return false
        }
        // An exchange due before the end is still sent when a stall delayed it, as long as its answer can come in time.
        return TrafficClock.now() < plan.deadline
    }

    /// Sends one request and waits for its answer, noting a stall; false when the session ends here.
    private func exchange(_ exchange: Int, reader: inout StreamReader, _ tally: inout Tally) -> Bool {
        let text = "exchange \(exchange) queue \(queue)\n"
        let request = PacketTag.bytes(id: SSHSessions.tagID(queue: queue, exchange: exchange)) + Array(text.utf8)
        let sentAt = TrafficClock.now()
        if let why = Sockets.writeAll(fd, request, timeout: plan.maxStall) {
            tally.failure = why
            return false
        }
        while true {
            if let line = reader.takeLine() {
                guard line == Array("ok \(text)".utf8) else {
                    tally.failure = "unexpected answer to exchange \(exchange): \(String(decoding: line, as: UTF8.self))"
                    return false
                }
                let now = TrafficClock.now()
                tally.completed += 1
                tally.answeredAt.append(now - plan.origin)
                tally.longest = max(tally.longest, now - tally.lastProgress)
                tally.lastProgress = now
                return true
            }
            let now = TrafficClock.now()
            if now - sentAt >= plan.maxStall && tally.stalledAt == nil { tally.stalledAt = sentAt - plan.origin }
            if now >= plan.deadline { return false }
            if stopFlag.isRaised {
                tally.failure = "stopped before the end"
                return false
            }
            switch reader.fill(timeout: min(SessionServer.tick, plan.deadline - now)) {
            case .data, .timedOut: continue
            case .closed: tally.failure = "closed by peer"; return false
            case .failed(let why): tally.failure = why; return false
            }
        }
    }

    private func record(_ tally: Tally) -> SessionRecord {
        let flow = "tcp \(AddressText.ip(endpoints.sender.ipv4)):\(Sockets.localPort(fd))"
            + " > \(AddressText.ip(endpoints.receiver.ipv4)):\(port)"
        return SessionRecord(queue: queue, flow: flow, exchangesPlanned: plan.exchanges, exchangesCompleted: tally.completed,
                             longestStall: tally.longest, stalledAt: tally.stalledAt, failure: tally.failure,
                             answeredAt: tally.answeredAt, startedAt: plan.start - plan.origin,
                             endedAt: TrafficClock.now() - plan.origin, maxStall: plan.maxStall)
    }
}
