#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import NetIO

extension IMAPClient {
    /// UID SEARCH (RFC 9051 §6.4.4, §6.4.9) with a typed query; returns UIDs in ascending order.
    /// Non-ASCII text goes with `CHARSET UTF-8` (none after UTF8=ACCEPT, RFC 6855 §3); if the
    /// server answers `[BADCHARSET (…)]` the search is retried in a listed charset that can hold
    /// the text (ISO-8859-1), else the error says which charsets the server takes.
    public func uidSearch(_ query: SearchKey) async throws -> [UInt32] {
        guard query.needsCharset, !enabled.contains("UTF8=ACCEPT") else {
            return try await searchOnce(query, charset: nil) { Array($0.utf8) }
        }
        do {
            return try await searchOnce(query, charset: "UTF-8") { Array($0.utf8) }
        } catch let error as IMAPError {
            guard case .badCharset(let offered)? = error.code else { throw error }
            if offered.contains(where: { $0.uppercased() == "ISO-8859-1" }) {
                transcript.fact("the server refused CHARSET UTF-8; retrying the search in ISO-8859-1")
                return try await searchOnce(query, charset: "ISO-8859-1") { s in
                    s.unicodeScalars.allSatisfy({ $0.value <= 0xFF }) ? s.unicodeScalars.map { UInt8($0.value) } : nil
                }
            }
            var e = error
            e.evidence = "the server does not search in UTF-8; it offers: \(offered.isEmpty ? "nothing named" : offered.joined(separator: ", "))"
            throw e
        }
    }

    private func searchOnce(_ query: SearchKey, charset: String?, encode: (String) -> [UInt8]?) async throws -> [UInt32] {
        var args: [CommandArgument] = [.atom("UID"), .atom("SEARCH")]
        if let charset { args += [.atom("CHARSET"), .atom(charset)] }
        var keys = try query.arguments(encodeString: encode)
        if keys.isEmpty { keys = [.atom("ALL")] }
        let (_, collected) = try await run(args + keys, stage: IMAPStage.search)
        var uids: [UInt32] = []
        for u in collected.untagged {
            switch u {
            case .search(let n): uids += n
            case .esearch(let e): uids += e.all?.values ?? []
            default: break
            }
        }
        return uids.sorted()
    }

    /// UID STORE (RFC 9051 §6.4.6): adds, removes or replaces flags; returns the new flags the
    /// server reported (none with `silent`).
    @discardableResult
    public func uidStore(_ uids: SequenceSet, _ mode: StoreMode, _ flags: [Flag], silent: Bool = false) async throws -> [FetchedMessage] {
        let (_, collected) = try await run([.atom("UID"), .atom("STORE"), .raw(uids.description),
                                            .atom(mode.rawValue + (silent ? ".SILENT" : "")),
                                            .raw("(" + (try flagList(flags)) + ")")], stage: IMAPStage.store)
        return collected.fetches
    }

    func flagList(_ flags: [Flag]) throws -> String {
        for f in flags {
            let body = f.rawValue.hasPrefix("\\") ? f.rawValue.dropFirst() : Substring(f.rawValue)
            guard !body.isEmpty, body.utf8.allSatisfy({ ParseCursor.isAtomChar($0) }) else {
                throw fail(.invalidArgument, evidence: "\"\(printablePreview(Array(f.rawValue.utf8), limit: 60))\" is not a flag")
            }
        }
        return flags.map(\.rawValue).joined(separator: " ")
    }

    /// UID COPY (RFC 9051 §6.4.7); with UIDPLUS the new UIDs (RFC 4315 COPYUID).
    @discardableResult
    public func uidCopy(_ uids: SequenceSet, to mailbox: MailboxName) async throws -> CopyResult {
        let (ok, collected) = try await run([.atom("UID"), .atom("COPY"), .raw(uids.description), .mailbox(mailbox)],
                                            stage: IMAPStage.copy)
        return copyResult(ok, collected, move: false)
    }

    /// UID MOVE (RFC 6851 §3.2) when the server has MOVE (and `useMoveCommand`), else the
    /// fallback of RFC 6851 §3.3: UID COPY, UID STORE +FLAGS.SILENT (\Deleted), UID EXPUNGE of
    /// just those UIDs (UIDPLUS, RFC 4315 §2.1). Without MOVE and UIDPLUS it refuses, since a
    /// plain EXPUNGE would also remove other messages marked \Deleted.
    @discardableResult
    public func uidMove(_ uids: SequenceSet, to mailbox: MailboxName, useMoveCommand: Bool = true) async throws -> CopyResult {
        if useMoveCommand && has(.move) {
            let (ok, collected) = try await run([.atom("UID"), .atom("MOVE"), .raw(uids.description), .mailbox(mailbox)],
                                                stage: IMAPStage.move)
            return copyResult(ok, collected, move: true)
        }
        guard has(.uidPlus) else {
            throw fail(.unsupported, stage: IMAPStage.move,
                       evidence: "the server has neither MOVE nor UIDPLUS; moving would expunge other deleted messages")
        }
        let copied = try await uidCopy(uids, to: mailbox)
        try await uidStore(uids, .add, [.deleted], silent: true)
        try await uidExpunge(uids)
        return copied
    }

    private func copyResult(_ ok: TaggedResponse, _ collected: Collected, move: Bool) -> CopyResult {
        var result = CopyResult(usedMoveCommand: move)
        var codes = [ok.status.code]
        for case .status(let s) in collected.untagged { codes.append(s.code) }  // MOVE sends COPYUID untagged
        for code in codes {
            if case .copyUID(let v, let source, let destination)? = code {
                result.uidValidity = v
                result.sourceUIDs = source
                result.destinationUIDs = destination
            }
        }
        return result
    }

    /// EXPUNGE (RFC 9051 §6.4.3): removes every message marked \Deleted; returns the sequence
    /// numbers the server reported.
    @discardableResult
    public func expunge() async throws -> [UInt32] {
        let (_, collected) = try await run([.atom("EXPUNGE")], stage: IMAPStage.expunge)
        return collected.untagged.compactMap { if case .expunge(let n) = $0 { n } else { nil } }
    }

    /// UID EXPUNGE (RFC 4315 §2.1): removes only these UIDs (if marked \Deleted).
    @discardableResult
    public func uidExpunge(_ uids: SequenceSet) async throws -> [UInt32] {
        guard has(.uidPlus) else { throw fail(.unsupported, stage: IMAPStage.expunge, evidence: "UID EXPUNGE needs UIDPLUS") }
        let (_, collected) = try await run([.atom("UID"), .atom("EXPUNGE"), .raw(uids.description)], stage: IMAPStage.expunge)
        return collected.untagged.compactMap { if case .expunge(let n) = $0 { n } else { nil } }
    }

    /// APPEND (RFC 9051 §6.3.12): adds a message (e.g. the sent copy to the \Sent mailbox); with
    /// UIDPLUS returns its UID (RFC 4315 APPENDUID). The message is sent as a literal, non-
    /// synchronizing under LITERAL+ (and LITERAL- up to 4 KiB, RFC 7888).
    @discardableResult
    public func append(_ message: [UInt8], to mailbox: MailboxName, flags: [Flag] = [], internalDate: Date? = nil) async throws -> AppendResult {
        var args: [CommandArgument] = [.atom("APPEND"), .mailbox(mailbox)]
        if !flags.isEmpty { args.append(.raw("(" + (try flagList(flags)) + ")")) }
        if let internalDate { args.append(.raw("\"" + Self.appendDate(internalDate) + "\"")) }
        args.append(.literal(message))
        let (ok, _) = try await run(args, stage: IMAPStage.append)
        if case .appendUID(let v, let uids)? = ok.status.code {
            return AppendResult(uidValidity: v, uid: uids.ranges.first?.lowerBound)
        }
        return AppendResult()
    }

    /// APPEND of a message handed over in chunks (a big sent copy written by a streaming MIME
    /// writer): `size` must be the exact byte count (RFC 9051 §4.3 literals are counted). Only one
    /// chunk is in memory at a time. A size mismatch closes the connection (the literal cannot be
    /// completed) and throws.
    @discardableResult
    public func append<Chunks: AsyncSequence & Sendable>(contentsOf chunks: Chunks, size: Int, to mailbox: MailboxName,
                                                        flags: [Flag] = [], internalDate: Date? = nil) async throws -> AppendResult
        where Chunks.Element == [UInt8] {
        try await settleStream()
        var args: [CommandArgument] = [.atom("APPEND"), .mailbox(mailbox)]
        if !flags.isEmpty { args.append(.raw("(" + (try flagList(flags)) + ")")) }
        if let internalDate { args.append(.raw("\"" + Self.appendDate(internalDate) + "\"")) }
        args.append(.literalHeader(size: size))
        await setStage(IMAPStage.append)
        let tag = encoder.nextTag()
        let command: EncodedCommand
        do {
            command = try encoder.encode(tag: tag, args)
        } catch {
            var e = error
            e.stage = IMAPStage.append
            throw e
        }
        var collected = Collected()
        let header = command.parts[0]
        try await write(header.bytes, log: .line(command.transcript))
        if header.waitsForContinuation {
            while true {
                let event = try await nextEvent()
                if case .continuation = event { break }
                if case .tagged(let t) = event, t.tag == tag {
                    try check(t, command: command.transcript)
                    throw fail(.protocolViolation, stage: IMAPStage.append, evidence: "APPEND completed before its literal was sent")
                }
                collected.take(event)
            }
        }
        var sent = 0
        do {
            for try await chunk in chunks {
                guard sent + chunk.count <= size else {
                    throw fail(.invalidArgument, stage: IMAPStage.append, evidence: "the message is longer than the announced \(size) bytes")
                }
                if chunk.contains(0) {
                    throw fail(.invalidArgument, stage: IMAPStage.append, evidence: "NUL in message data (needs BINARY, RFC 3516)")
                }
                try await write(chunk, log: nil)
                sent += chunk.count
            }
            guard sent == size else {
                throw fail(.invalidArgument, stage: IMAPStage.append, evidence: "the message has \(sent) bytes, \(size) were announced")
            }
        } catch {
            transcript.fact("APPEND abandoned after \(sent) of \(size) bytes; closing the connection")
            await close()
            throw error
        }
        try await write(command.parts[command.parts.count - 1].bytes, log: nil)
        let ok = try await finish(tag: tag, firstResponse: nil, into: &collected)
        try check(ok, command: command.transcript)
        if case .appendUID(let v, let uids)? = ok.status.code {
            return AppendResult(uidValidity: v, uid: uids.ranges.first?.lowerBound)
        }
        return AppendResult()
    }

    // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
    static func appendDate(_ d: Date) -> String {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        var cal = Calendar(identifier: .gregorian)
        cal.timeZone = .gmt
        let c = cal.dateComponents([.year, .month, .day, .hour, .minute, .second], from: d)
        func p(_ v: Int?) -> String { Digits.decimal(v ?? 0, width: 2) }
        let day = c.day ?? 1
        return "\(day < 10 ? " " : "")\(day)-\(months[(c.month ?? 1) - 1])-\(c.year ?? 1970) \(p(c.hour)):\(p(c.minute)):\(p(c.second)) +0000"
    }
}
