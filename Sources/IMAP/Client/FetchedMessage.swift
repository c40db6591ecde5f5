#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One message of a FETCH reply (RFC 9051 §7.5.2), its items gathered; body sections held in
/// memory (use `IMAPClient.uidFetchEvents` to stream big ones instead).
public struct FetchedMessage: Sendable, Hashable {
    public var sequenceNumber: UInt32
    public var uid: UInt32?
    public var flags: [Flag]?
    public var internalDate: Date?
    public var size: UInt64?
    public var envelope: Envelope?
    /// Possibly `.invalid` (a server's broken BODYSTRUCTURE), never a dropped session.
    public var bodyStructure: BodyStructure?
    public var modSeq: UInt64?
    /// Body sections by item: `BODY[]`, `BODY[HEADER]`, `BINARY[1]`, …
    public var sections: [BodySectionKind: [UInt8]]
    /// Items that did not follow the grammar or that this client does not know.
    public var invalidItems: [MessageAttribute]

    public init(sequenceNumber: UInt32) {
        self.sequenceNumber = sequenceNumber
        self.sections = [:]
        self.invalidItems = []
    }

    /// The bytes of `BODY[section]` (or `BINARY[section]`), ignoring any partial origin.
    public func body(_ section: SectionSpecifier = .complete) -> [UInt8]? {
        sections.first { $0.key.section == section }?.value
    }

    mutating func apply(_ attribute: MessageAttribute) {
        switch attribute {
        case .uid(let u): uid = u
        case .flags(let f): flags = f
        case .internalDate(_, let d): internalDate = d
        case .rfc822Size(let s): size = s
        case .envelope(let e): envelope = e
        case .bodyStructure(let b): bodyStructure = b
        case .bodySection(let kind, let bytes): sections[kind] = bytes ?? []
        case .modSeq(let m): modSeq = m
        case .binarySize: break
        case .invalid: invalidItems.append(attribute)
        }
    }
}

/// One step of a streamed FETCH: a message's items as they are parsed, and the bytes of big
/// body sections in chunks as they arrive (RFC 9051 §7.5.2).
public enum FetchEvent: Sendable, Hashable {
    case messageStart(sequenceNumber: UInt32)
    case attribute(MessageAttribute)
    /// A body section starts; `size` is the announced length.
    case bodyBegin(BodySectionKind, size: Int)
    case bodyChunk([UInt8])
    case bodyEnd
    case messageEnd
}
