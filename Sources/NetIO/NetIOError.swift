/// A transport failure: what went wrong, at which stage, and the evidence (errno text, TLS verdict,
/// the bytes the server sent), with the last transcript lines (already redacted).
public struct NetIOError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, independent of wording.
    public enum Kind: Sendable, Hashable {
        /// The host name could not be resolved.
        case dns
        /// Nothing listens on the port (`ECONNREFUSED`).
        case refused
        /// No route to the host or network.
        case unreachable
        /// The stage's deadline passed.
        case timeout
        /// The server closed the connection.
        case closedByPeer
        /// The TLS handshake or the certificate checks failed.
        case tls(TLSFailure)
        /// A TLS handshake met a server that speaks plain text first (a 465/587 mix-up).
        case plaintextOnTLSPort
        /// A plain-text read met a TLS record: the port expects implicit TLS.
        case tlsOnPlaintextPort
        /// Bytes arrived after the STARTTLS go-ahead and before the handshake (RFC 3207 §4.2, RFC 9051 §11.1).
        case startTLSInjection
        /// A line exceeded the configured maximum.
        case lineTooLong(limit: Int)
        /// The task was cancelled; the connection is closed.
        case cancelled
        /// The connection was already closed by this side.
        case closed
        /// CR, LF or NUL inside a command line or argument (injection), refused before sending.
        case forbiddenCharacter
        /// Another system call failure.
        case system(errno: Int32)
    }

    public var kind: Kind
    public var stage: Stage
    /// What proves it: the errno text, the server's bytes, OpenSSL's words.
    public var evidence: String?
    public var endpoint: Endpoint?
    /// The TLS report when the failure happened during or after a handshake.
    public var tlsReport: TLSReport?
    /// Every connect attempt made (one per resolved address).
    public var attempts: [ConnectAttempt] = []
    /// The last lines of the session's transcript, redacted.
    public var transcriptTail: [String] = []

    public init(kind: Kind, stage: Stage, evidence: String? = nil, endpoint: Endpoint? = nil,
                tlsReport: TLSReport? = nil) {
        self.kind = kind
        self.stage = stage
        self.evidence = evidence
        self.endpoint = endpoint
        self.tlsReport = tlsReport
    }

    /// `true` for failures that may pass on a retry (timeouts, refused, drops).
    public var isTransient: Bool {
        switch kind {
        case .timeout, .refused, .unreachable, .closedByPeer, .dns, .system, .tls(.record): true
        default: false
        }
    }

    /// One sentence naming the stage and the problem, then the evidence.
    public var description: String {
        var s = "\(stage): \(summary)"
        if let endpoint { s += " [\(endpoint)]" }
        if let evidence, !evidence.isEmpty { s += " (\(evidence))" }
        return s
    }

    /// The problem in plain words.
    public var summary: String {
        switch kind {
        case .dns: "the host name could not be found"
        case .refused: "connection refused: nothing is listening on that port"
        case .unreachable: "the network or host is unreachable"
        case .timeout: "no answer within the time limit"
        case .closedByPeer: "the server closed the connection"
        case .tls(let failure): failure.summary
        case .plaintextOnTLSPort:
            "the server answered in plain text; this port expects STARTTLS or no TLS, not implicit TLS"
        case .tlsOnPlaintextPort: "the server answered with TLS; this port expects implicit TLS"
        case .startTLSInjection:
            "the server sent data after the STARTTLS go-ahead, before TLS started (possible response injection)"
        case .lineTooLong(let limit): "the server sent a line longer than \(limit) bytes"
        case .cancelled: "cancelled"
        case .closed: "the connection is closed"
        case .forbiddenCharacter: "refused to send a line containing CR, LF or NUL"
        case .system(let e): "system error \(e)"
        }
    }
}

/// Why a TLS session was refused.
public enum TLSFailure: Sendable, Hashable {
    /// The chain does not lead to a trusted CA (self-signed, private CA, expired, …).
    case untrustedChain
    /// The certificate does not name the host we connected to.
    case hostnameMismatch
    /// The certificate's SHA-256 differs from the pinned one.
    case pinMismatch
    /// The server offers only protocol versions below the minimum (TLS 1.2 by default).
    case protocolTooOld
    /// The handshake failed for another reason (OpenSSL's words are the evidence).
    case handshake
    /// After the handshake, a record could not be decrypted or encrypted (corrupted on the way,
    /// or the session failed): OpenSSL's words are the evidence. The connection is unusable.
    case record

    var summary: String {
        switch self {
        case .untrustedChain: "the server's certificate is not trusted"
        case .hostnameMismatch: "the server's certificate is for another host name"
        case .pinMismatch: "the server's certificate does not match the pinned SHA-256 fingerprint"
        case .protocolTooOld: "the server only offers TLS versions older than the minimum (TLS 1.2)"
        case .handshake: "the TLS handshake failed"
        case .record: "the encrypted connection broke: a TLS record could not be decrypted or encrypted"
        }
    }
}

/// One TCP connect attempt to one resolved address.
public struct ConnectAttempt: Sendable, Hashable, CustomStringConvertible {
    public var address: String
    public var outcome: String
    public var duration: Duration
    public var description: String {
        "\(address): \(outcome) (\(Int((duration.secondsValue * 1000).rounded())) ms)"
    }
}
