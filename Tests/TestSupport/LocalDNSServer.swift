import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A real DNS server (dnsmasq) on 127.0.0.1 only, answering from its command line: no upstream
/// (`--no-resolv`, no `--server`), no /etc/hosts, no config file; names under `test` that it has
/// no record for are NXDOMAIN (`--local=/test/`), anything else is REFUSED (never forwarded).
/// Each instance is its own dnsmasq on a port of its own, started as a `ChildProcess` (dnsmasq
/// closes the descriptors it inherits, which Foundation's `Process` cannot cope with: see
/// `ChildProcess`) and stopped, and reaped, when the instance goes away.
public final class LocalDNSServer: @unchecked Sendable {
    public static let executable = "/usr/sbin/dnsmasq"
    /// How long dnsmasq may take to answer its first query.
    static let startTimeout: Duration = .seconds(5)
    /// Ports tried: a port found free can be taken by someone else before dnsmasq binds it.
    static let startAttempts = 3

    public let port: UInt16
    private let child: ChildProcess

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts dnsmasq with `records` (`--srv-host=…`, `--mx-host=…`) and returns once it answers
    /// (at most `startTimeout` per attempt), waiting on a thread of its own.
    public static func start(records: [String]) async throws -> LocalDNSServer {
        try await onOwnThread { try LocalDNSServer(records: records) }
    }

    /// The blocking form of `start`, for callers that are not on the cooperative pool.
    public init(records: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable) else {
            throw StartFailure(description: "dnsmasq is missing: run scripts/install-deps (dnsmasq-base)")
        }
        var lastPort: UInt16 = 0
        for _ in 0..<Self.startAttempts {
            let port = Self.freeUDPPort()
            lastPort = port
            let child = try ChildProcess(Self.executable, [
                "-k", "--no-resolv", "--no-hosts", "--conf-file=/dev/null", "--pid-file", "--port=\(port)",
                "--listen-address=127.0.0.1", "--bind-interfaces", "--local=/test/",
            ] + records)
            if Self.waitUntilAnswering(port: port, child: child) {
                self.port = port
                self.child = child
                return
            }
            child.stop()
        }
        throw StartFailure(description: "dnsmasq did not answer on 127.0.0.1:\(lastPort)")
    }

    /// `127.0.0.1:PORT`, as `--dns-server` takes it.
    public var hostAndPort: String { "127.0.0.1:\(port)" }

    /// Stops dnsmasq now (also done when the instance goes away).
    public func stop() { child.stop() }

    public var isRunning: Bool { child.isRunning }

    deinit { child.stop() }

    /// Sends an MX query for `probe.test` until an answer with its ID comes back, dnsmasq exits,
    /// or the start deadline passes. Plain sockets and `poll`: no task, no semaphore.
    static func waitUntilAnswering(port: UInt16, child: ChildProcess) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var addr = loopback(port: port)
        let connected = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard connected == 0 else { return false }
        let id = UInt16.random(in: 1...UInt16.max)
        // RFC 1035 §4.1: header (ID, RD, QDCOUNT 1), then probe.test MX IN.
        var query: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in ["probe", "test"] { query += [UInt8(label.utf8.count)] + Array(label.utf8) }
        query += [0, 0, 15, 0, 1]
        let deadline = ContinuousClock.now + startTimeout
        var reply = [UInt8](repeating: 0, count: 512)
        while ContinuousClock.now < deadline {
            guard child.isRunning else { return false }  // e.g. the port was taken meanwhile
            _ = query.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            if poll(&p, 1, 100) > 0 {
                let n = recv(fd, &reply, reply.count, 0)
                if n >= 2 && reply[0] == query[0] && reply[1] == query[1] { return true }
                if n < 0 { usleep(20_000) }  // ECONNREFUSED: not bound yet
            }
        }
        return false
    }

    /// A UDP port on 127.0.0.1 nothing is bound to (bound, then closed).
    public static func freeUDPPort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        return boundPort(fd)
    }

    /// Binds `fd` to an ephemeral port on 127.0.0.1 and returns the port.
    public static func boundPort(_ fd: Int32) -> UInt16 {
        var addr = loopback(port: 0)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: addr.sin_port)
    }

    static func loopback(port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = port.bigEndian
        return addr
    }
}
