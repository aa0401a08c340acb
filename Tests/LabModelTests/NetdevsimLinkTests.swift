import Testing
@testable import LabModel

@Suite("kind: netdevsim links")
struct NetdevsimLinkTests {
    private func withKind(_ kind: String) -> String {
        Fixtures.base(replacing: "      queues: 2", with: "      queues: 2\n      kind: \(kind)")
    }

    @Test("a link without kind is veth and the lab needs nothing more")
    func defaultIsVeth() throws {
        let lab = try LabLoader.parse(yaml: Fixtures.baseYAML, path: Fixtures.inlinePath)
        #expect(lab.topology.links.map(\.kind) == [.veth])
        #expect(lab.requires == [])
        #expect(!lab.stackOnNetdevsim)
    }

    @Test("kind: netdevsim keeps the queue count and implies requires: [netdevsim]")
    func netdevsim() throws {
        let lab = try LabLoader.parse(yaml: withKind("netdevsim"), path: Fixtures.inlinePath)
        #expect(lab.topology.links.map(\.kind) == [.netdevsim])
        #expect(lab.queueCount == 2)
        #expect(lab.requires == [.netdevsim])
        #expect(lab.stackOnNetdevsim)
    }

    @Test("a lab that also lists netdevsim under requires names it once")
    func explicitRequirement() throws {
        let lab = try LabLoader.parse(yaml: withKind("netdevsim") + "\nrequires: [fexit, netdevsim]", path: Fixtures.inlinePath)
        #expect(lab.requires == [.fexit, .netdevsim])
    }

    @Test("kind: veth written out is the default")
    func explicitVeth() throws {
        let lab = try LabLoader.parse(yaml: withKind("veth"), path: Fixtures.inlinePath)
        #expect(lab.topology.links.map(\.kind) == [.veth])
        #expect(lab.requires == [])
    }

    @Test("problems at file:line:column", arguments: [
        ("netdevsum", "7:13: unknown link kind 'netdevsum'; did you mean 'netdevsim'?"),
        ("[netdevsim]", "7:13: link kind must be a single value, got a list"),
    ])
    func problems(kind: String, expected: String) {
        #expect(onlyProblem(yaml: withKind(kind)) == expected)
    }
}
