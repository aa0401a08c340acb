import Evidence
import LabModel
import Sequencing

/// A few sentences that say why sequenced packets were lost or reordered, from the receiver's own counters.
extension SequenceVerifier {
    public static func diagnosis(of results: [CheckResult], observations: SequenceObservations) -> [String] {
        var sentences = receiverSentences(observations)
        if observations.reachedKernel > 0, observations.receiver != .udpSocket {
            sentences.append("\(observations.reachedKernel) packets of the run reached the kernel instead of the "
                             + "\(observations.receiver.rawValue) receiver: XDP passed them (no program attached, or no "
                             + "socket registered for their queue yet).")
        }
        if observations.senderRetries > 0 {
            sentences.append("The link pushed back \(observations.senderRetries) times (ENOBUFS): the sender waited, "
                             + "so it sent fewer packets per second than planned, but skipped none.")
        }
        let open = results.filter { !$0.judged }
        if !open.isEmpty {
            sentences.append("Could not be judged: " + open.map { "\($0.name) (\($0.detail))" }.joined(separator: "; ") + ".")
        }
        return sentences
    }

    /// What the receiver's own counters say: the map ring's indexes, the socket's statistics, the UDP counters.
    static func receiverSentences(_ observations: SequenceObservations) -> [String] {
        let report = observations.report
        var sentences: [String] = []
        switch observations.evidence {
        case .mapRing(let ring):
            if ring.writeIndexRanAhead {
                sentences.append(
                    "The map ring's write index ran ahead of what it stored: write_index \(ring.writeIndex) = stored "
                    + "\(ring.stored) + \(ring.writeIndex - ring.stored) slots skipped (\(ring.fullDrops) full-ring drops). "
                    + "The program moves the index on even when it drops a packet because the slot is still full, so after "
                    + "a stall the writer fills slots ahead of the reader, and the reader meets newer packets before older "
                    + "ones for the rest of the run (\(report.outOfOrder) out of order). When the slot at the write index "
                    + "is still full, drop the packet and leave the write index where it was.")
            } else if ring.fullDrops > 0 {
                sentences.append(
                    "The ring was full \(ring.fullDrops) times: the consumer did not drain it (it was stalled or slow), "
                    + "so XDP dropped new packets and kept its write index, and what was stored arrived in order.")
            }
            if ring.contentionDrops > 0 {
                sentences.append("\(ring.contentionDrops) packets were dropped because other CPUs kept taking the slot "
                                 + "first (contention on the write index).")
            }
            if ring.occupied > 0 {
                sentences.append("\(ring.occupied) of the ring's \(ring.ringSize) slots still held packets after the run: "
                                 + "the poller never reached them (it waits at its read index, which the writer had passed).")
            }
        case .afXDP(let statistics?):
            if statistics.rxRingFull > 0 {
                sentences.append("The AF_XDP socket's RX ring was full \(statistics.rxRingFull) times (XDP_STATISTICS "
                                 + "rx_ring_full): its consumer did not drain it in time, so the kernel dropped the packets.")
            }
            if statistics.rxFillRingEmptyDescs > 0 {
                sentences.append("The socket's fill ring ran empty \(statistics.rxFillRingEmptyDescs) times "
                                 + "(rx_fill_ring_empty_descs): no buffer was free for a packet, so it was dropped.")
            }
            if statistics.rxDropped > 0, statistics.rxRingFull == 0, statistics.rxFillRingEmptyDescs == 0 {
                sentences.append("The kernel dropped \(statistics.rxDropped) packets at the socket (rx_dropped).")
            }
        case .udpSocket(let counters):
            if let full = counters["RcvbufErrors"], full > 0 {
                sentences.append("\(full) datagrams were dropped because the socket's receive buffer was full "
                                 + "(Udp RcvbufErrors): its reader fell behind.")
            }
            if let unbound = counters["NoPorts"], unbound > 0 {
                sentences.append("\(unbound) datagrams arrived while no socket was bound to the port (Udp NoPorts).")
            }
        case .afXDP(nil), .none:
            break
        }
        return sentences
    }
}
