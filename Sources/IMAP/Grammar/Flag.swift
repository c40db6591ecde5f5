/// A message flag (RFC 9051 §2.3.2): a system flag such as `\Seen`, or a keyword such as `$Forwarded`.
///
/// Compared case-insensitively, as the RFC requires; the spelling the server used is kept.
public struct Flag: Sendable, Hashable, CustomStringConvertible {
    /// The flag as it appears on the wire, backslash included for system flags.
    public let rawValue: String

    public init(_ rawValue: String) { self.rawValue = rawValue }

    /// Message has been read.
    public static let seen = Flag("\\Seen")
    /// Message has been answered.
    public static let answered = Flag("\\Answered")
    /// Message is "flagged" for urgent or special attention.
    public static let flagged = Flag("\\Flagged")
    /// Message is marked for removal by a later EXPUNGE.
    public static let deleted = Flag("\\Deleted")
    /// Message has not completed composition.
    public static let draft = Flag("\\Draft")
    /// Message arrived since the previous session (RFC 3501 only; obsolete in RFC 9051).
    public static let recent = Flag("\\Recent")
    /// PERMANENTFLAGS `\*`: the client may create new keywords.
    public static let wildcard = Flag("\\*")

    public var description: String { rawValue }

    public static func == (a: Flag, b: Flag) -> Bool { a.rawValue.lowercased() == b.rawValue.lowercased() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue.lowercased()) }
}
