/// A mailbox name (RFC 9051 §5.1): the name people see, and how it goes on the wire. `INBOX` is
/// case-insensitive (§5.1); other names are compared exactly.
///
/// Names arrive in modified UTF-7 (RFC 3501 §5.1.3) or, after `ENABLE UTF8=ACCEPT`, in UTF-8
/// (RFC 6855 §3); `init(wire:)` accepts both.
public struct MailboxName: Sendable, Hashable, CustomStringConvertible {
    /// The decoded name, e.g. `Entwürfe`, `Sent`, `INBOX`.
    public let name: String

    public init(_ name: String) {
        self.name = name.uppercased() == "INBOX" ? "INBOX" : name
    }

    /// The name a server sent: modified UTF-7 decoded; a name that is not valid modified UTF-7
    /// but is valid UTF-8 is taken as UTF-8 (RFC 6855).
    public init(wire bytes: [UInt8]) {
        if let decoded = ModifiedUTF7.decode(bytes) {
            self.init(decoded)
        } else {
            self.init(String(decoding: bytes, as: UTF8.self))
        }
    }

    public static let inbox = MailboxName("INBOX")

    /// The modified UTF-7 form sent to a server without UTF8=ACCEPT.
    public var modifiedUTF7: String { ModifiedUTF7.encode(name) }

    public var description: String { name }
}
