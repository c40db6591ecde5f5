internal import Foundation
public import NetIO

/// The table that turns a failure into a cause and a fix (diagnostics.md §3). Entries are data;
/// matching picks the entry whose conditions all hold and whose specificity is highest (the
/// earlier entry on a tie). A failure no entry explains gets an honest explanation from its stage
/// and reply class, quoting the server.
public struct DiagnosisCatalogue: Sendable {
    public var entries: [CatalogueEntry]

    public init(entries: [CatalogueEntry]) { self.entries = entries }

    /// The built-in catalogue.
    public static let standard = DiagnosisCatalogue(entries:
        CatalogueEntries.transport + CatalogueEntries.tls + CatalogueEntries.smtpAuth
        + CatalogueEntries.smtpSending + CatalogueEntries.imap)

    /// Every entry that matches, most specific first.
    public func matches(_ evidence: FailureEvidence) -> [CatalogueEntry] {
        let provider = evidence.effectiveProvider
        let text = evidence.matchText
        let hits = entries.enumerated().filter { _, entry in
            entry.conditions.allSatisfy { $0.holds(for: evidence, provider: provider, matchText: text) }
        }
        return hits.sorted { a, b in
            a.element.specificity != b.element.specificity ? a.element.specificity > b.element.specificity
                : a.offset < b.offset
        }.map(\.element)
    }

    /// The diagnosis of a failure: the most specific entry, or the fallback.
    public func diagnose(_ evidence: FailureEvidence) -> FailureDiagnosis {
        let facts = Self.facts(evidence)
        if let entry = matches(evidence).first {
            return FailureDiagnosis(id: entry.id, reference: entry.reference, title: Self.fill(entry.title, facts),
                                    cause: Self.fill(entry.cause, facts), fix: Self.fill(entry.fix, facts),
                                    evidence: evidence.quotedEvidence, stage: evidence.stage,
                                    isTransient: entry.transient, fromCatalogue: true)
        }
        return Fallback.diagnose(evidence, facts: facts)
    }

    /// A transport failure explained.
    public func diagnose(_ error: NetIOError, protocol: MailProtocol? = nil, server: ServerSettings? = nil)
        -> FailureDiagnosis
    {
        diagnose(FailureEvidence(error, protocol: `protocol`, server: server))
    }

    static func fill(_ template: String, _ facts: [String: String]) -> String {
        guard template.contains("{") else { return template }
        var out = template
        for (key, value) in facts { out = out.replacingOccurrences(of: "{\(key)}", with: value) }
        return out
    }

    /// The values the templates may name.
    static func facts(_ e: FailureEvidence) -> [String: String] {
        var f: [String: String] = ["stage": e.stage, "today": TLSReport.day(e.now)]
        f["host"] = e.host ?? "the server"
        f["port"] = e.port.map(String.init) ?? "the port"
        f["user"] = e.user ?? "the user name"
        f["provider"] = e.effectiveProvider?.displayName ?? "your e-mail provider"
        let proto = e.protocol ?? .smtp
        f["implicitPort"] = String(proto.defaultPort(for: .implicitTLS))
        f["startTLSPort"] = String(proto.defaultPort(for: .startTLS))
        if let leaf = e.tlsReport?.leaf {
            f["certNames"] = (leaf.subjectAltNames.isEmpty ? [leaf.commonName ?? "?"] : leaf.subjectAltNames)
                .joined(separator: ", ")
            f["sha256"] = leaf.sha256Colons
            f["notBefore"] = TLSReport.day(leaf.notBefore)
            f["notAfter"] = TLSReport.day(leaf.notAfter)
        } else {
            f["certNames"] = "another name"
            f["sha256"] = "(not known)"
            f["notBefore"] = "(unknown)"
            f["notAfter"] = "(unknown)"
        }
        return f
    }
}
