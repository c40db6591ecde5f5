import ArgumentParser
import Diagnosis
import Foundation
import NetIO

/// `mailprobe detect ADDRESS`: finds an address's SMTP and IMAP settings (built-in presets,
/// autoconfig, ISPDB, guesses) and proves them with short probes, best first. No password is
/// sent. The autoconfig URLs, the ISPDB base and the DNS server (for the RFC 6186 SRV and the MX
/// lookups) can be replaced (tests point them at 127.0.0.1).
struct DetectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "detect",
        abstract: "Find and test the SMTP and IMAP settings for an e-mail address.",
        discussion: """
            Exit status: 0 when a working SMTP or IMAP setting was found, 2 when none works, 64 \
            when the address is not one. Environment: MAILPROBE_AUTOCONFIG_URL (templates with \
            {domain}, separated by spaces) and MAILPROBE_ISPDB_BASE (or "none") replace the defaults. \
            SRV (RFC 6186) and MX lookups are made only with --dns-server.
            """)

    @Argument(help: "The e-mail address, e.g. shop@example.com.") var address: String
    @Flag(help: "Print one JSON object instead of text.") var json = false
    @Option(name: .customLong("autoconfig-url"), help: "An autoconfig URL template with {domain} (repeatable; replaces the standard ones).")
    var autoconfigURL: [String] = []
    @Option(name: .customLong("ispdb-base"), help: "The ISPDB base URL, or \"none\".") var ispdbBase: String?
    @Option(name: .customLong("mx-autoconfig-template"),
            help: "The autoconfig URL template (with {domain}) tried for the MX host's domain, or \"none\".")
    var mxAutoconfigTemplate: String?
    @Flag(name: .customLong("no-guess"), help: "Do not probe guessed host names (smtp.<domain>, mail.<domain>).")
    var noGuess = false
    @Option(name: .customLong("dns-server"),
            help: "Look up SRV and MX records at this DNS server (HOST:PORT, [V6]:PORT, or \"system\" for /etc/resolv.conf).")
    var dnsServer: String?
    @Option(name: .customLong("ca-file"), help: "Trust only the CA certificates in this PEM file.") var caFile: String?
    @Option(help: "Seconds allowed for each probe.") var timeout: Double = 5
    @Option(help: "Append the probes' transcript to this file.") var log: String?

    func validate() throws {
        guard timeout > 0 && timeout <= 60 else { throw ValidationError("--timeout must be between 0 and 60 seconds") }
        if let t = mxAutoconfigTemplate, t != "none", !t.contains("{domain}") {
            throw ValidationError("--mx-autoconfig-template must contain {domain} (or be \"none\")")
        }
        if let dnsServer, dnsServer != "system", DNSNameserver(parsing: dnsServer) == nil {
            throw ValidationError("--dns-server must be a numeric address with an optional port (127.0.0.1:5353, [::1]:53) or \"system\"")
        }
    }

    func run() async throws {
        let env = ProcessInfo.processInfo.environment
        var options = DetectionOptions()
        let templates = autoconfigURL.isEmpty
            ? (env["MAILPROBE_AUTOCONFIG_URL"]?.split(separator: " ").map(String.init) ?? []) : autoconfigURL
        if !templates.isEmpty { options.autoconfigTemplates = templates }
        if let base = ispdbBase ?? env["MAILPROBE_ISPDB_BASE"] { options.ispdbBase = base == "none" ? nil : base }
        if let template = mxAutoconfigTemplate { options.mxAutoconfigTemplate = template == "none" ? nil : template }
        if noGuess { options.guessWhenNothingWorks = false }
        var tls = TLSOptions()
        if let caFile { tls.trust = .caFile(caFile) }
        let transcript = Transcript(sinks: try log.map { [try FileTranscriptSink(path: $0)] } ?? [])
        let dnsTimeout = Duration.milliseconds(Int64(min(timeout, 3) * 1000))
        var dns: SystemDNSResolver?
        if let dnsServer {
            do {
                if let server = DNSNameserver(parsing: dnsServer) {
                    dns = SystemDNSResolver(nameserver: server, timeout: dnsTimeout)
                } else {
                    dns = try SystemDNSResolver.system(timeout: dnsTimeout)
                }
            } catch {
                FileHandle.standardError.write(Data("mailprobe: \(error)\n".utf8))
                throw ExitCode(ProbeExit.usageOrSettings)
            }
        }
        let detector = SettingsDetector(options: options, dns: dns, tls: tls, timeout: .milliseconds(Int64(timeout * 1000)),
                                        greetingTimeout: .milliseconds(Int64(min(timeout, 3) * 1000)))
        guard let result = await detector.detect(address: address, transcript: transcript) else {
            FileHandle.standardError.write(Data("mailprobe: \(address) is not an e-mail address\n".utf8))
            throw ExitCode(ProbeExit.usageOrSettings)
        }
        if json {
            var object: [String: Any] = [
                "address": address, "source": result.source.map { "\($0)" } ?? NSNull(),
                "smtp": result.smtp.map(Self.object), "imap": result.imap.map(Self.object),
                "best": ["smtp": result.bestSMTP.map(Self.object) ?? NSNull(),
                         "imap": result.bestIMAP.map(Self.object) ?? NSNull()] as [String: Any],
                "notes": result.notes, "log": result.log,
            ]
            if let d = result.lookupDiagnosis { object["diagnosis"] = Self.object(d) }
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(Self.text(result, address: address), terminator: "")
        }
        if result.bestSMTP == nil && result.bestIMAP == nil { throw ExitCode(ProbeExit.network) }
    }

    static func object(_ r: PortProbeResult) -> [String: Any] {
        let c = r.candidate
        var o: [String: Any] = [
            "host": c.host, "port": Int(c.port), "security": c.security.settingsWord, "verdict": "\(r.verdict)",
            "ok": r.verdict != .failed, "trusted": r.verdict == .works, "plaintext": c.isPlaintext,
            "needsConfirmation": c.needsConfirmation, "source": "\(c.source)", "authMechanisms": r.authMechanisms,
            "milliseconds": Int(r.duration.components.seconds * 1000 + r.duration.components.attoseconds / 1_000_000_000_000_000),
        ]
        if let u = c.username { o["username"] = u }
        if let d = r.diagnosis { o["diagnosis"] = object(d) }
        return o
    }

    static func object(_ d: FailureDiagnosis) -> [String: Any] {
        ["id": d.id, "title": d.title, "cause": d.cause, "fix": d.fix, "evidence": d.evidence, "stage": d.stage]
    }

    static func text(_ r: DetectionResult, address: String) -> String {
        var out = ""
        func best(_ label: String, _ p: PortProbeResult?) -> String {
            guard let p else { return "\(label): nothing found that works\n" }
            let c = p.candidate
            var s = "\(label): \(c.host) port \(c.port), \(c.security.plainWords)"
            if let u = c.username { s += ", user \(u)" }
            if p.verdict != .works { s += " (\(p.verdict))" }
            if c.needsConfirmation { s += " (please confirm: this server is not in your domain)" }
            return s + "\n"
        }
        out += "Settings for \(address)" + (r.source.map { " (from \($0))" } ?? "") + "\n"
        out += best("Sending (SMTP)", r.bestSMTP)
        out += best("Receiving (IMAP)", r.bestIMAP)
        for n in r.notes { out += "Note: \(n)\n" }
        if let d = r.lookupDiagnosis {
            out += "\(d.stage): \(d.title). \(d.cause)\n  Fix: \(d.fix)\n  Evidence: \(d.evidence)\n  (\(d.id))\n"
        }
        for (title, list) in [("SMTP candidates", r.smtp), ("IMAP candidates", r.imap)] where !list.isEmpty {
            out += "\n\(title)\n"
            for p in list {
                let mark = p.verdict == .works ? "ok  " : p.verdict == .failed ? "FAIL" : "??  "
                out += "  \(mark) \(p.candidate.host):\(p.candidate.port) \(p.candidate.security.settingsWord): \(p.verdict)"
                if let d = p.diagnosis { out += ": \(d.title)" }
                out += "\n"
            }
        }
        return out
    }
}
