import Foundation
import CLibBPF
import BPFSupport
import SystemSupport

/// The program to check, compiled if needed, opened and checked against xdplab's contract (an XDP program,
/// preferably in section "xdp"; a BPF_MAP_TYPE_XSKMAP named `xsks_map` with a slot per queue; optionally a
/// `validator_ports` map), then loaded with `validator_ports` filled from the port list, as the lab stack does.
final class ProgramUnderTest {
    let objectPath: String
    let object: BPFObject
    let program: BPFProgram
    let xsksMap: BPFMap
    let hasPortsMap: Bool

    init(path: String, ports: [UInt16], queues: Int, workDirectory: String) throws {
        let objectPath: String
        do {
            objectPath = try BPFCompiler.object(for: path, outputDirectory: workDirectory)
        } catch let failure as BPFCompiler.Failure {
            throw CheckFailure(.badInput, failure.description)
        } catch {
            throw CheckFailure.wrapping(error, while: "prepare \(path)")
        }
        self.objectPath = objectPath
        let name = URL(fileURLWithPath: path).lastPathComponent
        do {
            object = try BPFObject(path: objectPath)
        } catch {
            throw CheckFailure.wrapping(error, while: "open \(name) as a BPF object")
        }
        guard let program = object.xdpProgram else {
            throw CheckFailure(.badInput, "\(name) has no XDP program (section \"xdp\")")
        }
        self.program = program
        guard let xsks = object.map(named: "xsks_map"), xsks.type == BPF_MAP_TYPE_XSKMAP else {
            throw CheckFailure(.badInput, "\(name): an XDP program for xdplab needs a BPF_MAP_TYPE_XSKMAP named xsks_map")
        }
        guard xsks.maxEntries >= queues else {
            throw CheckFailure(.badInput, "\(name): xsks_map has \(xsks.maxEntries) slots, so queues \(xsks.maxEntries)-\(queues - 1) "
                               + "can never get a socket; give it at least \(queues) entries or check fewer queues")
        }
        xsksMap = xsks
        let portsMap = object.map(named: "validator_ports")
        hasPortsMap = portsMap != nil
        if let portsMap {
            guard portsMap.keySize == 2 || portsMap.keySize == 4, (1...8).contains(portsMap.valueSize) else {
                throw CheckFailure(.badInput, "\(name): validator_ports must have 2- or 4-byte keys (the UDP port) and a value "
                                   + "of at most 8 bytes; it has \(portsMap.keySize)-byte keys and \(portsMap.valueSize)-byte values")
            }
        }
        do {
            try object.load()
        } catch {
            throw CheckFailure.wrapping(error, while: "load \(name)")
        }
        if let portsMap { try Self.fill(portsMap, with: ports, name: name) }
    }

    /// Writes 1 for each port, with 2- or 4-byte keys in host order, as the lab stack does.
    private static func fill(_ map: BPFMap, with ports: [UInt16], name: String) throws {
        var one = [UInt8](repeating: 0, count: map.valueSize)
        one[0] = 1
        for port in ports {
            let key = map.keySize == 2 ? withUnsafeBytes(of: port) { Array($0) } : withUnsafeBytes(of: UInt32(port)) { Array($0) }
            do {
                try map.update(key: key, value: one)
            } catch {
                throw CheckFailure(.badInput, "\(name): cannot write port \(port) into validator_ports "
                                   + "(\(map.maxEntries) entries): \(error)")
            }
        }
    }

    /// Map descriptors by name, for the lint to name the map a redirect uses.
    var mapNames: [Int32: String] {
        var names: [Int32: String] = [xsksMap.fd: "xsks_map"]
        if let ports = object.map(named: "validator_ports") { names[ports.fd] = "validator_ports" }
        return names
    }

    /// The loaded instructions in plain values.
    var instructions: [BPFInstruction] { Self.instructions(of: program) }

    /// A program's instructions as libbpf holds them now (before or after loading) in plain values.
    static func instructions(of program: BPFProgram) -> [BPFInstruction] {
        instructions(of: program.instructions)
    }

    /// Kernel instructions (`struct bpf_insn`) in plain values.
    static func instructions(of raw: [bpf_insn]) -> [BPFInstruction] {
        raw.map { BPFInstruction(code: $0.code, dst: $0.dst_reg, src: $0.src_reg, offset: $0.off, imm: $0.imm) }
    }

    /// The kernel's translated instructions of a JIT-compiled program in the form the lint reads: there a
    /// BPF-to-BPF call keeps its relative target in `off` and the subprogram's number in `imm`, so the
    /// target moves back to `imm`.
    static func translatedInstructions(of raw: [bpf_insn]) -> [BPFInstruction] {
        instructions(of: raw).map { instruction in
            guard instruction.isPseudoCall else { return instruction }
            return BPFInstruction(code: instruction.code, dst: instruction.dst, src: instruction.src, imm: Int32(instruction.offset))
        }
    }
}
