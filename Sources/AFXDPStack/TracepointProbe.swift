/// For `xdplab doctor`: whether the xdp tracepoints the labs count (`xdp_exception`, `xdp_redirect_err`,
/// `xdp_redirect`) load and attach here for the program with this id. Detached again at once.
public enum TracepointProbe {
    public static func attach(programID: UInt32, workDirectory: String) throws {
        _ = try TracepointCounters(programID: programID, workDirectory: workDirectory, recordRedirects: true)
    }
}
