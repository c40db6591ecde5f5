import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An `openssl s_server` of a test's own on 127.0.0.1 (a `ChildProcess`, stopped and reaped when
/// the instance goes away). scripts/servers has shared ones, but each serves one connection at
/// a time: a test whose probe holds one for seconds (no greeting ever comes) would make other
/// suites using the same instance wait.
public final class LocalTLSServer: @unchecked Sendable {
    public let port: UInt16
    private let child: ChildProcess

    public struct StartFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts `openssl s_server -rev` with the certificate files on a port of its own choosing
    /// and returns once it reports that it listens (its `ACCEPT 127.0.0.1:PORT` line, at most
    /// `LoopbackPorts.reportTimeout`), waiting on a thread of its own.
    public static func start(cert: String, key: String, chain: String? = nil) async throws -> LocalTLSServer {
        try await onOwnThread { try LocalTLSServer(cert: cert, key: key, chain: chain) }
    }

    /// The blocking form of `start`.
    public init(cert: String, key: String, chain: String? = nil) throws {
        let started = try LoopbackPorts.startReportingServer(failure: {
            StartFailure(description: "openssl s_server did not start: \($0)")
        }) { stdoutPath, stderrPath in
            // Not -quiet: that also silences the ACCEPT line. Per-connection notes go to stderr.
            var args = ["s_server", "-accept", "127.0.0.1:0", "-rev", "-cert", cert, "-key", key]
            if let chain { args += ["-cert_chain", chain] }
            return try ChildProcess("/usr/bin/openssl", args, stdoutPath: stdoutPath, stderrPath: stderrPath)
        }
        port = started.port
        child = started.child
    }

    public func stop() { child.stop() }

    deinit { child.stop() }
}
