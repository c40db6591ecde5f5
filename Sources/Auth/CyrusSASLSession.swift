internal import CSASL
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// One libsasl2 client exchange: its `sasl_conn_t`, the callbacks that hand libsasl2 the user
/// name and password for this connection only, and the C buffers those callbacks point into.
///
/// `@unchecked Sendable` because every use of the connection and its buffers happens under
/// `lock`, and libsasl2 allows different connections on different threads at once (its global
/// state is set up once by `SASLLibrary` and guarded by the mutexes given to it). The buffers
/// outlive the connection: `deinit` disposes of the connection first, then wipes and frees them
/// (libsasl2 keeps pointers to the callback array and to the `sasl_secret_t` until disposal).
final class CyrusSASLSession: @unchecked Sendable {
    /// Where the exchange stands, for `verifySuccess` and for repeating the initial response.
    enum State {
        case created
        /// Started; holds the initial response until a challenge other than an empty one arrives.
        case started(initialResponse: [UInt8]?)
        case inProgress
        case complete
        case failed
    }

    let mechanism: String
    private let lock = SASLLock()
    private var conn: OpaquePointer?
    private var state = State.created
    /// libsasl2 said SASL_OK: the client side of the exchange is done (and, for SCRAM, the
    /// server's signature was checked).
    private var finished = false
    private var serverErrorExplanation: String?

    /// SCRAM's `e=` server error in words, once one arrived.
    var failureExplanation: String? { lock.withLock { serverErrorExplanation } }

    private let callbacks: UnsafeMutablePointer<sasl_callback_t>
    private let authname: UnsafeMutablePointer<CChar>
    private let authzid: UnsafeMutablePointer<CChar>
    private let secret: UnsafeMutableRawPointer
    private let secretAllocation: Int

    /// The largest challenge handed to libsasl2 (its plugins refuse larger ones anyway; GSSAPI
    /// tokens stay well under this).
    static let challengeLimit = 64 * 1024

    init(mechanism: String, user: String, password: String, authorizationID: String?,
         serviceName: String, host: String) throws(AuthError) {
        self.mechanism = mechanism
        guard SASLLibrary.initResult == SASL_OK else {
            throw AuthError(.sasl(code: SASLLibrary.initResult,
                                  message: "libsasl2 could not be initialised: " + Self.words(SASLLibrary.initResult)),
                            mechanism: mechanism)
        }
        for (field, value) in [("user name", user), ("password", password), ("authorization identity", authorizationID ?? ""),
                               ("service name", serviceName), ("host name", host)] where value.utf8.contains(0) {
            throw AuthError(.invalidCharacter(field: field), mechanism: mechanism)
        }
        authname = strdup(user)
        authzid = strdup(authorizationID ?? "")
        // sasl_secret_t: an unsigned long length, then the bytes (NUL-terminated for safety).
        let passwordBytes = Array(password.utf8)
        let dataOffset = MemoryLayout<sasl_secret_t>.offset(of: \sasl_secret_t.data) ?? MemoryLayout<UInt>.size
        secretAllocation = dataOffset + passwordBytes.count + 1
        let secretBuffer = UnsafeMutableRawPointer.allocate(byteCount: secretAllocation, alignment: MemoryLayout<UInt>.alignment)
        secretBuffer.initializeMemory(as: UInt8.self, repeating: 0, count: secretAllocation)
        secretBuffer.storeBytes(of: UInt(passwordBytes.count), as: UInt.self)
        passwordBytes.withUnsafeBytes { bytes in
            if let base = bytes.baseAddress { secretBuffer.advanced(by: dataOffset).copyMemory(from: base, byteCount: bytes.count) }
        }
        secret = secretBuffer

        callbacks = UnsafeMutablePointer<sasl_callback_t>.allocate(capacity: 5)
        let context = Unmanaged.passUnretained(self).toOpaque()
        callbacks[0] = sasl_callback_t(id: UInt(SASL_CB_AUTHNAME), proc: unsafeBitCast(Self.getSimple, to: SASLLibrary.SASLCallback.self), context: context)
        callbacks[1] = sasl_callback_t(id: UInt(SASL_CB_USER), proc: unsafeBitCast(Self.getSimple, to: SASLLibrary.SASLCallback.self), context: context)
        callbacks[2] = sasl_callback_t(id: UInt(SASL_CB_PASS), proc: unsafeBitCast(Self.getSecret, to: SASLLibrary.SASLCallback.self), context: context)
        callbacks[3] = sasl_callback_t(id: UInt(SASL_CB_GETREALM), proc: unsafeBitCast(Self.getRealm, to: SASLLibrary.SASLCallback.self), context: context)
        callbacks[4] = sasl_callback_t(id: UInt(SASL_CB_LIST_END), proc: nil, context: nil)

        var newConn: OpaquePointer?
        let rc: Int32 = SASLLibrary.connectionLifecycleLock.withLock {
            sasl_client_new(serviceName, host, nil, nil, callbacks, 0, &newConn)
        }
        guard rc == SASL_OK, let newConn else {
            throw AuthError(.sasl(code: rc, message: "sasl_client_new: " + Self.words(rc)), mechanism: mechanism)
        }
        conn = newConn
        // No SASL security layer: the session is protected by TLS, and SMTP/IMAP clients here do
        // not wrap the stream (max_ssf 0). Which mechanism may run without TLS is decided by
        // MechanismSelection, so libsasl2 filters nothing (security_flags 0).
        var properties = sasl_security_properties_t(min_ssf: 0, max_ssf: 0, maxbufsize: 0, security_flags: 0,
                                                    property_names: nil, property_values: nil)
        let prc = sasl_setprop(newConn, SASL_SEC_PROPS, &properties)
        guard prc == SASL_OK else {
            throw AuthError(.sasl(code: prc, message: "sasl_setprop(SASL_SEC_PROPS): " + detail(prc)), mechanism: mechanism)
        }
    }

    deinit {
        if let conn {
            var c: OpaquePointer? = conn
            SASLLibrary.connectionLifecycleLock.withLock { sasl_dispose(&c) }
        }
        callbacks.deallocate()
        explicit_bzero(secret, secretAllocation)
        secret.deallocate()
        explicit_bzero(authname, strlen(authname))
        free(authname)
        free(authzid)
    }

    /// `sasl_client_start` for this mechanism: the initial response, or `nil` for a
    /// server-first mechanism (CRAM-MD5, DIGEST-MD5).
    func start() throws(AuthError) -> [UInt8]? {
        lock.lock()
        defer { lock.unlock() }
        return try startLocked()
    }

    private func startLocked() throws(AuthError) -> [UInt8]? {
        switch state {
        case .created: break
        case .started(let initial): return initial
        default: throw AuthError(.protocolViolation("the exchange has already started"), mechanism: mechanism)
        }
        var out: UnsafePointer<CChar>?
        var outLength: UInt32 = 0
        var chosen: UnsafePointer<CChar>?
        let rc = sasl_client_start(conn, mechanism, nil, &out, &outLength, &chosen)
        guard rc == SASL_OK || rc == SASL_CONTINUE else {
            state = .failed
            throw error(rc, during: "start")
        }
        let initial = out.map { Self.bytes($0, outLength) }
        finished = rc == SASL_OK
        state = finished && initial == nil ? .complete : .started(initialResponse: initial)
        return initial
    }

    /// `sasl_client_step` with one challenge. An empty first challenge of a mechanism with an
    /// initial response asks for that response (it was not sent on the command line).
    func step(_ challenge: [UInt8]) throws(AuthError) -> [UInt8] {
        lock.lock()
        defer { lock.unlock() }
        var startedHere = false
        if case .created = state {
            _ = try startLocked()
            startedHere = true
        }
        if case .started(let initial?) = state {
            state = .inProgress
            // An empty challenge asks for the initial response (it was not on the command line).
            if challenge.isEmpty { return initial }
            if startedHere {
                state = .failed
                throw AuthError(.protocolViolation("the server sent a challenge before the client's first message"),
                                mechanism: mechanism)
            }
        }
        switch state {
        case .complete:
            throw AuthError(.protocolViolation("the server sent a challenge after the exchange was complete"),
                            mechanism: mechanism)
        case .failed:
            throw AuthError(.protocolViolation("the server sent a challenge after the exchange failed"), mechanism: mechanism)
        default:
            break
        }
        guard challenge.count <= Self.challengeLimit else {
            state = .failed
            throw AuthError(.protocolViolation("the challenge is longer than \(Self.challengeLimit) bytes"), mechanism: mechanism)
        }
        noteServerError(challenge)
        var out: UnsafePointer<CChar>?
        var outLength: UInt32 = 0
        let input = challenge + [0]  // libsasl2 wants a NUL sentinel after the data
        let rc = input.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                sasl_client_step(conn, $0, UInt32(challenge.count), nil, &out, &outLength)
            }
        }
        guard rc == SASL_OK || rc == SASL_CONTINUE else {
            state = .failed
            if mechanism.hasPrefix("SCRAM-"), challenge.starts(with: Array("v=".utf8)) {
                throw AuthError(.protocolViolation("the server's SCRAM signature is wrong (RFC 5802 §3): it does not know "
                                                   + "the password, or something between is tampering with the exchange"),
                                mechanism: mechanism, detail: detail(rc))
            }
            throw error(rc, during: "step")
        }
        finished = rc == SASL_OK
        state = finished ? .complete : .inProgress
        return out.map { Self.bytes($0, outLength) } ?? []
    }

    /// The server reported success. With additional data (RFC 4422 §3.6) libsasl2 checks it;
    /// without, the exchange must already be complete: a SCRAM server that says "success" without
    /// its signature has not proved it knows the password.
    func verifySuccess(_ additionalData: [UInt8]?) throws(AuthError) {
        if let additionalData, !additionalData.isEmpty {
            let response = try step(additionalData)
            guard response.isEmpty else {
                throw AuthError(.protocolViolation("the mechanism wanted to continue after the server's success"),
                                mechanism: mechanism)
            }
        }
        lock.lock()
        defer { lock.unlock() }
        guard finished else {
            throw AuthError(.protocolViolation("the server reported success before the exchange was complete "
                                               + "(no proof that it knows the password)"), mechanism: mechanism)
        }
    }

    /// SCRAM's `server-error` (RFC 5802 §7: `e=invalid-proof`), told in words.
    private func noteServerError(_ challenge: [UInt8]) {
        guard mechanism.hasPrefix("SCRAM-"), challenge.starts(with: Array("e=".utf8)) else { return }
        let value = String(decoding: challenge.dropFirst(2).prefix(100).prefix { $0 != UInt8(ascii: ",") }
                                            .filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
        switch value {
        case "invalid-proof": serverErrorExplanation = "the server says the password is wrong (SCRAM invalid-proof)"
        case "unknown-user": serverErrorExplanation = "the server does not know this user (SCRAM unknown-user)"
        default: serverErrorExplanation = "the server refused the login (SCRAM error \(value))"
        }
    }

    private func error(_ rc: Int32, during phase: String) -> AuthError {
        let words = detail(rc)
        switch rc {
        case SASL_BADSERV:
            return AuthError(.protocolViolation("the server failed mutual authentication (its proof is wrong): \(words)"),
                             mechanism: mechanism)
        case SASL_BADPROT:
            return AuthError(.protocolViolation(words), mechanism: mechanism)
        case SASL_NOMECH:
            return AuthError(.mechanismUnavailable(mechanism), mechanism: mechanism)
        case SASL_INTERACT:
            return AuthError(.credentialsUnsuitable("libsasl2 asked for information these credentials do not hold"),
                             mechanism: mechanism)
        default:
            return AuthError(.sasl(code: rc, message: "sasl_client_\(phase): \(words)"), mechanism: mechanism)
        }
    }

    private func detail(_ rc: Int32) -> String {
        if let conn, let text = sasl_errdetail(conn) { return String(cString: text) }
        return Self.words(rc)
    }

    private static func words(_ rc: Int32) -> String {
        sasl_errstring(rc, nil, nil).map { String(cString: $0) } ?? "error \(rc)"
    }

    private static func bytes(_ pointer: UnsafePointer<CChar>, _ count: UInt32) -> [UInt8] {
        pointer.withMemoryRebound(to: UInt8.self, capacity: Int(count)) { Array(UnsafeBufferPointer(start: $0, count: Int(count))) }
    }

    // MARK: callbacks (C functions; the context is this session, unretained: it outlives its conn)

    private static let getSimple: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                                  UnsafeMutablePointer<UInt32>?) -> Int32 = { context, id, result, length in
        guard let context, let result else { return SASL_BADPARAM }
        let session = Unmanaged<CyrusSASLSession>.fromOpaque(context).takeUnretainedValue()
        let value = id == SASL_CB_USER ? session.authzid : session.authname
        result.pointee = UnsafePointer(value)
        length?.pointee = UInt32(strlen(value))
        return SASL_OK
    }

    private static let getSecret: @convention(c) (OpaquePointer?, UnsafeMutableRawPointer?, Int32,
                                                  UnsafeMutablePointer<UnsafeMutablePointer<sasl_secret_t>?>?) -> Int32 = { _, context, _, result in
        guard let context, let result else { return SASL_BADPARAM }
        let session = Unmanaged<CyrusSASLSession>.fromOpaque(context).takeUnretainedValue()
        result.pointee = session.secret.assumingMemoryBound(to: sasl_secret_t.self)
        return SASL_OK
    }

    private static let getRealm: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafeMutablePointer<UnsafePointer<CChar>?>?,
                                                 UnsafeMutablePointer<UnsafePointer<CChar>?>?) -> Int32 = { _, _, available, result in
        guard let result else { return SASL_BADPARAM }
        result.pointee = available?.pointee  // the server's first realm, or none ("")
        return SASL_OK
    }
}
