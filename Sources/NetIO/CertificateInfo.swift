#if canImport(FoundationEssentials)
public import FoundationEssentials
#else
public import Foundation
#endif

/// One certificate of the server's chain, as a TLS report shows it (RFC 5280 §4.1).
public struct CertificateInfo: Sendable, Hashable, Codable {
    /// Subject distinguished name, RFC 2253 form (`CN=mail.example.com,O=Example`).
    public var subject: String
    /// Issuer distinguished name.
    public var issuer: String
    /// DNS names and IP addresses from subjectAltName (RFC 5280 §4.2.1.6).
    public var subjectAltNames: [String]
    public var notBefore: Date
    public var notAfter: Date
    /// SHA-256 of the DER encoding, lower-case hex: the value to pin.
    public var sha256: String

    /// The subject's common name, if any.
    public var commonName: String? { Self.attribute("CN", in: subject) }
    /// The issuer's common name (or the whole issuer).
    public var issuerName: String { Self.attribute("CN", in: issuer) ?? issuer }
    public var isSelfIssued: Bool { subject == issuer }

    /// `AB:CD:…` as `openssl x509 -fingerprint -sha256` prints it.
    public var sha256Colons: String {
        var out = ""
        for (i, c) in sha256.uppercased().enumerated() {
            if i > 0 && i % 2 == 0 { out.append(":") }
            out.append(c)
        }
        return out
    }

    static func attribute(_ key: String, in dn: String) -> String? {
        for part in dn.split(separator: ",") {
            let kv = part.split(separator: "=", maxSplits: 1)
            if kv.count == 2, kv[0].trimmingSpacesAndTabs == key { return String(kv[1]) }
        }
        return nil
    }
}
