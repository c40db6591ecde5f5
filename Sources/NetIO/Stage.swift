/// The step of a session an event or error belongs to: `connect`, `TLS`, `EHLO`, `RCPT`, …
///
/// NetIO defines the transport stages; the protocol layers add their own (`Stage("EHLO")`).
public struct Stage: RawRepresentable, Sendable, Hashable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ name: String) { self.rawValue = name }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// Looking up the host name (DNS, /etc/hosts).
    public static let resolve: Stage = "DNS"
    /// Opening the TCP connection.
    public static let connect: Stage = "connect"
    /// The TLS handshake and certificate checks.
    public static let tls: Stage = "TLS"
    /// Waiting for the server's first words.
    public static let greeting: Stage = "greeting"
    /// Reading a reply when no protocol stage was named.
    public static let read: Stage = "read"
    /// Writing when no protocol stage was named.
    public static let write: Stage = "write"
}
