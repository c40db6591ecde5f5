/// One `LIST` reply (RFC 9051 §7.3.1): the mailbox's attributes, hierarchy delimiter and name.
///
///     S: * LIST (\HasNoChildren \Sent) "/" Sent
public struct MailboxInfo: Sendable, Hashable {
    public var attributes: [MailboxAttribute]
    /// The hierarchy delimiter, `nil` when the server has none (a flat namespace).
    public var delimiter: Character?
    public var name: MailboxName

    public init(attributes: [MailboxAttribute], delimiter: Character?, name: MailboxName) {
        self.attributes = attributes
        self.delimiter = delimiter
        self.name = name
    }

    /// The special use (RFC 6154 §2) of this mailbox, if it has one.
    public var specialUse: MailboxAttribute? { attributes.first { $0.isSpecialUse } }
}

/// A mailbox name attribute (RFC 9051 §7.3.1) or special-use attribute (RFC 6154 §2), e.g.
/// `\Noselect`, `\HasChildren`, `\Sent`, `\Trash`. Compared case-insensitively.
public struct MailboxAttribute: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init(_ rawValue: String) { self.rawValue = rawValue }

    public static let noSelect = MailboxAttribute("\\Noselect")
    public static let noInferiors = MailboxAttribute("\\NoInferiors")
    public static let nonExistent = MailboxAttribute("\\NonExistent")
    public static let hasChildren = MailboxAttribute("\\HasChildren")
    public static let hasNoChildren = MailboxAttribute("\\HasNoChildren")
    public static let all = MailboxAttribute("\\All")
    public static let archive = MailboxAttribute("\\Archive")
    public static let drafts = MailboxAttribute("\\Drafts")
    public static let flagged = MailboxAttribute("\\Flagged")
    public static let junk = MailboxAttribute("\\Junk")
    public static let sent = MailboxAttribute("\\Sent")
    public static let trash = MailboxAttribute("\\Trash")

    /// RFC 6154 §2 special uses.
    public static let specialUses: [MailboxAttribute] = [.all, .archive, .drafts, .flagged, .junk, .sent, .trash]
    public var isSpecialUse: Bool { Self.specialUses.contains(self) }

    public var description: String { rawValue }
    public static func == (a: Self, b: Self) -> Bool { a.rawValue.lowercased() == b.rawValue.lowercased() }
    public func hash(into hasher: inout Hasher) { hasher.combine(rawValue.lowercased()) }
}
