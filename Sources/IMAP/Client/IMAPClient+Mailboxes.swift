#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

extension IMAPClient {
    /// ID (RFC 2971 §3.1): tells the server who this client is; returns what the server says.
    @discardableResult
    public func id(_ parameters: [String: String] = ["name": "MailEngine"]) async throws -> [String: String?] {
        var args: [CommandArgument] = [.atom("ID")]
        if parameters.isEmpty {
            args.append(.atom("NIL"))
        } else {
            args.append(.raw("("))
            for (k, v) in parameters.sorted(by: { $0.key < $1.key }) { args += [.string(k), .string(v)] }
            args.append(.raw(")"))
        }
        let (_, collected) = try await run(args, stage: IMAPStage.id)
        for case .id(let fields) in collected.untagged { return fields }
        return [:]
    }

    /// ENABLE (RFC 5161 §3.1), e.g. `UTF8=ACCEPT` (RFC 6855 §3): returns what was enabled.
    /// With UTF8=ACCEPT on, mailbox names and strings are sent as UTF-8.
    @discardableResult
    public func enable(_ extensions: [String]) async throws -> [String] {
        let (_, collected) = try await run([.atom("ENABLE")] + extensions.map { .atom($0) }, stage: IMAPStage.enable)
        var on: [String] = []
        for case .enabled(let e) in collected.untagged { on += e }
        for e in on { enabled.insert(e.uppercased()) }
        if enabled.contains("UTF8=ACCEPT") { encoder.utf8Accepted = true }
        return on
    }

    func insertEnabled(_ e: String) { enabled.insert(e) }

    /// NAMESPACE (RFC 2342 §5).
    public func namespace() async throws -> NamespaceResponse {
        let (_, collected) = try await run([.atom("NAMESPACE")], stage: IMAPStage.namespace)
        for case .namespace(let n) in collected.untagged { return n }
        throw fail(.protocolViolation, stage: IMAPStage.namespace, evidence: "no NAMESPACE response")
    }

    /// LIST (RFC 9051 §6.3.9) of the mailboxes matching `pattern`; with SPECIAL-USE and
    /// LIST-EXTENDED the special-use attributes are asked for explicitly (RFC 6154 §5.1).
    public func list(reference: String = "", pattern: String = "*") async throws -> [MailboxInfo] {
        var args: [CommandArgument] = [.atom("LIST"), .string(reference), .string(pattern)]
        if has(.specialUse) && has(Capability("LIST-EXTENDED")) { args += [.atom("RETURN"), .raw("(SPECIAL-USE)")] }
        let (_, collected) = try await run(args, stage: IMAPStage.list)
        return collected.untagged.compactMap { if case .list(let m) = $0 { m } else { nil } }
    }

    /// The mailbox with a special use (RFC 6154 §2), e.g. `.sent` to file a sent copy.
    public func mailbox(withSpecialUse use: MailboxAttribute) async throws -> MailboxInfo? {
        try await list().first { $0.attributes.contains(use) }
    }

    /// STATUS (RFC 9051 §6.3.11) of a mailbox that need not be selected.
    public func status(_ mailbox: MailboxName, _ items: [StatusAttribute] = [.messages, .uidNext, .uidValidity, .unseen]) async throws -> MailboxStatus {
        let (_, collected) = try await run([.atom("STATUS"), .mailbox(mailbox), .raw("(" + items.map(\.rawValue).joined(separator: " ") + ")")],
                                           stage: IMAPStage.status)
        for case .mailboxStatus(_, let s) in collected.untagged { return s }
        throw fail(.protocolViolation, stage: IMAPStage.status, evidence: "no STATUS response")
    }

    /// SELECT (RFC 9051 §6.3.2): opens a mailbox read-write; returns UIDVALIDITY, UIDNEXT,
    /// EXISTS and the flags.
    @discardableResult
    public func select(_ mailbox: MailboxName) async throws -> SelectedMailbox {
        try await open(mailbox, command: "SELECT")
    }

    /// EXAMINE (RFC 9051 §6.3.3): like SELECT, read-only.
    @discardableResult
    public func examine(_ mailbox: MailboxName) async throws -> SelectedMailbox {
        try await open(mailbox, command: "EXAMINE")
    }

    private func open(_ mailbox: MailboxName, command: String) async throws -> SelectedMailbox {
        clearSelection()
        let (ok, collected) = try await run([.atom(command), .mailbox(mailbox)], stage: IMAPStage.select)
        var box = SelectedMailbox(name: mailbox)
        box.readOnly = command == "EXAMINE"
        func apply(_ code: ResponseCode?) {
            switch code {
            case .uidValidity(let v): box.uidValidity = v
            case .uidNext(let n): box.uidNext = n
            case .unseen(let n): box.unseen = n
            case .permanentFlags(let f): box.permanentFlags = f
            case .highestModSeq(let m): box.highestModSeq = m
            case .readOnly: box.readOnly = true
            case .readWrite: box.readOnly = false
            default: break
            }
        }
        for u in collected.untagged {
            switch u {
            case .exists(let n): box.exists = n
            case .recent(let n): box.recent = n
            case .flags(let f): box.flags = f
            case .status(let s): apply(s.code)
            default: break
            }
        }
        apply(ok.status.code)
        setSelected(box)
        return box
    }

    func clearSelection() {
        setSelected(nil)
    }

    /// CREATE (RFC 9051 §6.3.4).
    public func create(_ mailbox: MailboxName) async throws {
        _ = try await run([.atom("CREATE"), .mailbox(mailbox)], stage: IMAPStage.create)
    }

    /// DELETE (RFC 9051 §6.3.5).
    public func delete(_ mailbox: MailboxName) async throws {
        _ = try await run([.atom("DELETE"), .mailbox(mailbox)], stage: IMAPStage.delete)
    }
}
