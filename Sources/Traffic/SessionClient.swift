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

    func run() -> SessionRecord {
        let planned = plan.exchanges
        let receiver = Sockets.ipv4Address(endpoints.receiver.ipv4, port: port)
        let flowPrefix = "tcp \(AddressText.ip(endpoints.sender.ipv4)):"
        let flowSuffix = " > \(AddressText.ip(endpoints.receiver.ipv4)):\(port)"
        var completed = 0
        var longest = 0.0
        var stalledAt: Double?
        var failure: String?
        var lastProgress = plan.start
        var answeredAt: [Double] = []
        answeredAt.reserveCapacity(planned)

        func record() -> SessionRecord {
            SessionRecord(queue: queue, flow: flowPrefix + "\(Sockets.localPort(fd))" + flowSuffix, exchangesPlanned: planned,
                          exchangesCompleted: completed, longestStall: longest, stalledAt: stalledAt, failure: failure,
                          answeredAt: answeredAt, startedAt: plan.start - plan.origin, endedAt: TrafficClock.now() - plan.origin,
                          maxStall: plan.maxStall)
        }

        if let why = Sockets.connect(fd, to: receiver, timeout: max(plan.maxStall, 0.001)) {
            failure = why
            longest = TrafficClock.now() - plan.start
            stalledAt = plan.start - plan.origin
            return record()
        }

        var reader = StreamReader(fd: fd)
        exchanges: for exchange in 0..<planned {
            let due = plan.start + Double(exchange) * plan.interval
            while TrafficClock.now() < due && !stopFlag.isRaised {
                TrafficClock.sleep(until: min(due, TrafficClock.now() + SessionServer.tick))
            }
            if stopFlag.isRaised { failure = "stopped before the end"; break }
            // An exchange due before the end is still sent when a stall delayed it, as long as its answer can come in time.
            if TrafficClock.now() >= plan.deadline { break }

            let text = "exchange \(exchange) queue \(queue)\n"
            let request = PacketTag.bytes(id: SSHSessions.tagID(queue: queue, exchange: exchange)) + Array(text.utf8)
            let sentAt = TrafficClock.now()
            if let why = Sockets.writeAll(fd, request, timeout: plan.maxStall) {
                failure = why
                break
            }
            while true {
                if let line = reader.takeLine() {
                    guard line == Array("ok \(text)".utf8) else {
                        failure = "unexpected answer to exchange \(exchange): \(String(decoding: line, as: UTF8.self))"
                        break exchanges
                    }
                    let now = TrafficClock.now()
                    completed += 1
                    answeredAt.append(now - plan.origin)
                    longest = max(longest, now - lastProgress)
                    lastProgress = now
                    break
                }
                let now = TrafficClock.now()
                if now - sentAt >= plan.maxStall && stalledAt == nil { stalledAt = sentAt - plan.origin }
                if now >= plan.deadline { break exchanges }
                if stopFlag.isRaised { failure = "stopped before the end"; break exchanges }
                switch reader.fill(timeout: min(SessionServer.tick, plan.deadline - now)) {
                case .data, .timedOut: continue
                case .closed: failure = "closed by peer"; break exchanges
                case .failed(let why): failure = why; break exchanges
                }
            }
        }
        if completed < planned {
            // The time since the last answer counts as a stall too, or a session that died early would look smooth.
            longest = max(longest, TrafficClock.now() - lastProgress)
        }
        return record()
    }
}
