import Foundation
import Glibc

/// A listener on 127.0.0.1 that sends no greeting and answers the first bytes it receives (a
/// client's TLS ClientHello) with a TLS alert record only after `delay` seconds: an implicit-TLS
/// port that answers slowly. The delay counts from the ClientHello, so a busy test machine
/// cannot make the answer look early. One connection; every wait is bounded.
public final class LateTLSPeer: Sendable {
    public let port: UInt16
    private let fd: Int32

    /// A TLS alert record (fatal, protocol_version): any TLS answer tells an implicit-TLS port.
    public static let alert: [UInt8] = [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]

    public init(delay: Double) throws {
        let sock = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(sock, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, listen(sock, 4) == 0 else {
            close(sock)
            throw POSIXError(.EADDRINUSE)
        }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(sock, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
        fd = sock
        Thread.detachNewThread {
            var p = pollfd(fd: sock, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 10_000) == 1 else { return }
            let c = accept(sock, nil, nil)
            guard c >= 0 else { return }
            defer { close(c) }
            var limit = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
            var buffer = [UInt8](repeating: 0, count: 4096)
            guard recv(c, &buffer, buffer.count, 0) > 0 else { return }
            usleep(UInt32(delay * 1_000_000))
            _ = Self.alert.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            usleep(300_000)
        }
    }

    deinit {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }
}
