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

    public init(connect: Duration = .seconds(30), tlsHandshake: Duration = .seconds(30),
                read: Duration = .seconds(60), write: Duration = .seconds(60)) {
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.read = read
        self.write = write
    }

    /// The same deadline for everything: handy for probes (`--timeout S`).
    public static func uniform(_ d: Duration) -> ConnectionTimeouts {
        ConnectionTimeouts(connect: d, tlsHandshake: d, read: d, write: d)
    }
}
