/// What the response parser produces, one at a time (RFC 9051 §7).
///
/// A FETCH reply is a run of events: `fetchStart`, its items, and for a body section above the
/// streaming threshold `streamingBegin`, `streamingBytes`…, `streamingEnd`; then `fetchEnd`.
/// The bytes of a big section are handed over as they arrive and never held whole.
public enum ResponseEvent: Sendable, Hashable {
    /// `+ …`: the server waits for the rest of a command (RFC 9051 §7.6); the text after `+ `.
    case continuation([UInt8])
    case untagged(UntaggedResponse)
    case tagged(TaggedResponse)
    /// `* n FETCH (` with the message sequence number.
    case fetchStart(sequenceNumber: UInt32)
    case fetchAttribute(MessageAttribute)
    /// A body section too big to buffer starts: which one and its announced size.
    case streamingBegin(BodySectionKind, size: Int)
    /// The next bytes of the streaming section.
    case streamingBytes([UInt8])
    case streamingEnd
    /// `)` CRLF: the FETCH reply is complete.
    case fetchEnd
}
