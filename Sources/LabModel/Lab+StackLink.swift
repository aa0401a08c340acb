import Foundation

extension Lab {
    /// The link whose endpoint is the stack's interface. A resolved lab always has one; a hand-built lab
    /// without one is a programming error and stops here.
    public var stackLink: Link {
        guard let link = topology.links.first(where: { $0.endpoint(host: stack.host, interface: stack.interface) != nil })
        else { preconditionFailure("lab '\(name)': no link ends at \(stack.host):\(stack.interface)") }
        return link
    }

    /// The stack's side of `stackLink`: where the XDP program and the sockets live.
    public var stackEndpoint: Endpoint {
        stackLink.endpoint(host: stack.host, interface: stack.interface)!
    }

    /// The sender's side of `stackLink`: where traffic is injected.
    public var peerEndpoint: Endpoint { stackLink.otherEnd(of: stackEndpoint) }

    /// RX (and TX) queues on each end of the stack's link.
    public var queueCount: Int { stackLink.queues }

    /// True when the stack's link is made of netdevsim ports.
    public var stackOnNetdevsim: Bool { stackLink.kind == .netdevsim }

    /// The same lab with another program (`xdplab run --program`). A relative `path` is taken from the
    /// current directory, like any command-line path; whether the file exists is left to the loader of it.
    public func replacingProgram(_ path: String) -> Lab {
        var copy = self
        copy.stack.program = LabPaths.absolute(path, relativeTo: FileManager.default.currentDirectoryPath)
        return copy
    }
}

/// Path arithmetic that stays textual: standardizes `.` and `..` but leaves symlinks alone, so the
/// paths in reports are the ones the author wrote.
enum LabPaths {
    static func absolute(_ path: String, relativeTo folder: String) -> String {
        let base = path.hasPrefix("/") ? path : folder + "/" + path
        return URL(fileURLWithPath: base).standardizedFileURL.path
    }

    static func folder(of file: String) -> String {
        URL(fileURLWithPath: file).deletingLastPathComponent().path
    }
}
