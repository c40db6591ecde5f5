internal import Foundation
public import NetIO

/// What probing one candidate found: whether it works, the greeting, capabilities and login
/// methods, the TLS report, and the failure explained (diagnostics.md §1.3 "how the probes run").
public struct PortProbeResult: Sendable, CustomStringConvertible {
    /// The verdict, best first: the ranking order.
    public enum Verdict: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
        /// TLS with a trusted certificate (or STARTTLS upgraded and trusted), greeting and capabilities read.
        case works = 0
        /// It answers, but the certificate failed verification; capabilities were read without
        /// trusting it (no credentials would be sent).
        case worksWithUntrustedCertificate = 1
        /// It answers only without TLS: flagged, used only when nothing else works.
        case plaintextOnly = 2
        case failed = 3

        public static func < (a: Verdict, b: Verdict) -> Bool { a.rawValue < b.rawValue }

        public var description: String {
            switch self {
            case .works: "works"
            case .worksWithUntrustedCertificate: "answers, but its certificate is not trusted"
            case .plaintextOnly: "works only without encryption (unsafe)"
            case .failed: "failed"
            }
        }
    }

    public var candidate: ServerCandidate
    public var verdict: Verdict
    /// The greeting line (`220 …`, `* OK …`).
    public var greeting: String?
    /// EHLO keywords (`PIPELINING`, `SIZE 52428800`, `AUTH PLAIN LOGIN`) or IMAP capabilities, as
    /// last seen (after TLS when there was TLS).
    public var capabilities: [String]
    /// SASL mechanisms offered (RFC 4954 §3 `AUTH`, RFC 9051 `AUTH=`).
    public var authMechanisms: [String]
    public var tlsReport: TLSReport?
    /// The failure as evidence, and explained.
    public var evidence: FailureEvidence?
    public var diagnosis: FailureDiagnosis?
    public var duration: Duration

    public var description: String {
        var s = "\(candidate.protocol.rawValue) \(candidate.endpoint) \(candidate.security.settingsWord): \(verdict)"
        if let diagnosis { s += " — \(diagnosis.title)" }
        return s
    }
}

/// Probes candidate settings: TCP connect, greeting, EHLO or CAPABILITY, STARTTLS or implicit
/// TLS with the full report, then EHLO/CAPABILITY again inside TLS, then QUIT/LOGOUT. No
/// credentials are ever sent. Probes run in parallel with short timeouts, staggered like
/// Thunderbird's (probe i starts after i × `stagger`), and are ranked (RFC 8314 §3: implicit TLS
/// first; an untrusted certificate below a trusted one; plain text last).
public enum PortProbe {
    /// The name sent with EHLO (RFC 5321 §4.1.1.1 allows an address literal or a name).
    public static let ehloName = "mailprobe.invalid"

    /// Probes one candidate. `timeout` bounds the connect, the handshake and each reply;
    /// `greetingTimeout` (default: `timeout`) bounds the wait for the greeting, so a STARTTLS
    /// client on an implicit-TLS port is named after a short wait, not the full timeout.
    public static func run(_ candidate: ServerCandidate, tls: TLSOptions = .default, timeout: Duration = .seconds(5),
                           greetingTimeout: Duration? = nil, transcript: Transcript = Transcript(),
                           catalogue: DiagnosisCatalogue = .standard) async -> PortProbeResult {
        let start = ContinuousClock.now
        let greetingWait = greetingTimeout ?? timeout
        var result = await attempt(candidate, tls: tls, timeout: timeout, greetingTimeout: greetingWait,
                                   transcript: transcript)
        // An untrusted certificate: still learn what the server offers, without trusting it.
        if result.verdict == .failed, case .tls(let failure)? = result.evidence?.transport,
           failure == .untrustedChain || failure == .hostnameMismatch {
            transcript.fact("certificate not trusted; probing again without trusting it, to read the capabilities")
            var insecure = tls
            insecure.insecureSkipVerification = true
            let retry = await attempt(candidate, tls: insecure, timeout: timeout, greetingTimeout: greetingWait,
                                      transcript: transcript)
            if retry.verdict != .failed {
                result.verdict = .worksWithUntrustedCertificate
                result.greeting = retry.greeting
                result.capabilities = retry.capabilities
                result.authMechanisms = retry.authMechanisms
            }
        }
        if let evidence = result.evidence { result.diagnosis = catalogue.diagnose(evidence) }
        if let diagnosis = result.diagnosis { transcript.diagnosis(diagnosis.transcriptLine) }
        result.duration = ContinuousClock.now - start
        return result
    }

    /// Probes all candidates in parallel, probe i starting after i × `stagger`; results in
    /// candidate order (use `ranked` to order them by preference).
    public static func runAll(_ candidates: [ServerCandidate], tls: TLSOptions = .default,
                              timeout: Duration = .seconds(5), greetingTimeout: Duration? = nil,
                              stagger: Duration = .milliseconds(100), transcript: Transcript = Transcript(),
                              catalogue: DiagnosisCatalogue = .standard) async -> [PortProbeResult] {
        await withTaskGroup(of: (Int, PortProbeResult).self) { group in
            for (i, c) in candidates.enumerated() {
                group.addTask {
                    if i > 0 { try? await Task.sleep(for: stagger * i) }
                    return (i, await run(c, tls: tls, timeout: timeout, greetingTimeout: greetingTimeout,
                                         transcript: transcript, catalogue: catalogue))
                }
            }
            var out: [(Int, PortProbeResult)] = []
            for await r in group { out.append(r) }
            return out.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// Best first: by verdict, then implicit TLS before STARTTLS before plain text, then the
    /// candidates' own order.
    public static func ranked(_ results: [PortProbeResult]) -> [PortProbeResult] {
        func securityRank(_ s: Security) -> Int {
            switch s {
            case .implicitTLS: 0
            case .startTLS: 1
            case .plaintextUnsafe: 2
            }
        }
        return results.enumerated().sorted { a, b in
            if a.element.verdict != b.element.verdict { return a.element.verdict < b.element.verdict }
            let sa = securityRank(a.element.candidate.security), sb = securityRank(b.element.candidate.security)
            return sa != sb ? sa < sb : a.offset < b.offset
        }.map(\.element)
    }

    // MARK: one attempt

    private static func attempt(_ c: ServerCandidate, tls: TLSOptions, timeout: Duration, greetingTimeout: Duration,
                                transcript: Transcript) async -> PortProbeResult {
        var result = PortProbeResult(candidate: c, verdict: .failed, greeting: nil, capabilities: [],
                                     authMechanisms: [], tlsReport: nil, evidence: nil, diagnosis: nil,
                                     duration: .zero)
        let settings = c.settings()
        var connection: Connection?
        defer { if let connection { Task { await connection.close() } } }
        func fail(stage: String, reply: String, observation: ClientObservation? = nil) {
            result.evidence = c.protocol == .smtp
                ? FailureEvidence(protocol: .smtp, stage: stage, text: reply, host: c.host, port: c.port,
                                  security: c.security, observation: observation)
                : FailureEvidence(protocol: .imap, stage: stage, text: reply, host: c.host, port: c.port,
                                  security: c.security, observation: observation)
        }
        do {
            let conn = try await Connection.connect(to: c.endpoint, security: c.security, tls: tls,
                                                    timeouts: .uniform(timeout), transcript: transcript)
            connection = conn
            result.tlsReport = await conn.tlsReport
            await conn.setStage(.greeting)
            let greeting = try await readGreeting(conn, c.protocol, timeout: greetingTimeout)
            result.greeting = greeting
            if let problem = greetingProblem(greeting, c) {
                fail(stage: "greeting", reply: problem)
                return result
            }
            var caps = try await capabilities(conn, c.protocol)
            if c.security == .startTLS {
                guard caps.contains(where: { $0.uppercased() == "STARTTLS" }) else {
                    result.capabilities = caps
                    fail(stage: c.protocol == .smtp ? "EHLO" : "CAPABILITY", reply: "", observation: .startTLSNotOffered)
                    return result
                }
                await conn.setStage("STARTTLS")
                if let refusal = try await startTLS(conn, c.protocol) {
                    fail(stage: "STARTTLS", reply: refusal)
                    return result
                }
                await conn.setStage(.tls)
                result.tlsReport = try await conn.upgradeToTLS(tls)
                caps = try await capabilities(conn, c.protocol)
            }
            result.capabilities = caps
            result.authMechanisms = mechanisms(caps, c.protocol)
            result.verdict = c.security == .plaintextUnsafe ? .plaintextOnly : .works
            try? await conn.writeLine(c.protocol == .smtp ? "QUIT" : "z LOGOUT")
            return result
        } catch let error as NetIOError {
            result.tlsReport = error.tlsReport ?? result.tlsReport
            result.evidence = FailureEvidence(error, protocol: c.protocol, server: settings)
            return result
        } catch let refusal as ReplyRefusal {
            fail(stage: refusal.stage, reply: refusal.text)
            return result
        } catch {
            fail(stage: "connect", reply: "\(error)")
            return result
        }
    }

    /// The greeting, with SMTP continuation lines (`220-…`) joined.
    private static func readGreeting(_ c: Connection, _ p: MailProtocol, timeout: Duration) async throws -> String {
        var line = try await c.readGreetingLine(timeout: timeout)
        var lines = [String(decoding: line, as: UTF8.self)]
        if p == .smtp {
            var count = 0
            while line.count > 3 && line[3] == UInt8(ascii: "-") && count < maxReplyLines {
                line = try await c.readLine()
                lines.append(String(decoding: line, as: UTF8.self))
                count += 1
            }
        }
        return lines.joined(separator: "\n")
    }

    /// A bound on reply lines read, so a hostile server cannot keep a probe busy (RFC 5321 §4.5.3.1
    /// sets no count; real EHLO replies have under 30 lines).
    static let maxReplyLines = 200

    private static func greetingProblem(_ greeting: String, _ c: ServerCandidate) -> String? {
        switch c.protocol {
        case .smtp:
            return greeting.hasPrefix("220") ? nil : greeting
        case .imap:
            let upper = greeting.uppercased()
            if upper.hasPrefix("* OK") { return nil }
            if upper.hasPrefix("* PREAUTH") && c.security == .implicitTLS { return nil }
            return greeting
        }
    }

    /// EHLO keywords or IMAP capabilities.
    private static func capabilities(_ c: Connection, _ p: MailProtocol) async throws -> [String] {
        switch p {
        case .smtp:
            await c.setStage("EHLO")
            try await c.writeLine("EHLO \(ehloName)")
            var lines: [String] = []
            for _ in 0..<maxReplyLines {
                let line = try await c.readLineString()
                guard line.hasPrefix("250") else { throw ReplyRefusal(stage: "EHLO", text: line) }
                lines.append(String(line.dropFirst(4)))
                if line.dropFirst(3).first != "-" { break }
            }
            return Array(lines.dropFirst())  // the first line is the server's name
        case .imap:
            await c.setStage("CAPABILITY")
            try await c.writeLine("c1 CAPABILITY")
            var caps: [String] = []
            for _ in 0..<maxReplyLines {
                let line = try await c.readLineString()
                if line.uppercased().hasPrefix("* CAPABILITY ") {
                    caps = line.dropFirst("* CAPABILITY ".count).split(separator: " ").map(String.init)
                } else if line.uppercased().hasPrefix("C1 ") {
                    guard line.uppercased().hasPrefix("C1 OK") else { throw ReplyRefusal(stage: "CAPABILITY", text: line) }
                    break
                }
            }
            return caps
        }
    }

    /// Sends STARTTLS; `nil` when the server said go ahead, else its refusal.
    private static func startTLS(_ c: Connection, _ p: MailProtocol) async throws -> String? {
        switch p {
        case .smtp:
            try await c.writeLine("STARTTLS")
            let line = try await c.readLineString()
            return line.hasPrefix("220") ? nil : line
        case .imap:
            try await c.writeLine("s1 STARTTLS")
            for _ in 0..<maxReplyLines {
                let line = try await c.readLineString()
                if line.hasPrefix("*") { continue }
                return line.uppercased().hasPrefix("S1 OK") ? nil : line
            }
            return "no reply to STARTTLS"
        }
    }

    static func mechanisms(_ caps: [String], _ p: MailProtocol) -> [String] {
        switch p {
        case .smtp:
            caps.filter { $0.uppercased().hasPrefix("AUTH ") || $0.uppercased().hasPrefix("AUTH=") }
                .flatMap { $0.dropFirst(5).split(separator: " ").map { $0.uppercased() } }
        case .imap:
            caps.filter { $0.uppercased().hasPrefix("AUTH=") }.map { String($0.dropFirst(5)).uppercased() }
        }
    }

    /// A reply that ends a probe (EHLO or CAPABILITY refused).
    struct ReplyRefusal: Error {
        var stage: String
        var text: String
    }
}
