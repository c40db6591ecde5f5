public import NetIO

/// How an `IMAPClient` connects: TLS mode and trust, deadlines, parser limits, transcript.
/// The default is implicit TLS (port 993, RFC 8314 §3.3) with the system CA store.
public struct IMAPClientOptions: Sendable {
    public var security: Security
    public var tls: TLSOptions
    public var timeouts: ConnectionTimeouts
    public var limits: ParserLimits
    public var transcript: Transcript
    /// The wait for the server's greeting (RFC 9051 §7.1: the first line after connecting);
    /// `nil` waits `timeouts.read`. A short wait names the 993 mix-up quickly: on a plain-text
    /// connection (`.startTLS`, `.plaintextUnsafe`) a greeting that does not come in time is
    /// followed by a TLS ClientHello (`Connection.readGreetingLine`, `timeouts.tlsProbe`), and a
    /// server that answers it fails as `NetIOError.Kind.tlsOnPlaintextPort`, not `.timeout`.
    public var greetingTimeout: Duration?

    public init(security: Security = .implicitTLS, tls: TLSOptions = .default,
                timeouts: ConnectionTimeouts = ConnectionTimeouts(), limits: ParserLimits = ParserLimits(),
                transcript: Transcript = Transcript(), greetingTimeout: Duration? = nil) {
        self.greetingTimeout = greetingTimeout
        self.security = security
        self.tls = tls
        self.timeouts = timeouts
        self.limits = limits
        self.transcript = transcript
    }
}

/// IDLE behaviour (RFC 2177).
public struct IdleOptions: Sendable, Hashable {
    /// IDLE is ended (DONE), checked with NOOP and issued again after this long. RFC 2177 §3:
    /// servers may drop a client idle for 30 minutes, so the default is 28 minutes.
    public var reissueInterval: Duration

    public static let defaultReissueInterval: Duration = .seconds(28 * 60)

    public init(reissueInterval: Duration = IdleOptions.defaultReissueInterval) {
        self.reissueInterval = reissueInterval
    }
}

/// A change in the selected mailbox reported during IDLE (RFC 9051 §7.4, §7.5, RFC 7162 §3.2.10).
public enum MailboxEvent: Sendable, Hashable {
    /// The mailbox now holds this many messages (new mail arrived).
    case exists(UInt32)
    /// The message with this sequence number was removed.
    case expunged(sequenceNumber: UInt32)
    case recent(UInt32)
    /// These UIDs were removed (QRESYNC).
    case vanished(SequenceSet)
    /// A message's flags (or other items) changed.
    case messageChanged(FetchedMessage)
    /// An `[ALERT]` the user must see.
    case alert(String)
}
