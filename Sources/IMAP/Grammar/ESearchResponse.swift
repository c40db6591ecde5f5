/// An `ESEARCH` reply (RFC 4731 §3.1, RFC 9051 §7.3.4): the result of a search in compact form.
///
///     S: * ESEARCH (TAG "A5") UID MIN 2 MAX 47 COUNT 12 ALL 2:4,9,40:47
public struct ESearchResponse: Sendable, Hashable {
    /// The tag of the command this answers (`search-correlator`).
    public var tag: String?
    /// Whether the numbers are UIDs.
    public var uid: Bool
    public var min: UInt32?
    public var max: UInt32?
    public var count: UInt32?
    public var all: SequenceSet?

    public init(tag: String? = nil, uid: Bool = false, min: UInt32? = nil, max: UInt32? = nil, count: UInt32? = nil,
                all: SequenceSet? = nil) {
        self.tag = tag
        self.uid = uid
        self.min = min
        self.max = max
        self.count = count
        self.all = all
    }
}
