import Glibc
import XDPShim
import Realization

/// Hands the whole matrix to the C loop in one call (`xdpshim_testrun_matrix`): per state and queue it
/// sets the XSKMAP slot, then runs BPF_PROG_TEST_RUN for that queue's frames with `ingress_ifindex` and
/// `rx_queue_index` in `ctx_in`. Must be called on a thread inside the namespace that holds `ifindex`.
enum MatrixRunner {
    static func run(_ batch: FrameBatch, programFD: Int32, xsksMapFD: Int32, ifindex: Int32, queues: Int,
                    sockets: [Int32]?) throws -> VerdictMatrix {
        let states: [SlotState] = sockets == nil ? [.empty] : [.empty, .registered]
        precondition(sockets == nil || sockets!.count == queues, "one socket per queue")
        let every = batch.everyQueueCount
        var retvals = [UInt32](repeating: 0, count: states.count * (queues * every + batch.count - every))
        var matrix = xdpshim_matrix()
        matrix.prog_fd = programFD
        matrix.xsks_map_fd = xsksMapFD
        matrix.ifindex = ifindex
        matrix.queue_count = UInt32(queues)
        matrix.every_queue_count = UInt32(every)
        let result: Int32 = batch.bytes.withUnsafeBufferPointer { bytes in
            batch.offsets.withUnsafeBufferPointer { offsets in
                batch.lengths.withUnsafeBufferPointer { lengths in
                    retvals.withUnsafeMutableBufferPointer { out in
                        var frames = xdpshim_frames(bytes: bytes.baseAddress, offsets: offsets.baseAddress,
                                                    lengths: lengths.baseAddress, count: UInt32(batch.count))
                        matrix.retvals = out.baseAddress
                        guard let sockets else { return xdpshim_testrun_matrix(&frames, &matrix) }
                        return sockets.withUnsafeBufferPointer { fds in
                            matrix.socket_fds = fds.baseAddress
                            return xdpshim_testrun_matrix(&frames, &matrix)
                        }
                    }
                }
            }
        }
        if result < 0 {
            let step = matrix.failed_step.map { String(cString: $0) } ?? "run the matrix"
            let state = SlotState(rawValue: Int(matrix.failed_state)) ?? .empty
            let frame = Int(matrix.failed_frame) < batch.count ? batch.describe(Int(matrix.failed_frame)).name : "?"
            let error = SystemError("\(step) (queue \(matrix.failed_queue), \(state.title), case \(frame))", errno: -result)
            if -result == EPERM {
                throw CapabilityError(capability: "permission to run BPF programs (CAP_BPF, CAP_NET_ADMIN)", detail: error.description)
            }
            throw error
        }
        return VerdictMatrix(frameCount: batch.count, queueCount: queues, everyQueueFrames: every, states: states,
                             retvals: retvals)
    }
}
