internal import Foundation
public import NetIO

/// What detection did and found: each step with its outcome, the candidates probed (ranked, best
/// first) per protocol, and what the shop owner must know.
public struct DetectionResult: Sendable {
    /// One line per step: `autoconfig https://…: HTTP status 404`.
    public var log: [String]
    /// Where the candidates came from.
    public var source: CandidateSource?
    /// SMTP probes, best first.
    public var smtp: [PortProbeResult]
    /// IMAP probes, best first.
    public var imap: [PortProbeResult]
    /// Notes to show: the preset's app-password note, an autoconfig `<enable>` instruction.
    public var notes: [String]
    /// The first DNS lookup (SRV, MX) that failed rather than answered, explained: a name server
    /// that does not answer is `network.dns-timeout`, its evidence naming the query, the server
    /// and the wait. `nil` when every lookup answered (NXDOMAIN or no record is an answer).
    public var lookupDiagnosis: FailureDiagnosis?

    /// The best SMTP setting that works (a trusted TLS one if any; then untrusted; plain text last).
    public var bestSMTP: PortProbeResult? { smtp.first { $0.verdict != .failed } }
    /// The best IMAP setting that works.
    public var bestIMAP: PortProbeResult? { imap.first { $0.verdict != .failed } }
}

/// Detects an address's settings (diagnostics.md §1.6): the built-in preset, else autoconfig
/// documents, the ISPDB, SRV records and the MX (when a resolver is given), else guesses; then
/// probes the candidates in parallel with short timeouts and ranks them (`PortProbe.ranked`).
/// Nothing here sends a password.
public struct SettingsDetector: Sendable {
    public var options: DetectionOptions
    public var fetcher: any AutoconfigFetching
    public var dns: (any MailDNSResolving)?
    public var tls: TLSOptions
    /// Per fetch and per probe (Thunderbird uses 10 s; shorter keeps a Test button responsive).
    public var timeout: Duration
    /// The wait for a server's greeting (default: `timeout`).
    public var greetingTimeout: Duration?
    public var catalogue: DiagnosisCatalogue

    public init(options: DetectionOptions = DetectionOptions(), fetcher: any AutoconfigFetching = URLSessionAutoconfigFetcher(),
                dns: (any MailDNSResolving)? = nil, tls: TLSOptions = .default, timeout: Duration = .seconds(5),
                greetingTimeout: Duration? = nil, catalogue: DiagnosisCatalogue = .standard) {
        self.greetingTimeout = greetingTimeout
        self.options = options
        self.fetcher = fetcher
        self.dns = dns
        self.tls = tls
        self.timeout = timeout
        self.catalogue = catalogue
    }

    /// Runs detection for an address; `nil` when it is not an address.
    public func detect(address: String, transcript: Transcript = Transcript()) async -> DetectionResult? {
        guard let plan = DetectionPlan(address: address, options: options) else { return nil }
        var log: [String] = []
        var notes: [String] = []
        var candidates: [ServerCandidate] = []
        var source: CandidateSource?
        var lookups = LookupFailures()

        if let preset = plan.preset {
            candidates = preset.candidates(for: plan.address)
            source = .preset(preset.provider)
            notes.append(preset.note)
            log.append("preset \(preset.provider.displayName): \(candidates.count) candidates")
        } else {
            var discovery = plan.steps.filter { if case .probe = $0 { false } else { true } }
            var index = 0
            while index < discovery.count && candidates.isEmpty {
                let step = discovery[index]
                index += 1
                switch step {
                case .autoconfig(let url), .ispdb(let url):
                    do {
                        let data = try await fetcher.fetch(url, timeout: timeout)
                        let doc = try AutoconfigDocument.parse(data, address: plan.address, source: url,
                                                                 presets: options.presets)
                        candidates = doc.outgoing + doc.incoming
                        if candidates.isEmpty {
                            log.append("\(step): no IMAP or SMTP server in the document")
                        } else {
                            source = .autoconfig(url)
                            log.append("\(step): \(doc.outgoing.count) SMTP, \(doc.incoming.count) IMAP")
                        }
                        if let enable = doc.enableInstruction {
                            notes.append(enable.text + (enable.url.map { " (\($0))" } ?? ""))
                        }
                    } catch {
                        log.append("\(step): \(error)")
                    }
                case .srv(let name, let proto, let security):
                    guard let dns else { log.append("\(step): skipped (no DNS resolver)"); continue }
                    guard !lookups.serverSilent else { log.append("\(step): skipped (the DNS server did not answer)"); continue }
                    do {
                        let records = try await dns.srv(name)
                        let found = DetectionPlan.candidates(
                            fromSRV: records,
                            name: name, protocol: proto, security: security, address: plan.address, domain: plan.domain,
                            presets: options.presets)
                        log.append("\(step): \(found.count) targets")
                        // SRV answers for each service are collected before deciding.
                        var pending = found
                        while index < discovery.count, case .srv(let n2, let p2, let s2) = discovery[index] {
                            index += 1
                            guard !lookups.serverSilent else {
                                log.append("DNS SRV \(n2): skipped (the DNS server did not answer)")
                                continue
                            }
                            var more: [SRVRecord] = []
                            do { more = try await dns.srv(n2) } catch {
                                log.append("DNS SRV \(n2): \(error)")
                                lookups.record(error, name: n2, catalogue: catalogue)
                                continue
                            }
                            let c2 = DetectionPlan.candidates(
                                fromSRV: more,
                                name: n2, protocol: p2, security: s2, address: plan.address, domain: plan.domain,
                                presets: options.presets)
                            log.append("DNS SRV \(n2): \(c2.count) targets")
                            pending += c2
                        }
                        if !pending.isEmpty {
                            candidates = pending
                            source = .srv(name)
                        }
                    } catch {
                        log.append("\(step): \(error)")
                        lookups.record(error, name: name, catalogue: catalogue)
                    }
                case .mx(let domain):
                    guard let dns else { log.append("\(step): skipped (no DNS resolver)"); continue }
                    guard !lookups.serverSilent else { log.append("\(step): skipped (the DNS server did not answer)"); continue }
                    do {
                        guard let mx = try await dns.mx(domain).first else {
                            log.append("\(step): no MX")
                            continue
                        }
                        log.append("\(step): \(mx)")
                        let more = DetectionPlan.steps(forMX: mx, address: plan.address, domain: plan.domain, options: options)
                        if case .preset(let provider)? = more.first, let preset = ProviderPreset.of(provider, in: options.presets) {
                            candidates = more.compactMap { if case .probe(let c) = $0 { c } else { nil } }
                            source = .preset(provider)
                            notes.append(preset.note)
                            log.append("MX \(mx) belongs to \(provider.displayName)")
                        } else {
                            discovery.insert(contentsOf: more, at: index)
                        }
                    } catch {
                        log.append("\(step): \(error)")
                        lookups.record(error, name: domain, catalogue: catalogue)
                    }
                case .preset, .probe:
                    break
                }
            }
        }
        let guesses = DetectionPlan.guesses(address: plan.address, domain: plan.domain,
                                            includePlaintext: options.includePlaintext)
        if candidates.isEmpty && options.guessWhenNothingWorks {
            candidates = guesses
            source = .guess
            log.append("nothing published: probing \(guesses.count) guessed settings")
        }
        var smtp = await probe(candidates.filter { $0.protocol == .smtp }, transcript: transcript)
        var imap = await probe(candidates.filter { $0.protocol == .imap }, transcript: transcript)
        // Nothing published works for a protocol: fall back to guessing that protocol.
        if source != .guess && options.guessWhenNothingWorks {
            if !smtp.contains(where: { $0.verdict != .failed }) {
                log.append("no published SMTP setting works: probing guesses")
                smtp += await probe(guesses.filter { $0.protocol == .smtp }, transcript: transcript)
            }
            if !imap.contains(where: { $0.verdict != .failed }) {
                log.append("no published IMAP setting works: probing guesses")
                imap += await probe(guesses.filter { $0.protocol == .imap }, transcript: transcript)
            }
        }
        return DetectionResult(log: log, source: source, smtp: PortProbe.ranked(smtp), imap: PortProbe.ranked(imap),
                               notes: notes, lookupDiagnosis: lookups.first)
    }

    /// A failed SRV or MX lookup as catalogue evidence (stage `DNS`; a `DNSError.Kind.timeout` is
    /// the transport's timeout), quoting the query, the name server and the wait.
    static func diagnose(lookupError error: any Error, name: String, catalogue: DiagnosisCatalogue) -> FailureDiagnosis {
        let timedOut = (error as? DNSError)?.kind == .timeout
        return catalogue.diagnose(FailureEvidence(stage: "DNS", text: "\(error)", transport: timedOut ? .timeout : nil,
                                                  host: name))
    }

    private func probe(_ candidates: [ServerCandidate], transcript: Transcript) async -> [PortProbeResult] {
        guard !candidates.isEmpty else { return [] }
        return await PortProbe.runAll(candidates, tls: tls, timeout: timeout, greetingTimeout: greetingTimeout,
                                      transcript: transcript, catalogue: catalogue)
    }
}

/// The DNS lookups of one detection that failed: the first one explained, and whether the name
/// server stopped answering. A server that did not answer once is not asked again: each further
/// lookup would wait the full DNS timeout for nothing.
struct LookupFailures {
    var first: FailureDiagnosis?
    var serverSilent = false

    mutating func record(_ error: any Error, name: String, catalogue: DiagnosisCatalogue) {
        if (error as? DNSError)?.kind == .timeout { serverSilent = true }
        if first == nil { first = SettingsDetector.diagnose(lookupError: error, name: name, catalogue: catalogue) }
    }
}
