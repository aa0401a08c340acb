import CLibPcap
import SystemSupport

/// A libpcap failure, carrying what was attempted: "open capture on xdplab-1a2b-node:eth0: No such device exists".
public struct CaptureError: Error, CustomStringConvertible, Sendable {
    public let attempted: String
    public let reason: String

    public init(_ attempted: String, reason: String) {
        self.attempted = attempted
        self.reason = reason
    }

    public var description: String { "\(attempted): \(reason)" }
}

/// One activated live capture, closed on deinit.
///
/// Open it on a thread inside the target namespace: its packet socket keeps that namespace, so it can be
/// read from any thread afterwards. The corresponding C functions are `pcap_create`, `pcap_activate`
/// and `pcap_close`.
final class PcapHandle {
    let pcap: OpaquePointer
    let interface: String

    /// Ring size per handle; generous so a burst of injected frames does not outrun the capture thread.
    static let bufferBytes: Int32 = 16 << 20
    static let snapLength: Int32 = 2048

    init(interface: String, direction: pcap_direction_t) throws {
        let attempted = "open capture on \(interface)"
        var message = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        guard let pcap = pcap_create(interface, &message) else {
            throw CaptureError(attempted, reason: message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
        self.pcap = pcap
        self.interface = interface
        // Failures of the setters surface in pcap_activate, which reports them.
        pcap_set_snaplen(pcap, Self.snapLength)
        pcap_set_promisc(pcap, 0)
        pcap_set_immediate_mode(pcap, 1)
        pcap_set_buffer_size(pcap, Self.bufferBytes)
        let status = pcap_activate(pcap)
        if status == PCAP_ERROR_PERM_DENIED {
            throw CapabilityError(capability: "CAP_NET_RAW (packet capture)", detail: "\(attempted): \(failure(status))")
        }
        if status < 0 { throw CaptureError(attempted, reason: failure(status)) }
        if pcap_setdirection(pcap, direction) != 0 {
            throw CaptureError("choose capture direction on \(interface)", reason: lastError)
        }
        var noMessage = [CChar](repeating: 0, count: Int(PCAP_ERRBUF_SIZE))
        if pcap_setnonblock(pcap, 1, &noMessage) != 0 {
            throw CaptureError("make capture on \(interface) non-blocking", reason: noMessage.withUnsafeBufferPointer { String(cString: $0.baseAddress!) })
        }
    }

    deinit { pcap_close(pcap) }

    /// The descriptor to poll for new frames. The corresponding C function is `pcap_get_selectable_fd`.
    var selectableDescriptor: Int32 { pcap_get_selectable_fd(pcap) }

    var lastError: String { String(cString: pcap_geterr(pcap)) }

    /// Frames the kernel could not hand to this capture (ring full). The corresponding C function is
    /// `pcap_stats`; ps_ifdrop is only filled in promiscuous mode, so it is usually 0 here.
    var droppedFrames: UInt32 {
        var stats = pcap_stat()
        guard pcap_stats(pcap, &stats) == 0 else { return 0 }
        return stats.ps_drop &+ stats.ps_ifdrop
    }

    /// The general status text plus libpcap's specific message when it left one.
    private func failure(_ status: Int32) -> String {
        let general = String(cString: pcap_statustostr(status))
        let specific = lastError
        return specific.isEmpty ? general : "\(general): \(specific)"
    }
}
