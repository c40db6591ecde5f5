/// Default deadlines of a connection; each read or write may also pass its own.
public struct ConnectionTimeouts: Sendable, Hashable {
    /// Name resolution plus every connect attempt.
    public var connect: Duration
    /// The TLS handshake, implicit or after STARTTLS.
    public var tlsHandshake: Duration
    /// One read, when the caller names none.
    public var read: Duration
    /// One write, when the caller names none.
    public var write: Duration
    /// After a greeting that never came on a plain-text connection, how long to wait for an answer
    /// to the TLS ClientHello sent to tell an implicit-TLS port (465, 993, RFC 8314 §3) from a
    /// slow server (`Connection.readGreetingLine`). Short: it is added to the greeting wait.
    public var tlsProbe: Duration

    /// The default `tlsProbe` wait: a TLS server answers a ClientHello within a round trip.
    public static let defaultTLSProbe: Duration = .seconds(2)

    public init(connect: Duration = .seconds(30), tlsHandshake: Duration = .seconds(30),
                read: Duration = .seconds(60), write: Duration = .seconds(60),
                tlsProbe: Duration = ConnectionTimeouts.defaultTLSProbe) {
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.read = read
        self.write = write
        self.tlsProbe = tlsProbe
    }

    /// The same deadline for everything: handy for probes (`--timeout S`). The `tlsProbe` wait
    /// stays `defaultTLSProbe` (or `d`, when that is shorter).
    public static func uniform(_ d: Duration) -> ConnectionTimeouts {
        ConnectionTimeouts(connect: d, tlsHandshake: d, read: d, write: d, tlsProbe: min(d, defaultTLSProbe))
    }
}
