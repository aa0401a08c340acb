/// An ARP message for IPv4 over Ethernet (RFC 826).
public struct ARPMessage: Sendable, Hashable {
    public static let request: UInt16 = 1
    public static let reply: UInt16 = 2

    public var operation: UInt16
    public var senderMAC: [UInt8]
    public var senderIP: [UInt8]
    public var targetMAC: [UInt8]
    public var targetIP: [UInt8]

    public init(operation: UInt16, senderMAC: [UInt8], senderIP: [UInt8], targetMAC: [UInt8], targetIP: [UInt8]) {
        precondition(senderMAC.count == 6 && targetMAC.count == 6 && senderIP.count == 4 && targetIP.count == 4,
                     "ARP for IPv4 over Ethernet")
        self.operation = operation
        self.senderMAC = senderMAC
        self.senderIP = senderIP
        self.targetMAC = targetMAC
        self.targetIP = targetIP
    }

    /// The 28-byte message.
    public func encoded() -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.appendBE(UInt16(1))          // hardware: Ethernet
        bytes.appendBE(UInt16(0x0800))     // protocol: IPv4
        bytes += [6, 4]
        bytes.appendBE(operation)
        return bytes + senderMAC + senderIP + targetMAC + targetIP
    }
}
