import Testing
import Realization
import SystemSupport

/// What a lab run needs of the process before it builds anything; pure, from the CapEff bits.
@Suite("capabilities a lab run needs")
struct ProcessCapabilitiesTests {
    static let all: UInt64 = 0x1FF_FEFF_FFFF   // root on the project's CI machine: everything but CAP_SYS_RESOURCE
    static func without(_ names: String...) -> UInt64 {
        ProcessCapabilities.needs.filter { names.contains($0.name) }.reduce(all) { $0 & ~(1 << UInt64($1.bit)) }
    }

    @Test("root with its usual set lacks nothing")
    func root() {
        #expect(ProcessCapabilities.missing(effective: Self.all, memlockUnlimited: false, sessionPort: 22).isEmpty)
    }

    @Test("each of the five is named when it is missing", arguments: ProcessCapabilities.needs.map(\.name))
    func each(_ name: String) {
        let missing = ProcessCapabilities.missing(effective: Self.without(name), memlockUnlimited: false, sessionPort: 22)
        #expect(missing.map(\.name) == [name])
    }

    @Test("an unlimited memlock limit stands in for CAP_IPC_LOCK; a session port of 1024 or more needs no CAP_NET_BIND_SERVICE")
    func alternatives() {
        let bare = Self.without("CAP_IPC_LOCK", "CAP_NET_BIND_SERVICE")
        #expect(ProcessCapabilities.missing(effective: bare, memlockUnlimited: true, sessionPort: 2222).isEmpty)
        #expect(ProcessCapabilities.missing(effective: bare, memlockUnlimited: true, sessionPort: nil).isEmpty, "ssh: off")
        #expect(ProcessCapabilities.missing(effective: bare, memlockUnlimited: false, sessionPort: 22).map(\.name)
                == ["CAP_IPC_LOCK", "CAP_NET_BIND_SERVICE"])
    }

    @Test("this process's own capabilities can be read")
    func readable() {
        #expect(ProcessCapabilities.missing(sessionPort: 22) != nil)
    }
}
