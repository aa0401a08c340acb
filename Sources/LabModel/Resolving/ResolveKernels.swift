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
            guard KernelName.isValid(name) else {
                error("kernel '\(name)' \(KernelName.expected)", at: item)
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

/// What names a kernel in lab files, matrix files and `--kernel`: `host`, or a version by series or exactly.
public enum KernelName {
    public static let expected = "is neither host nor a version such as 6.1 or 6.1.0-57"

    public static func isValid(_ name: String) -> Bool {
        name == "host" || name.wholeMatch(of: /[0-9]+\.[0-9]+([.\-+~][0-9A-Za-z.\-+~]*)?/) != nil
    }
}
