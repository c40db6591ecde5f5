import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An `openssl s_server` of a test's own on 127.0.0.1 (a `ChildProcess`, stopped and reaped when
/// the instance goes away). scripts/servers has shared ones, but each serves one connection at
/// a time: a test whose probe holds one for seconds (no greeting ever comes) would make other
/// suites using the same instance wait.
public final class LocalTLSServer: @unchecked Sendable {
    /// Ports tried: a port found free can be taken by someone else before s_server binds it.
    static let startAttempts = 3
    public let port: UInt16
    private let child: ChildProcess

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `openssl s_server -rev` with the certificate files and returns once it accepts
    /// connections (at most 5 s per attempt), waiting on a thread of its own.
    public static func start(cert: String, key: String, chain: String? = nil) async throws -> LocalTLSServer {
        try await onOwnThread { try LocalTLSServer(cert: cert, key: key, chain: chain) }
    }

    /// The blocking form of `start`.
    public init(cert: String, key: String, chain: String? = nil) throws {
        var lastPort: UInt16 = 0
        for _ in 0..<Self.startAttempts {
            let port = LoopbackPorts.freeTCP()
            lastPort = port
            var args = ["s_server", "-accept", "127.0.0.1:\(port)", "-rev", "-quiet", "-cert", cert, "-key", key]
            if let chain { args += ["-cert_chain", chain] }
            let child = try ChildProcess("/usr/bin/openssl", args)
            for _ in 0..<100 where child.isRunning {
                if LoopbackPorts.acceptsTCP(port) {
                    self.port = port
                    self.child = child
                    return
                }
                usleep(50_000)
            }
            child.stop()
        }
        throw StartFailure(description: "openssl s_server did not start on port \(lastPort)")
    }

    public func stop() { child.stop() }

    deinit { child.stop() }
}
