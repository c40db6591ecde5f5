import MIME

/// One message of a FETCH reply (RFC 9051 §7.5.2) with its events collected: the items applied,
/// each body section read to its end, `BODY[]` parsed when that was asked for. What `uidFetch`
/// (`FetchedMessages`) and `uidFetchParsed` (`ParsedMessages`) both build their elements from.
struct CollectedMessage: Sendable {
    /// The FETCH items; `sections` holds every body section except a parsed `BODY[]`.
    var summary: FetchedMessage
    /// `BODY[]` as the MIME parser read it (`BodyCollection.parsedWholeBody` only).
    var parsed: ParsedMessage?
}

/// What `IMAPClient.nextCollectedMessage` does with body sections, and how an error names the
/// size limit.
enum BodyCollection {
    /// Every section held as bytes in `summary.sections` (`uidFetch`, `maxSectionSize`).
    case bytes
    /// `BODY[]` fed to the MIME parser as it arrives, never held raw beside the parsed tree;
    /// other sections held as bytes (`uidFetchParsed`, `maxMessageSize`).
    case parsedWholeBody

    func tooBig(_ size: Int, limit: Int) -> String {
        switch self {
        case .bytes: "a \(size)-byte section exceeds maxSectionSize \(limit); use uidFetchEvents to stream it"
        case .parsedWholeBody: "a \(size)-byte message exceeds maxMessageSize \(limit); use uidFetchMIME to stream it"
        }
    }
}

extension IMAPClient {
    /// The next message of fetch `id`, collected; `nil` after the tagged OK. A streamed section
    /// over `limit` octets (its announced literal size) reads the rest of the FETCH and ends the
    /// sequence with `.invalidArgument`.
    func nextCollectedMessage(_ id: Int, limit: Int, body: BodyCollection) async throws -> CollectedMessage? {
        let parseWholeBody = body == .parsedWholeBody
        var message: CollectedMessage?
        while let event = try await nextFetchEvent(id) {
            switch event {
            case .messageStart(let n):
                message = CollectedMessage(summary: FetchedMessage(sequenceNumber: n))
            case .attribute(.bodySection(let kind, let bytes)) where parseWholeBody && Self.isWholeBody(kind):
                // Small enough to have been buffered by the IMAP parser: parsed at once.
                message?.parsed = MIMEParser.parse(bytes ?? [])
            case .attribute(let a):
                message?.summary.apply(a)
            case .bodyBegin(let kind, let size):
                guard size <= limit else {
                    try await settleStream()
                    forgetInterruption(id)
                    throw fail(.invalidArgument, stage: IMAPStage.fetch, evidence: body.tooBig(size, limit: limit))
                }
                if parseWholeBody && Self.isWholeBody(kind) {
                    message?.parsed = try await MIMEParser.parse(BodySectionChunks(client: self, id: id))
                } else {
                    var bytes: [UInt8] = []
                    bytes.reserveCapacity(size)
                    while let chunk = try await nextBodyChunk(id) { bytes += chunk }
                    message?.summary.sections[kind] = bytes
                }
            case .bodyChunk, .bodyEnd:
                break  // only inside a section, read above
            case .messageEnd:
                if let m = message { return m }
            }
        }
        return nil
    }
}
