/// A server address as the user typed it: host name or IP literal, and TCP port (RFC 3986 §3.2).
public struct Endpoint: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: UInt16

    public init(host: String, port: UInt16) {
        self.host = host
        self.port = port
    }

    /// `host:port`, with IPv6 literals in brackets.
    public var description: String {
        host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
    }
}

/// How a connection is protected, named by its exposure (RFC 8314 §3 recommends implicit TLS).
public enum Security: String, Sendable, Hashable, CaseIterable {
    /// TLS from the first byte (SMTP submissions on 465, IMAP on 993). RFC 8314 §3.3.
    case implicitTLS
    /// Plain text until the protocol's STARTTLS command, then TLS; the upgrade is required, never skipped
    /// (RFC 3207, RFC 9051 §6.2.1).
    case startTLS
    /// No TLS at all: anyone on the path can read and change the session, passwords included.
    case plaintextUnsafe
}

extension String {
    /// A NUL-terminated C buffer as a String (stops at the first NUL).
    init(cBuffer buffer: [CChar]) {
        let bytes = buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        self = String(decoding: bytes, as: UTF8.self)
    }
}
