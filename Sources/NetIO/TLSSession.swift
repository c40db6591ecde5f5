internal import CSSLShim
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// One client TLS session over two byte-queue BIOs (CSSLShim's `byte_queue_bio.h`). It does no
/// I/O: the connection feeds it the bytes read from the socket and writes out what it produces.
/// RFC 8446 / RFC 5246 via OpenSSL.
final class TLSSession {
    private let ssl: OpaquePointer
    private let rbio: OpaquePointer  // network → OpenSSL
    private let wbio: OpaquePointer  // OpenSSL → network
    private let recorder = VerifyRecorder()
    private let context: TLSContext
    /// The failure of a read after the handshake: thrown by every read from then on (after the
    /// bytes decrypted before it are delivered), with OpenSSL's own words.
    private var readFailure: NetIOError?
    let options: TLSOptions
    let hostname: String
    let serverNameSent: String?

    /// Progress of a step that may need more bytes from the network.
    enum Progress { case done, needInput }
    /// Why a read stopped: the buffer is full, the next record has not arrived whole, or the
    /// server sent close_notify.
    enum ReadProgress { case full, needInput, closed }

    init(options: TLSOptions, host: String) throws {
        context = try TLSContext.context(for: options)
        self.options = options
        hostname = options.serverName ?? host
        guard let ssl = SSL_new(context.ctx) else {
            throw NetIOError(kind: .tls(.handshake), stage: .tls, evidence: "SSL_new: \(OpenSSLError.drainText())")
        }
        guard let rbio = shim_BIO_new_byte_queue(), let wbio = shim_BIO_new_byte_queue() else {
            SSL_free(ssl)
            throw NetIOError(kind: .tls(.handshake), stage: .tls, evidence: "cannot make a BIO: \(OpenSSLError.drainText())")
        }
        self.ssl = ssl
        self.rbio = rbio
        self.wbio = wbio
        SSL_set_bio(ssl, rbio, wbio)
        SSL_set_connect_state(ssl)
        _ = shim_SSL_set_mode(ssl, Int(SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER))

        let isIP = Self.isIPLiteral(hostname)
        if isIP {
            X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), hostname)
            serverNameSent = nil
        } else {
            SSL_set1_host(ssl, hostname)
            _ = shim_SSL_set_tlsext_host_name(ssl, hostname)
            serverNameSent = hostname
        }
        _ = shim_SSL_set_app_data(ssl, Unmanaged.passUnretained(recorder).toOpaque())
    }

    deinit {
        SSL_free(ssl)  // frees both BIOs
    }

    static func isIPLiteral(_ host: String) -> Bool {
        var a4 = in_addr(), a6 = in6_addr()
        return inet_pton(AF_INET, host, &a4) == 1 || inet_pton(AF_INET6, host, &a6) == 1
    }

    // MARK: network side

    /// Queues ciphertext read from the socket for OpenSSL (one copy, no clearing).
    func feed(_ bytes: UnsafeRawBufferPointer) throws {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        guard shim_byte_queue_append(shim_BIO_byte_queue(rbio), base, bytes.count) == 0 else {
            throw NetIOError(kind: .system(errno: ENOMEM), stage: .read, evidence: "out of memory queueing \(bytes.count) bytes of TLS input")
        }
    }

    var hasOutbound: Bool { shim_byte_queue_count(shim_BIO_byte_queue(wbio)) > 0 }

    /// Whether a read could give bytes (or a failure) without more from the network: ciphertext
    /// waits in the input queue, or a decrypted record is pending.
    var hasInput: Bool {
        readFailure != nil || sawCloseNotify || shim_byte_queue_count(shim_BIO_byte_queue(rbio)) > 0 || SSL_pending(ssl) > 0
    }
    /// The server's close_notify was read: every read from now on reports `.closed` at once.
    private var sawCloseNotify = false

    /// Moves what OpenSSL wants sent into `out` (appending), with one memory copy: no
    /// zero-filling and, when `out` keeps its capacity between calls, no allocation per write.
    func drainOutbound(into out: inout [UInt8]) {
        let queue = shim_BIO_byte_queue(wbio)
        let count = shim_byte_queue_count(queue)
        guard count > 0, let bytes = shim_byte_queue_peek(queue) else { return }
        out.append(contentsOf: UnsafeBufferPointer(start: bytes, count: count))
        shim_byte_queue_consume(queue, count)
    }

    // MARK: application side

    func handshake() throws -> Progress {
        _ = OpenSSLError.drain()
        let rc = SSL_do_handshake(ssl)
        if rc == 1 { return .done }
        let err = SSL_get_error(ssl, rc)
        if err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE { return .needInput }
        throw handshakeError()
    }

    /// Decrypts records into `buffer` until it is full or the next record has not arrived whole:
    /// the byte count, and what stopped it when it is short (`.needInput`, `.closed`). One
    /// call for all the records one socket read brought, and the error queue cleared once.
    /// A record that fails after others were decrypted is thrown by the next call.
    func readAvailable(into buffer: UnsafeMutableRawBufferPointer) throws -> (count: Int, stop: ReadProgress) {
        if let readFailure { throw readFailure }
        var count = 0
        // The thread's error queue must be empty before an SSL call (SSL_get_error(3)): a task
        // moves between threads, and an error another session left on this one would otherwise
        // become this session's evidence.
        ERR_clear_error()
        while count < buffer.count {
            let rc = SSL_read(ssl, buffer.baseAddress! + count, Int32(min(buffer.count - count, Int(Int32.max))))
            if rc > 0 {
                count += Int(rc)
                continue
            }
            let err = SSL_get_error(ssl, rc)
            switch err {
            case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return (count, .needInput)
            case SSL_ERROR_ZERO_RETURN:
                sawCloseNotify = true
                return (count, .closed)
            default:
                let error = recordReadFailure(err)
                guard count > 0 else { throw error }
                return (count, .needInput)
            }
        }
        return (count, .full)
    }

    /// The failure of a record after the handshake (corrupted, or a fatal alert), with OpenSSL's
    /// words. It is kept: the session is unusable, and every later read throws the same error
    /// (OpenSSL alone would then report an empty error queue).
    private func recordReadFailure(_ err: Int32) -> NetIOError {
        let entries = OpenSSLError.drain()
        let why = OpenSSLError.text(of: entries)
        // A fatal alert from the server (reason codes from SSL_AD_REASON_OFFSET up) is the server
        // refusing the session, which TLS 1.3 reports only at the first read after the client's
        // side of the handshake (a client certificate it requires): a handshake failure. Any
        // other failure is a broken record.
        let alerts = SSL_AD_REASON_OFFSET..<(SSL_AD_REASON_OFFSET + 256)
        let alerted = entries.contains { ERR_GET_LIB($0.code) == ERR_LIB_SSL && alerts.contains(ERR_GET_REASON($0.code)) }
        let error = NetIOError(kind: .tls(alerted ? .handshake : .record), stage: .read,
                               evidence: why.isEmpty ? "TLS read failed (error \(err))" : why)
        readFailure = error
        return error
    }

    /// Encrypts all of `bytes` into the outbound buffer (memory BIOs never push back).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        ERR_clear_error()  // as in `readAvailable`
        while offset < bytes.count {
            let rc = SSL_write(ssl, bytes.baseAddress! + offset, Int32(min(bytes.count - offset, 1 << 20)))
            if rc <= 0 {
                let why = OpenSSLError.drainText()
                throw NetIOError(kind: .tls(.record), stage: .write,
                                 evidence: why.isEmpty ? "TLS write failed" : why)
            }
            offset += Int(rc)
        }
    }

    /// Queues a close_notify alert.
    func shutdown() {
        // SSL_shutdown during a handshake only queues SSL_R_SHUTDOWN_WHILE_IN_INIT; either way
        // nothing it leaves in the error queue may reach a later call's evidence.
        if SSL_in_init(ssl) == 0 { _ = SSL_shutdown(ssl) }
        ERR_clear_error()
    }

    // MARK: verdict

    /// The report of the finished handshake, with the verdicts under `options`.
    func report(now: Date = Date()) -> TLSReport {
        let version = String(cString: SSL_get_version(ssl)).replacing("TLSv", with: "TLS ")
        let cipher = SSL_get_current_cipher(ssl).map { String(cString: SSL_CIPHER_get_name($0)) } ?? "?"
        var chain: [CertificateInfo] = []
        if let stack = SSL_get_peer_cert_chain(ssl) {
            for i in 0..<shim_sk_X509_num(stack) {
                if let cert = shim_sk_X509_value(stack, i) { chain.append(X509Reader.info(cert)) }
            }
        }
        let leaf = SSL_get1_peer_certificate(ssl)
        defer { if let leaf { X509_free(leaf) } }
        if chain.isEmpty, let leaf { chain.append(X509Reader.info(leaf)) }

        let hostnameMatches: Bool
        if let leaf {
            hostnameMatches = Self.isIPLiteral(hostname)
                ? X509_check_ip_asc(leaf, hostname, 0) == 1
                : X509_check_host(leaf, hostname, hostname.utf8.count, 0, nil) == 1
        } else {
            hostnameMatches = false
        }
        let chainErrors = recorder.errors.filter {
            $0.code != X509_V_ERR_HOSTNAME_MISMATCH && $0.code != X509_V_ERR_IP_ADDRESS_MISMATCH
        }
        let chainTrusted = leaf != nil && chainErrors.isEmpty
        let chainError = chainErrors.first.map { Self.words(for: $0.code, depth: Int($0.depth), chain: chain, now: now) }
            ?? (leaf == nil ? "the server sent no certificate" : nil)
        let pins = options.normalisedPins
        let pinMatches: Bool? = pins.isEmpty ? nil : chain.first.map { pins.contains($0.sha256) } ?? false

        var report = TLSReport(version: version, cipher: cipher, serverNameSent: serverNameSent,
                               hostname: hostname, chain: chain, trustSource: context.trustSource,
                               chainTrusted: chainTrusted, chainError: chainError,
                               hostnameMatches: hostnameMatches, pinMatches: pinMatches, accepted: false)
        report.accepted = options.insecureSkipVerification || report.trusted
        return report
    }

    /// OpenSSL's verify error in words, with the dates that explain it.
    static func words(for code: Int32, depth: Int, chain: [CertificateInfo], now: Date) -> String {
        let base = String(cString: X509_verify_cert_error_string(Int(code)))
        let cert = depth < chain.count ? chain[depth] : nil
        switch code {
        case X509_V_ERR_CERT_HAS_EXPIRED:
            if let cert { return "\(base) (not valid after \(TLSReport.day(cert.notAfter)))" }
        case X509_V_ERR_CERT_NOT_YET_VALID:
            if let cert { return "\(base) (not valid before \(TLSReport.day(cert.notBefore)))" }
        default: break
        }
        return depth > 0 ? "\(base) (certificate \(depth) of the chain)" : base
    }

    private func handshakeError() -> NetIOError {
        let entries = OpenSSLError.drain()
        let reasons = entries.map(\.reason)
        let text = entries.map { $0.reason.isEmpty ? $0.text : $0.reason }.joined(separator: "; ")
        let tooOld = reasons.contains { r in
            r.contains("unsupported protocol") || r.contains("protocol version") || r.contains("no protocols available")
        }
        return NetIOError(kind: .tls(tooOld ? .protocolTooOld : .handshake), stage: .tls,
                          evidence: text.isEmpty ? "handshake failed" : text)
    }
}
