import Foundation
import CLibBPF

/// The versions of libbpf and libxdp behind this build, for `xdplab --version`.
public enum LibraryVersions {
    /// The libbpf headers xdplab was compiled against (`LIBBPF_MAJOR_VERSION`, `LIBBPF_MINOR_VERSION`).
    public static let libbpfHeaders = "\(LIBBPF_MAJOR_VERSION).\(LIBBPF_MINOR_VERSION)"

    /// The libbpf this process runs with. The corresponding C functions are `libbpf_major_version` and
    /// `libbpf_minor_version`.
    public static var libbpf: String { "\(libbpf_major_version()).\(libbpf_minor_version())" }

    /// libxdp has neither a version call nor a version macro. Its shared object is named after the version of its
    /// ABI (libxdp.so.1.3.0), so the file this process mapped says which libxdp it runs with; nil when none is mapped.
    /// (Debian's libxdp 1.3.1 package ships libxdp.so.1.3.0: the ABI did not change in that release.)
    public static var libxdp: (version: String, file: String)? {
        // Read to the end: procfs files report a size of 0.
        guard let data = FileHandle(forReadingAtPath: "/proc/self/maps")?.readDataToEndOfFile() else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let file = String(line[slash...])
            let name = URL(fileURLWithPath: file).lastPathComponent
            guard name.hasPrefix("libxdp.so.") else { continue }
            return (String(name.dropFirst("libxdp.so.".count)), file)
        }
        return nil
    }
}
