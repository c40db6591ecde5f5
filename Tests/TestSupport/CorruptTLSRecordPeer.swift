import Foundation
import Glibc

/// A TLS server on 127.0.0.1 that completes a real handshake (Python's `ssl` over memory BIOs,
/// a throwaway self-signed certificate for `localhost`), then sends one good application-data
/// record carrying `validText` and one whose ciphertext has a byte flipped, which no real server
/// does: the AEAD tag check fails on it (RFC 8446 §5.2, `bad_record_mac`). One connection;
/// a `ChildProcess`, stopped and reaped when the instance goes away, its folder removed.
public final class CorruptTLSRecordPeer: @unchecked Sendable {
    /// How the corrupted record follows the good one.
    public enum Delivery: String, Sendable {
        /// Both records in one `send`: they arrive in one socket read.
        case together
        /// The corrupted record alone, `separateDelay` after the good one.
        case separate
    }

    /// The plaintext of the good record.
    public static let validText = "hello\r\n"
    /// The pause before the corrupted record in `.separate`.
    public static let separateDelay = 0.3
    /// How long the certificate may take to make (one `openssl req`; the machine is loaded).
    static let certificateTimeout: Duration = .seconds(15)

    /// The peer. The whole script ends itself after 20 s (`signal.alarm`), every socket wait
    /// is bounded; the byte flipped is the fourth of the record's encrypted part, after the
    /// 5-byte header (RFC 8446 §5.2), so the record still frames and only decryption fails.
    /// No session tickets: nothing follows the handshake but these two records.
    static let script = """
        import signal, socket, ssl, sys, time
        cert, key, mode, text, delay = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4].encode(), float(sys.argv[5])
        signal.alarm(20)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        ctx.num_tickets = 0
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        listener.settimeout(15)
        print("ACCEPT 127.0.0.1:%d" % listener.getsockname()[1], flush=True)
        conn, _ = listener.accept()
        conn.settimeout(10)
        incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
        tls = ctx.wrap_bio(incoming, outgoing, server_side=True)
        while True:
            try:
                tls.do_handshake()
                break
            except ssl.SSLWantReadError:
                conn.sendall(outgoing.read())
                data = conn.recv(65536)
                if not data:
                    sys.exit("client closed during the handshake")
                incoming.write(data)
        conn.sendall(outgoing.read())
        print("HANDSHAKE %s %s" % (tls.version(), tls.cipher()[0]), flush=True)
        tls.write(text)
        good = outgoing.read()
        tls.write(b"never delivered\\r\\n")
        bad = bytearray(outgoing.read())
        assert good[0] == 23 and bad[0] == 23 and len(bad) == 5 + int.from_bytes(bad[3:5], "big"), (good, bad)
        bad[5 + 3] ^= 0x01
        if mode == "together":
            conn.sendall(good + bytes(bad))
        else:
            conn.sendall(good)
            time.sleep(delay)
            conn.sendall(bytes(bad))
        print("SENT %d %d" % (len(good), len(bad)), flush=True)
        try:
            while conn.recv(65536):
                pass
        except OSError:
            pass
        """

    public let port: UInt16
    /// The peer's self-signed certificate: trust it with `TLSOptions(trust: .caFile(caFile))`.
    public let caFile: String
    let process: ChildProcess
    let folder: String

    public struct StartFailure: Error, CustomStringConvertible { public var description: String }

    /// Makes the certificate, starts the peer and returns once it reports that it listens (at
    /// most `LoopbackPorts.reportTimeout`), waiting on a thread of its own (not on the
    /// cooperative pool).
    public static func start(_ delivery: Delivery) async throws -> CorruptTLSRecordPeer {
        try await onOwnThread { try CorruptTLSRecordPeer(delivery) }
    }

    /// The blocking form of `start`.
    public init(_ delivery: Delivery) throws {
        let folder = NSTemporaryDirectory() + "corrupt-tls-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cert = folder + "/cert.pem", key = folder + "/key.pem"
        do {
            try Self.makeCertificate(cert: cert, key: key)
            let started = try LoopbackPorts.startReportingServer(failure: {
                StartFailure(description: "the corrupt-record TLS peer did not start: \($0)")
            }) { stdoutPath, stderrPath in
                try ChildProcess("/usr/bin/env",
                                 ["python3", "-c", Self.script, cert, key, delivery.rawValue, Self.validText,
                                  String(Self.separateDelay)],
                                 stdoutPath: stdoutPath, stderrPath: stderrPath)
            }
            port = started.port
            process = started.child
        } catch {
            try? FileManager.default.removeItem(atPath: folder)
            throw error
        }
        caFile = cert
        self.folder = folder
    }

    /// A self-signed P-256 certificate for `localhost` and 127.0.0.1, valid one day.
    static func makeCertificate(cert: String, key: String) throws {
        let errors = cert + ".log"
        let child = try ChildProcess("/usr/bin/openssl",
                                     ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                                      "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=localhost",
                                      "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
                                     stderrPath: errors)
        guard let status = child.waitForExit(timeout: certificateTimeout) else {
            child.stop()
            throw StartFailure(description: "openssl req made no certificate within \(certificateTimeout)")
        }
        guard ChildProcess.exitCode(status) == 0 else {
            let said = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw StartFailure(description: "openssl req failed (wait status \(status)): \(said)")
        }
    }

    public func stop() { process.stop() }

    deinit {
        process.stop()
        try? FileManager.default.removeItem(atPath: folder)
    }
}
