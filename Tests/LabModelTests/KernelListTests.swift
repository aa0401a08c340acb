import Testing
@testable import LabModel

@Suite("kernels: the kernels a lab runs on when xdplab run is given no --kernel")
struct KernelListTests {
    private func yaml(_ kernels: String) -> String {
        Fixtures.baseYAML + "\nkernels: \(kernels)"
    }

    @Test("no kernels key means the host only")
    func absent() throws {
        #expect(try LabLoader.parse(yaml: Fixtures.baseYAML, path: Fixtures.inlinePath).kernels == [])
    }

    @Test("host, series and exact versions, in file order, quoted or not")
    func known() throws {
        let lab = try LabLoader.parse(yaml: yaml("[host, 6.1, \"6.12\", 6.1.0-57, 6.12.57+deb12-amd64]"),
                                      path: Fixtures.inlinePath)
        #expect(lab.kernels == ["host", "6.1", "6.12", "6.1.0-57", "6.12.57+deb12-amd64"])
    }

    @Test("problems", arguments: [
        ("[hots]", "15:11: kernel 'hots' is neither host nor a version such as 6.1 or 6.1.0-57"),
        ("[6]", "15:11: kernel '6' is neither host nor a version such as 6.1 or 6.1.0-57"),
        ("[host, host]", "15:17: kernel 'host' is listed twice"),
        ("host", "15:10: kernels must be a list such as [host, \"6.1\", \"6.12\"], got 'host'"),
    ])
    func problems(text: String, expected: String) {
        #expect(onlyProblem(yaml: yaml(text)) == expected)
    }
}
