import Yams

extension LabResolver {
    /// What each receiver needs of the stack section. Problems are reported at `node` (the receiver).
    func stackSuits(_ spec: SequenceSpec, _ stack: StackSpec, portNode: Node?, queueNode: Node?, at node: Node) -> Bool {
        let ports = stack.ports.map(String.init).joined(separator: ", ")
        var problems: [String] = []
        if stack.command != nil {
            reader.error("a sequence lab runs xdplab's own receiver; a command stack is judged with traffic classes "
                         + "(remove traffic.sequence, or stack.command)", at: node)
            return false
        }
        switch spec.receiver {
        case .afXDP:
            if !stack.ports.contains(spec.port) {
                problems.append("port \(spec.port) is not one of the stack's ports (\(ports)), so the program would "
                                + "pass it to the kernel and the AF_XDP socket would get nothing")
            }
            if !stack.socketQueues.contains(spec.queue) {
                let queues = stack.socketQueues.map(String.init).joined(separator: ", ")
                problems.append("queue \(spec.queue) has no AF_XDP socket (stack.queues: [\(queues)]); "
                                + "steer the sequence to a queue with a socket")
            }
            if spec.faults.contains(where: \.isRegistrationDelay), stack.startup != StartupStep.safeOrder {
                problems.append("delay-registration holds back the register step itself; leave stack.startup at "
                                + "its default order")
            }
        case .udpSocket:
            if stack.ports.contains(spec.port) {
                problems.append("port \(spec.port) is one of the stack's ports, so XDP would redirect it before the "
                                + "kernel's UDP socket saw it; use a port the stack does not claim")
            }
        case .mapRing:
            if !stack.socketQueues.isEmpty {
                problems.append("a map-ring program hands packets over in a BPF map, not AF_XDP sockets; "
                                + "set stack.queues to []")
            }
            if stack.ports != [spec.port] {
                problems.append("a map-ring program claims one UDP port (its ring_port); stack.ports must be exactly "
                                + "[\(spec.port)], got [\(ports)]")
            }
            if stack.startup != StartupStep.safeOrder || stack.fillRing != .kept {
                problems.append("a map ring starts in a fixed order (load, attach, poll) and has no fill ring; "
                                + "remove stack.startup and stack.fill-ring")
            }
        }
        if stack.startup.contains(where: { if case .wait = $0 { return true } else { return false } }) {
            problems.append("a sequence lab brings the stack up before its first packet, so stack.startup cannot wait; "
                            + "to register late, use the fault delay-registration")
        }
        if !stack.preflight.isEmpty {
            problems.append("sequence labs do not run stack.preflight; remove it (run xdplab check on the program instead)")
        }
        for problem in problems {
            let place = problem.hasPrefix("queue") ? queueNode : problem.hasPrefix("port") ? portNode : nil
            reader.error("receiver \(spec.receiver.rawValue): \(problem)", at: place ?? node)
        }
        return problems.isEmpty
    }

    /// Sequence labs judge order and loss only, and those checks need a sequence.
    func sequenceChecksFit(_ expectation: Expectation, node: Node, traffic: TrafficDraft?) -> Bool {
        guard let traffic, traffic.spec != nil || traffic.sequenceNode != nil else { return true }
        let isSequenceCheck = expectation.check.needsSequence
        if let sequence = traffic.sequenceNode, !isSequenceCheck {
            reader.error("check '\(expectation.check.rawValue)' needs the lab's packet classes, but this is a sequence "
                         + "lab (sequence settings at line \(reader.location(sequence).line)); its checks are in-order "
                         + "and no-loss", at: node)
            return false
        }
        if traffic.sequenceNode == nil, isSequenceCheck {
            reader.error("check '\(expectation.check.rawValue)' judges sequenced traffic; add traffic.sequence, "
                         + "or remove the check", at: node)
            return false
        }
        return true
    }
}
