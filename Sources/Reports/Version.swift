/// xdplab's own version: `xdplab --version` prints it and every report carries it. The one place it is written.
public enum XDPLabVersion {
    public static let current = "0.1.0"
}
