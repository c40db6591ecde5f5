import Diagnosis
import Foundation
import NetIO

/// Renders a TLS probe for people (text) and programs (JSON).
enum TLSReportPrinter {
    static func text(_ r: TLSProbeResult, host: String, port: UInt16) -> String {
        var out = ""
        if r.ok {
            out += "TLS OK: \(host):\(port) uses \(r.report?.version ?? "?") and its certificate is trusted.\n"
        } else {
            out += "TLS FAILED: \(r.errorText ?? "unknown error")\n"
        }
        guard let t = r.report else { return out }
        out += "\n"
        out += row("protocol", "\(t.version) \(t.cipher)")
        out += row("SNI sent", t.serverNameSent ?? "none (IP address)")
        for (i, cert) in t.chain.enumerated() {
            out += "\n"
            out += row(i == 0 ? "certificate" : "chain [\(i)]", cert.subject)
            if !cert.subjectAltNames.isEmpty { out += row("names", cert.subjectAltNames.joined(separator: ", ")) }
            out += row("issuer", cert.issuer)
            let days = Int(cert.notAfter.timeIntervalSinceNow / 86_400)
            out += row("valid", "\(TLSReport.day(cert.notBefore)) to \(TLSReport.day(cert.notAfter))"
                       + (days >= 0 ? " (\(days) days left)" : " (expired \(-days) days ago)"))
            if i == 0 { out += row("SHA-256", cert.sha256Colons) }
        }
        out += "\n"
        out += row("chain trusted", (t.chainTrusted ? "yes" : "no") + " (\(t.trustSource))"
                   + (t.chainError.map { ": \($0)" } ?? ""))
        out += row("name matches", t.hostnameMatches ? "yes (\(t.hostname))" : "no: \(t.hostnameMismatchText)")
        if let pin = t.pinMatches { out += row("pin matches", pin ? "yes" : "no") }
        if !t.trusted, let leaf = t.leaf, t.pinMatches == nil {
            out += "\nIf you know this server and trust this certificate, pass --pin-sha256 \(leaf.sha256)\n"
        }
        return out
    }

    private static func row(_ label: String, _ value: String) -> String {
        "  " + label.padding(toLength: 14, withPad: " ", startingAt: 0) + value + "\n"
    }

    static func json(_ r: TLSProbeResult) -> String {
        var object: [String: Any] = ["ok": r.ok, "stage": r.stage.rawValue, "error": r.errorText ?? NSNull()]
        if let t = r.report {
            let iso = ISO8601DateFormatter()
            object["tls"] = [
                "version": t.version, "cipher": t.cipher, "sni": t.serverNameSent ?? NSNull(),
                "trusted": t.trusted, "chainTrusted": t.chainTrusted, "hostnameMatches": t.hostnameMatches,
                "pinMatches": t.pinMatches ?? NSNull(), "chainError": t.chainError ?? NSNull(),
                "trustSource": t.trustSource, "verdict": t.verdict,
                "notAfter": t.leaf.map { iso.string(from: $0.notAfter) } ?? NSNull(),
                "chain": t.chain.map { c in
                    ["subject": c.subject, "issuer": c.issuer, "subjectAltNames": c.subjectAltNames,
                     "notBefore": iso.string(from: c.notBefore), "notAfter": iso.string(from: c.notAfter),
                     "sha256": c.sha256] as [String: Any]
                },
            ] as [String: Any]
        } else {
            object["tls"] = NSNull()
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
