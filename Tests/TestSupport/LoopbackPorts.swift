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

    /// How long a server a test starts may take to accept its first connection: 100 × 50 ms.
    static let acceptPolls = 100
    static let acceptPollMicroseconds: useconds_t = 50_000

    /// Starts a TCP server on a free port of 127.0.0.1: `launch` starts the child for a port, which
    /// must accept connections within 5 s; otherwise it is stopped and a new port is tried, at most
    /// `attempts` times (a port found free can be taken by someone else before the child binds it).
    /// Throws what `failure` makes of the last port tried when no attempt works.
    static func startServer(attempts: Int, failure: (_ lastPort: UInt16) -> any Error,
                            launch: (_ port: UInt16) throws -> ChildProcess) throws -> (port: UInt16, child: ChildProcess) {
        var lastPort: UInt16 = 0
        for _ in 0..<attempts {
            let port = freeTCP()
            lastPort = port
            let child = try launch(port)
            for _ in 0..<acceptPolls where child.isRunning {
                if acceptsTCP(port) { return (port, child) }
                usleep(acceptPollMicroseconds)
            }
            child.stop()
        }
        throw failure(lastPort)
    }
}
