/// The `NAMESPACE` reply (RFC 2342 §5): personal, other users' and shared namespaces, each a
/// list of (prefix, delimiter).
///
///     S: * NAMESPACE (("" "/")) NIL NIL
public struct NamespaceResponse: Sendable, Hashable {
    /// One namespace: its prefix and hierarchy delimiter.
    public struct Entry: Sendable, Hashable {
        public var prefix: String
        public var delimiter: Character?
        public init(prefix: String, delimiter: Character?) {
            self.prefix = prefix
            self.delimiter = delimiter
        }
    }

    public var personal: [Entry]
    public var otherUsers: [Entry]
    public var shared: [Entry]

    public init(personal: [Entry], otherUsers: [Entry], shared: [Entry]) {
        self.personal = personal
        self.otherUsers = otherUsers
        self.shared = shared
    }
}
