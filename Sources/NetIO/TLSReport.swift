#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif
import Glibc

/// What a TLS handshake established: version, cipher, SNI, the chain, and the trust and host-name
/// verdicts reported separately (RFC 6125 §6 for the name check).
public struct TLSReport: Sendable, Hashable, Codable {
    /// `TLS 1.3`, `TLS 1.2`.
    public var version: String
    /// OpenSSL's cipher-suite name, e.g. `TLS_AES_256_GCM_SHA384`.
    public var cipher: String
    /// The server name sent with SNI (none for IP literals, RFC 6066 §3).
    public var serverNameSent: String?
    /// The name the certificate was checked against.
    public var hostname: String
    /// The server's chain as sent, leaf first.
    public var chain: [CertificateInfo]
    /// Where trust came from: `system store`, `CA file /path`, `pinned SHA-256`.
    public var trustSource: String
    /// Whether the chain leads to a trusted CA and every certificate is in its validity period.
    public var chainTrusted: Bool
    /// Why not, in words ("certificate has expired (not after 2026-01-03)").
    public var chainError: String?
    /// Whether the leaf certificate names `hostname`.
    public var hostnameMatches: Bool
    /// When pins were given: whether the leaf matched one.
    public var pinMatches: Bool?
    /// Whether the connection was allowed to go on under the options given.
    public var accepted: Bool

    /// The leaf certificate.
    public var leaf: CertificateInfo? { chain.first }

    /// Both checks passed (or the pin matched).
    public var trusted: Bool { pinMatches ?? (chainTrusted && hostnameMatches) }

    /// The verdict in words: why the connection is or is not trusted.
    public var verdict: String {
        if let pinMatches {
            return pinMatches ? "certificate matches the pinned SHA-256"
                : "certificate does not match the pinned SHA-256 (it is \(leaf?.sha256 ?? "?"))"
        }
        var problems: [String] = []
        if !chainTrusted { problems.append(chainError ?? "certificate chain not trusted") }
        if !hostnameMatches { problems.append(hostnameMismatchText) }
        return problems.isEmpty ? "trusted" : problems.joined(separator: "; ")
    }

    /// "host name mismatch: certificate is for mail.example.net, not mx.example.com".
    public var hostnameMismatchText: String {
        let names = leaf.map { $0.subjectAltNames.isEmpty ? [$0.commonName ?? "?"] : $0.subjectAltNames } ?? []
        return "host name mismatch: certificate is for \(names.joined(separator: ", ")), not \(hostname)"
    }

    /// The `===` lines of the transcript (docs/TRANSCRIPT.md).
    public func transcriptFacts(now: Date = Date()) -> [String] {
        var lines = ["\(version) \(cipher)" + (serverNameSent.map { ", SNI \($0)" } ?? ", no SNI")]
        for (i, cert) in chain.enumerated() {
            let days = Int((cert.notAfter.timeIntervalSince(now) / 86_400).rounded(.down))
            let label = i == 0 ? "certificate" : "chain[\(i)]"
            var line = "\(label) \(cert.subject)"
            if i == 0, !cert.subjectAltNames.isEmpty { line += ", SAN \(cert.subjectAltNames.joined(separator: " "))" }
            line += ", issuer \(cert.issuerName), expires \(Self.day(cert.notAfter)) (\(days) days)"
            if i == 0 { line += ", SHA-256 \(cert.sha256)" }
            lines.append(line)
        }
        var verdictLine = "chain trusted (\(trustSource)): \(chainTrusted ? "yes" : "no")"
        if !chainTrusted, let chainError { verdictLine += " (\(chainError))" }
        verdictLine += "; host name matches: \(hostnameMatches ? "yes" : "no")"
        if let pinMatches { verdictLine += "; pin matches: \(pinMatches ? "yes" : "no")" }
        lines.append(verdictLine)
        return lines
    }

    /// `2026-01-03` (UTC).
    public static func day(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970)
        var tm = tm()
        gmtime_r(&t, &tm)
        return "\(tm.tm_year + 1900)-" + String(tm.tm_mon + 1).leftPadded(2) + "-" + String(tm.tm_mday).leftPadded(2)
    }
}
