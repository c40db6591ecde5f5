/// One capability the server advertises (RFC 9051 §7.2.2): `IMAP4rev1`, `IDLE`, `AUTH=PLAIN`,
/// `LITERAL+`, … Compared case-insensitively.
public struct Capability: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// For `AUTH=PLAIN`, `PLAIN`; `nil` when this is not an AUTH= capability.
    public var authMechanism: String? {
        rawValue.uppercased().hasPrefix("AUTH=") ? String(rawValue.dropFirst(5)) : nil
    }

    public static let imap4rev1 = Capability("IMAP4rev1")
    public static let imap4rev2 = Capability("IMAP4rev2")
    public static let startTLS = Capability("STARTTLS")
    /// LOGIN must not be used (RFC 9051 §6.2.3).
    public static let loginDisabled = Capability("LOGINDISABLED")
    /// AUTHENTICATE may carry an initial response (RFC 4959).
    public static let saslIR = Capability("SASL-IR")
    public static let idle = Capability("IDLE")
    public static let move = Capability("MOVE")
    public static let uidPlus = Capability("UIDPLUS")
    public static let literalPlus = Capability("LITERAL+")
    public static let literalMinus = Capability("LITERAL-")
    public static let id = Capability("ID")
    public static let enable = Capability("ENABLE")
    public static let namespace = Capability("NAMESPACE")
    public static let specialUse = Capability("SPECIAL-USE")
    public static let esearch = Capability("ESEARCH")
    public static let utf8Accept = Capability("UTF8=ACCEPT")
    public static let binary = Capability("BINARY")
    public static let condstore = Capability("CONDSTORE")
    public static let qresync = Capability("QRESYNC")

    public var description: String { rawValue }

    public static func == (a: Capability, b: Capability) -> Bool { a.rawValue.uppercased() == b.rawValue.uppercased() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue.uppercased()) }
}
