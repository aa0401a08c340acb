import Testing
@testable import LabModel

@Suite("Addresses: parsing, formatting, lab ranges")
struct AddressTests {
    @Test("IPv6 text follows RFC 5952", arguments: [
        ("2001:2:0:0:0:0:0:1/64", "2001:2::1/64"),
        ("2001:0002:0000:0001:0000:0000:0000:0001/64", "2001:2:0:1::1/64"),
        ("2001:2:0:1:0:0:1:0/64", "2001:2:0:1::1:0/64"),   // the longer run wins
        ("2001:2:0:0:1:0:0:1/64", "2001:2::1:0:0:1/64"),   // equal runs: the first
        ("2001:2:0:1:2:3:4:5/64", "2001:2:0:1:2:3:4:5/64"), // one zero group is not compressed
        ("2001:2:ABCD::/48", "2001:2:abcd::/48"),
        ("::/0", "::/0"),
        ("::1/128", "::1/128"),
        ("1::/16", "1::/16"),
    ])
    func ipv6Formatting(input: String, expected: String) throws {
        let cidr = try #require(IPv6CIDR(input))
        #expect(cidr.description == expected)
        #expect(IPv6CIDR(cidr.description) == cidr, "formatting round-trips")
    }

    @Test("IPv4 parsing is strict")
    func ipv4Parsing() throws {
        let cidr = try #require(IPv4CIDR("198.18.3.7/24"))
        #expect(cidr.bytes == [198, 18, 3, 7])
        #expect(cidr.address == "198.18.3.7")
        #expect(cidr.network.description == "198.18.3.0/24")
        for bad in ["198.18.3.7", "198.18.3/24", "198.18.3.256/24", "198.18.3.7/33", "198.18.3.7/+4", "x/24", "198.18.3.7/24/1"] {
            #expect(IPv4CIDR(bad) == nil, "\(bad)")
        }
        #expect(IPv6CIDR("2001:2::1") == nil)
        #expect(IPv6CIDR("2001:2::1/129") == nil)
        #expect(IPv6CIDR("2001:2:::1/64") == nil)
    }

    @Test("subnet membership")
    func contains() throws {
        #expect(IPv4CIDR.labRange.contains(try #require(IPv4CIDR("198.19.255.254/24"))))
        #expect(!IPv4CIDR.labRange.contains(try #require(IPv4CIDR("198.20.0.1/24"))))
        #expect(IPv6CIDR.labRange.contains(try #require(IPv6CIDR("2001:2:0:ffff::1/64"))))
        #expect(!IPv6CIDR.labRange.contains(try #require(IPv6CIDR("2001:3::1/64"))))
        #expect(try #require(IPv6CIDR("2001:2:0:1::9/64")).network.description == "2001:2:0:1::/64")
    }

    /// The base lab with `addresses:` for its one link.
    private func lab(addresses: String) -> String {
        Fixtures.base(replacing: "      queues: 2", with: "      queues: 2\n      addresses:\n" + addresses)
    }

    @Test("explicit addresses; a missing family stays automatic")
    func explicitAddresses() throws {
        let yaml = lab(addresses: """
                    validator:eth0: ["2001:2:0:7::1/64"]
                    peer:eth0: [198.18.0.9/24, 2001:2:0:7::2/64]
            """)
        let link = try LabLoader.parse(yaml: yaml, path: Fixtures.inlinePath).topology.links[0]
        #expect(link.a.ipv4.description == "198.18.0.1/24")
        #expect(link.a.ipv6.description == "2001:2:0:7::1/64")
        #expect(link.b.ipv4.description == "198.18.0.9/24")
        #expect(link.b.ipv6.description == "2001:2:0:7::2/64")
    }

    @Test("address problems", arguments: [
        ("validator:eth0: [10.0.0.1/24]",
         "8:26: 10.0.0.1/24 is outside the lab ranges; lab addresses must come from 198.18.0.0/15 (IPv4) or 2001:2::/48 (IPv6)"),
        ("validator:eth0: [\"2001:db8::1/64\"]",
         "8:26: 2001:db8::1/64 is outside the lab ranges; lab addresses must come from 198.18.0.0/15 (IPv4) or 2001:2::/48 (IPv6)"),
        ("validator:eth0: [198.18.0.1/8]",
         "8:26: 198.18.0.1/8 makes a subnet larger than 198.18.0.0/15; use a prefix of /15 or longer "
         + "(lab addresses must come from 198.18.0.0/15 (IPv4) or 2001:2::/48 (IPv6))"),
        ("validator:eth0: [198.18.0.1]", "8:26: address '198.18.0.1' needs a prefix length, such as 198.18.0.1/24"),
        ("validator:eth0: [198.18.0.0/24]",
         "8:26: 198.18.0.0/24 is the network address of its subnet; use a host address such as 198.18.0.1/24"),
        ("validator:eth0: [198.18.0.255/24]",
         "8:26: 198.18.0.255/24 is the broadcast address of its subnet; use a host address such as 198.18.0.1/24"),
        ("validator:eth0: [\"2001:2::/64\"]",
         "8:26: 2001:2::/64 is the subnet-router anycast address of its subnet; use a host address such as 2001:2::1/64"),
        ("validator:eth0: [198.18.0.9/24, 198.18.0.8/24]",
         "8:41: validator:eth0 has two IPv4 addresses; give at most one IPv4 and one IPv6"),
        ("validator:eth0: [198.18.0.2/24]",
         "8:26: peer:eth0 would get address 198.18.0.2 (its automatic address), which validator:eth0 already has; "
         + "every lab address must be unique"),
        ("validator:eth0: [198.18.5.1/24]",
         "8:26: validator:eth0 198.18.5.1/24 and peer:eth0 198.18.0.2/24 are in different subnets; "
         + "the two ends of a link must share one IPv4 subnet"),
        ("peer:eth1: [198.18.0.7/24]", "8:9: 'peer:eth1' is not an end of this link; its ends are validator:eth0 and peer:eth0"),
        ("validator:eth0: 198.18.0.7/24",
         "8:25: addresses of validator:eth0 must be a list such as [198.18.0.1/24, \"2001:2::1/64\"], got '198.18.0.7/24'"),
        ("validator:eth0: [198.18.0.300/24]",
         "8:26: '198.18.0.300/24' is not an IPv4 address with a prefix length, such as 198.18.0.1/24"),
    ])
    func problems(addresses: String, expected: String) {
        #expect(onlyProblem(yaml: lab(addresses: "        " + addresses)) == expected)
    }

    @Test("an explicit address may not take another link's automatic one")
    func clashAcrossLinks() {
        let yaml = Fixtures.base(replacing: "      queues: 2", with: """
                  queues: 2
                - between: [validator:eth1, peer:eth1]
                  addresses:
                    validator:eth1: [198.18.0.1/24]
                    peer:eth1: [198.18.0.9/24]
            """)
        #expect(onlyProblem(yaml: yaml) == "9:26: validator:eth1 would get address 198.18.0.1, which validator:eth0 "
                + "already has; every lab address must be unique")
    }
}
