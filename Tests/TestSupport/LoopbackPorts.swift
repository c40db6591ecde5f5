import Glibc

/// TCP ports on 127.0.0.1 for servers a test starts itself.
public enum LoopbackPorts {
    /// A TCP port on 127.0.0.1 nothing is bound to (bound, then closed). Another process may take
    /// it before the caller binds it: callers retry on a new one.
    public static func freeTCP() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        return LocalDNSServer.boundPort(fd)
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` now.
    public static func acceptsTCP(_ port: UInt16) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = LocalDNSServer.loopback(port: port)
        return withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
    }
}
