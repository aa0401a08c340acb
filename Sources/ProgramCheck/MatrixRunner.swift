import Glibc
import XDPShim
import SystemSupport

/// Hands the whole matrix to the C loop in one call (`xdpshim_testrun_matrix`): per state and queue it
/// sets the XSKMAP slot, then runs BPF_PROG_TEST_RUN for that queue's frames with `ingress_ifindex` and
/// `rx_queue_index` in `ctx_in`. Must be called on a thread inside the namespace that holds `ifindex`:
/// the kernel looks the ifindex up in the calling thread's namespace.
enum MatrixRunner {
    static func run(_ batch: FrameBatch, programFD: Int32, xsksMapFD: Int32, ifindex: Int32, queues: Int,
                    sockets: [Int32]?, threads: Int = 1) throws -> VerdictMatrix {
        let states: [SlotState] = sockets == nil ? [.empty] : [.empty, .registered]
        precondition(sockets == nil || sockets!.count == queues, "one socket per queue")
        return try run(batch, programFD: programFD, xsksMapFD: xsksMapFD, ifindex: ifindex, queueIDs: Array(0..<queues),
                       states: states, sockets: sockets, threads: threads)
    }

    /// A live program, loaded and attached by another process: one state, the one its XSKMAP is in now, on
    /// the RX queues `queueIDs`. The C loop gets no map descriptor, so no slot can be touched.
    static func runLive(_ batch: FrameBatch, programFD: Int32, ifindex: Int32, queueIDs: [Int],
                        state: SlotState, threads: Int = 1) throws -> VerdictMatrix {
        try run(batch, programFD: programFD, xsksMapFD: -1, ifindex: ifindex, queueIDs: queueIDs, states: [state], sockets: nil,
                threads: threads)
    }

    private static func run(_ batch: FrameBatch, programFD: Int32, xsksMapFD: Int32, ifindex: Int32, queueIDs: [Int],
                            states: [SlotState], sockets: [Int32]?, threads: Int) throws -> VerdictMatrix {
        let queues = queueIDs.count
        let every = batch.everyQueueCount
        var retvals = [UInt32](repeating: 0, count: states.count * (queues * every + batch.count - every))
        let ids = queueIDs.map { UInt32($0) }
        var matrix = xdpshim_matrix()
        matrix.prog_fd = programFD
        matrix.xsks_map_fd = xsksMapFD
        matrix.ifindex = ifindex
        matrix.queue_count = UInt32(queues)
        matrix.every_queue_count = UInt32(every)
        matrix.threads = UInt32(max(1, min(threads, Int(XDPSHIM_MAX_THREADS))))
        let result: Int32 = batch.bytes.withUnsafeBufferPointer { bytes in
            batch.offsets.withUnsafeBufferPointer { offsets in
                batch.lengths.withUnsafeBufferPointer { lengths in
                    retvals.withUnsafeMutableBufferPointer { out in
                        ids.withUnsafeBufferPointer { queueIDs in
                            var frames = xdpshim_frames(bytes: bytes.baseAddress, offsets: offsets.baseAddress,
                                                        lengths: lengths.baseAddress, count: UInt32(batch.count))
                            matrix.retvals = out.baseAddress
                            matrix.queue_ids = queueIDs.baseAddress
                            guard let sockets else { return xdpshim_testrun_matrix(&frames, &matrix) }
                            return sockets.withUnsafeBufferPointer { fds in
                                matrix.socket_fds = fds.baseAddress
                                return xdpshim_testrun_matrix(&frames, &matrix)
                            }
                        }
                    }
                }
            }
        }
        if result < 0 {
            let step = matrix.failed_step.map { String(cString: $0) } ?? "run the matrix"
            let state = states[min(Int(matrix.failed_state), states.count - 1)]
            let queue = Int(matrix.failed_queue) < queues ? queueIDs[Int(matrix.failed_queue)] : Int(matrix.failed_queue)
            let frame = Int(matrix.failed_frame) < batch.count ? batch.describe(Int(matrix.failed_frame)).name : "?"
            let error = SystemError("\(step) (queue \(queue), \(state.title), case \(frame))", errno: -result)
            if -result == EPERM {
                throw CapabilityError(capability: "permission to run BPF programs (CAP_BPF, CAP_NET_ADMIN)", detail: error.description)
            }
            throw error
        }
        return VerdictMatrix(frameCount: batch.count, queueCount: queues, everyQueueFrames: every, states: states,
                             queueIDs: queueIDs, retvals: retvals)
    }

    /// How many RX queues the kernel lets a test run name on `ifindex` (its real RX queue count). Must be
    /// called on a thread inside the namespace that holds `ifindex`.
    static func rxQueues(ifindex: Int32, describing device: String) throws -> Int {
        let count = xdpshim_testrun_rx_queues(ifindex, UInt32(CheckOptions.maximumQueues + 1))
        if count == -EPERM {
            throw CapabilityError(capability: "permission to run BPF programs (CAP_BPF, CAP_NET_ADMIN)",
                                  detail: SystemError("count the RX queues of \(device)", errno: EPERM).description)
        }
        return Int(try negativeErrno("count the RX queues of \(device) (BPF_PROG_TEST_RUN)", count))
    }
}
