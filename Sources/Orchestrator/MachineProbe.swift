import Foundation
import Glibc
import AFXDPStack
import BPFSupport
import Evidence
import KernelObservation
import LabModel
import Realization
import SystemSupport
import XDPShim

/// One capability of this kernel and machine, checked for real.
public struct Capability: Sendable, Equatable {
    public let name: String
    /// The `requires:` name it answers, if a lab can ask for it.
    public let requirement: Requirement?
    public let available: Bool
    /// What was done and what the kernel said.
    public let detail: String

    public init(name: String, requirement: Requirement?, available: Bool, detail: String) {
        self.name = name
        self.requirement = requirement
        self.available = available
        self.detail = detail
    }
}

/// The kernel's side of `xdplab doctor`: each capability tried, in a scratch namespace of its own where a device
/// is needed (removed again), with a pass-everything program compiled here.
public enum MachineProbe {
    public static func kernel() -> [Capability] {
        var found: [Capability] = []
        let root = geteuid() == 0
        found.append(Capability(name: "root", requirement: nil, available: root,
                                detail: root ? "running as root" : "not root: labs need CAP_BPF, CAP_NET_ADMIN, CAP_SYS_ADMIN"))
        found.append(bpffs())
        found.append(netdevsim())
        guard root else { return found }
        let work = NSTemporaryDirectory() + "xdplab-doctor-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: work) }
        do {
            try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
            guard let source = Bundle.module.url(forResource: "bpf", withExtension: nil)?.appendingPathComponent("doctor_pass.bpf.c").path else {
                throw StackError("the Orchestrator resource folder bpf/ is missing from the build")
            }
            let objectPath = try BPFCompiler.object(for: source, outputDirectory: work)
            let object = try BPFObject(path: objectPath)
            try object.load()
            guard let program = object.xdpProgram else { throw StackError("doctor_pass.bpf.o has no XDP program") }
            found += programProbes(program, work: work)
            found += deviceProbes(objectPath, programFD: program.fd)
        } catch {
            found.append(Capability(name: "load an XDP program", requirement: nil, available: false, detail: "\(error)"))
        }
        return found
    }

    static func bpffs() -> Capability {
        // The mount table of this process's mount namespace: "bpf /sys/fs/bpf bpf rw,… 0 0".
        let mounts = (try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8)) ?? ""
        let mounted = mounts.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 2 && fields[1] == "/sys/fs/bpf" && fields[2] == "bpf"
        }
        return Capability(name: "bpffs", requirement: .bpffs, available: mounted,
                          detail: mounted ? "mounted at /sys/fs/bpf" : "no bpffs at /sys/fs/bpf (libxdp's dispatcher needs one)")
    }

    /// `kind: netdevsim` links need the bus and its `link_device` file (linked ports across namespaces, 6.9+).
    static func netdevsim() -> Capability {
        let bus = FileManager.default.fileExists(atPath: Netdevsim.bus)
        let detail = Netdevsim.canLink ? "\(Netdevsim.bus)/link_device is there (ports can be linked across namespaces)"
            : bus ? "\(Netdevsim.bus) has no link_device (a kernel older than 6.9 cannot link ports across namespaces)"
            : "\(Netdevsim.bus) is absent (not built into this kernel; scripts/build-guest-kernel builds a guest kernel with it)"
        return Capability(name: "netdevsim", requirement: .netdevsim, available: Netdevsim.canLink, detail: detail)
    }

    static func programProbes(_ program: BPFProgram, work: String) -> [Capability] {
        var found: [Capability] = []
        let run = xdpshim_test_run_probe(program.fd)
        found.append(Capability(name: "BPF_PROG_TEST_RUN", requirement: .progTestRun, available: run >= 0,
                                detail: run >= 0 ? "a pass-everything program returned \(run) on a test frame" : "refused: \(SystemError.errnoText(-run))"))
        do {
            let id = try program.info().id
            let fexit = xdpshim_fexit_probe(id)
            found.append(Capability(name: "fexit on an XDP program", requirement: .fexit, available: fexit == 0,
                                    detail: fexit == 0 ? "a BPF_TRACE_FEXIT program loads on it (per-packet verdicts possible)"
                                        : "load refused: \(SystemError.errnoText(-fexit))"))
            found.append(verdictProbe(program, id: id, fexitLoads: fexit == 0, work: work))
            do {
                try TracepointProbe.attach(programID: id, workDirectory: work)
                found.append(Capability(name: "xdp tracepoints", requirement: .xdpTracepoints, available: true,
                                        detail: "xdp_exception, xdp_redirect_err and xdp_redirect programs load and attach"))
            } catch {
                found.append(Capability(name: "xdp tracepoints", requirement: .xdpTracepoints, available: false, detail: "\(error)"))
            }
        } catch {
            found.append(Capability(name: "fexit on an XDP program", requirement: .fexit, available: false, detail: "\(error)"))
        }
        return found
    }

    /// Per-packet verdicts end to end: the recorder on this program, one test frame tagged with id 42 (fexit fires
    /// on BPF_PROG_TEST_RUN too, so no device is needed), its verdict read back.
    static func verdictProbe(_ program: BPFProgram, id: UInt32, fexitLoads: Bool, work: String) -> Capability {
        let name = "per-packet verdicts"
        guard fexitLoads else {
            return Capability(name: name, requirement: nil, available: false, detail: "need fexit on XDP programs")
        }
        switch VerdictRecorder.start(programID: id, label: program.name, workDirectory: work) {
        case .failure(let why):
            return Capability(name: name, requirement: nil, available: false, detail: why.reason)
        case .success(let recorder):
            let run = xdpshim_test_run_probe(program.fd)
            let recorded = recorder.finish().verdicts.first
            let good = run >= 0 && recorded?.id == 42 && recorded?.action == UInt32(run)
            let seen = recorded.map { "action \($0.action) and tag \($0.id)" } ?? "nothing"
            return Capability(name: name, requirement: nil, available: good,
                              detail: "fexit recorded \(seen) for a test frame tagged 42 that returned \(run)")
        }
    }

    /// Native XDP and AF_XDP on a 2-queue veth pair in a namespace of the probe's own.
    static func deviceProbes(_ objectPath: String, programFD: Int32) -> [Capability] {
        let run = Ownership.newRunID()
        let namespace = Ownership.namespaceName(run: run, host: "doctor")
        var found: [Capability] = []
        do {
            try Ownership.writeRecord(run: run, lab: "doctor", namespaces: [namespace])
            defer {
                _ = try? Command.run("ip", ["netns", "del", namespace])
                Ownership.removeRecord(run: run)
            }
            try Command.checked("ip", ["netns", "add", namespace])
            try Command.checked("ip", ["-n", namespace, "link", "add", "d0", "numtxqueues", "2", "numrxqueues", "2", "type", "veth",
                                       "peer", "name", "d1", "numtxqueues", "2", "numrxqueues", "2"])
            try Command.checked("ip", ["-n", namespace, "link", "set", "d0", "alias", Ownership.linkAlias(run: run), "up"])
            try Command.checked("ip", ["-n", namespace, "link", "set", "d1", "up"])
            let attach = try Command.run("ip", ["-n", namespace, "link", "set", "dev", "d0", "xdpdrv", "obj", objectPath, "sec", "xdp"])
            found.append(Capability(name: "native XDP on veth", requirement: nil, available: attach.status == 0,
                                    detail: attach.status == 0 ? "a program attached in driver mode to a veth"
                                        : "attach refused: \(attach.stderr.trimmingCharacters(in: .whitespacesAndNewlines))"))
            let (copy, zeroCopy) = try NetworkNamespace.run(namespace) {
                (xdpshim_xsk_bind_probe("d0", 0, 0), xdpshim_xsk_bind_probe("d0", 1, 1))
            }
            found.append(Capability(name: "AF_XDP copy mode", requirement: nil, available: copy == 0,
                                    detail: copy == 0 ? "a socket bound to a veth queue in copy mode" : "bind refused: \(SystemError.errnoText(-copy))"))
            found.append(Capability(name: "AF_XDP zero-copy", requirement: .zeroCopy, available: zeroCopy == 0,
                                    detail: zeroCopy == 0 ? "a socket bound to a veth queue with XDP_ZEROCOPY"
                                        : "refused on veth, as expected: \(SystemError.errnoText(-zeroCopy))"))
            // In the scratch namespace: a live frame the program passes lands in this namespace's stack.
            let live = try NetworkNamespace.run(namespace) { xdpshim_live_frames_probe(programFD) }
            found.append(Capability(name: "BPF_PROG_TEST_RUN live frames", requirement: nil, available: live == 0,
                                    detail: live == 0 ? "a frame ran through the program for real (always as RX queue 0)"
                                        : "refused: \(SystemError.errnoText(-live))"))
        } catch {
            found.append(Capability(name: "native XDP on veth", requirement: nil, available: false, detail: "scratch veth: \(error)"))
        }
        return found
    }
}
