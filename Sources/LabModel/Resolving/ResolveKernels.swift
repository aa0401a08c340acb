import Yams

extension NodeReader {
    /// `kernels: [host, "6.1", "6.12"]` in a lab or a matrix file: `host`, a series (major.minor) or an exact
    /// version, each once.
    func kernelList(_ node: Node) -> [String]? {
        guard let items = list(node, "kernels", example: "[host, \"6.1\", \"6.12\"]") else { return nil }
        var kernels: [String] = []
        var good = true
        for item in items {
            guard let name = string(item, "a kernel") else { good = false; continue }
            guard name == "host" || name.wholeMatch(of: /[0-9]+\.[0-9]+([.\-+~][0-9A-Za-z.\-+~]*)?/) != nil else {
                error("kernel '\(name)' is neither host nor a version such as 6.1 or 6.1.0-57", at: item)
                good = false
                continue
            }
            if kernels.contains(name) {
                error("kernel '\(name)' is listed twice", at: item)
                good = false
                continue
            }
            kernels.append(name)
        }
        return good ? kernels : nil
    }
}
