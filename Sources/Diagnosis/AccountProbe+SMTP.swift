internal import Foundation
import Auth
import NetIO
import SMTP

extension AccountProbe {
    /// What the SMTP half found, and when the self-test message was accepted.
    struct SMTPOutcome {
        var stages: [StageReport] = []
        var sentAt: ContinuousClock.Instant?
        var queuedReply: String?
    }

    /// Whether a transport failure is the certificate check (so the capabilities can still be read).
    static func isVerificationFailure(_ e: FailureEvidence) -> Bool {
        guard case .tls(let failure)? = e.transport else { return false }
        return [.untrustedChain, .hostnameMismatch].contains(failure)
    }

    /// Greeting, EHLO, STARTTLS, AUTH (RFC 5321 §3, RFC 3207, RFC 4954), MAIL and RCPT then RSET,
    /// or DATA with the test message (RFC 5321 §4.1.1.4).
    func probeSMTP(_ s: ServerSettings, message: SelfTestMessage?) async -> SMTPOutcome {
        var out = SMTPOutcome()
        var timeouts = SMTPTimeouts.uniform(options.timeout)
        timeouts.greeting = options.greetingTimeout
        timeouts.tlsProbe = options.tlsProbeTimeout
        let config = SMTPConfiguration(endpoint: s.endpoint, security: s.security, tls: s.tlsOptions,
                                       credentials: s.credentials,
                                       mechanism: MechanismSelection(allowPlaintextPasswordUnsafe: s.allowsPlaintextAuthUnsafe),
                                       clientName: options.clientName, timeouts: timeouts,
                                       transcript: options.transcript, usePipelining: false, useChunking: false)
        let client = SMTPClient(config)
        let clock = ContinuousClock()
        options.transcript.fact("probing SMTP \(s.endpoint) (\(s.security.plainWords))")
        var start = clock.now
        let opened = Date()
        let afterTLS = ["EHLO", "AUTH", "MAIL", "RCPT", "DATA"]

        // DNS, connect, (implicit TLS), greeting.
        do {
            let greeting = try await client.open()
            let times = SessionTimeline.read(options.transcript.tail(Self.timelineLines), since: opened)
            out.stages.append(StageReport(protocol: .smtp, name: "DNS", status: .passed, milliseconds: times.dns ?? 0,
                                          detail: "\(s.host) resolved"))
            out.stages.append(StageReport(protocol: .smtp, name: "connect", status: .passed,
                                          milliseconds: times.connect ?? ms(clock.now - start),
                                          detail: "TCP connection to \(s.endpoint) opened"))
            if s.security == .implicitTLS, let report = await client.tlsReport {
                out.stages.append(StageReport(protocol: .smtp, name: "TLS", status: .passed, milliseconds: times.tls ?? 0,
                                              detail: TLSSummary(report).line, tls: TLSSummary(report)))
            }
            out.stages.append(StageReport(protocol: .smtp, name: "greeting", status: .passed,
                                          milliseconds: times.greeting ?? 0, detail: greeting.description))
        } catch {
            var report = failed(.smtp, "connect", error, s, clock.now - start)
            let times = SessionTimeline.read(options.transcript.tail(Self.timelineLines), since: opened)
            out.stages += Self.passedBefore(.smtp, s, failedAt: report.name, times: times)
            report.milliseconds = Self.failedStageTime(report, times, total: ms(clock.now - start))
            out.stages.append(report)
            let evidence = FailureEvidence.of(error, protocol: .smtp, stage: "connect", server: s)
            var rest = afterTLS
            if Self.isVerificationFailure(evidence), s.security == .implicitTLS {
                out.stages.append(StageReport(protocol: .smtp, name: "greeting", status: .skipped,
                                              detail: "read below over an untrusted connection"))
                if let caps = await untrustedCapabilities(.smtp, s) {
                    out.stages.append(caps)
                    rest.removeFirst()
                }
                out.stages += Self.skipped(.smtp, rest, "not attempted: no password is sent to a server whose certificate is not trusted")
            } else {
                out.stages += Self.skipped(.smtp, rest, "not attempted: no session")
            }
            await client.close()
            return out
        }

        // EHLO, STARTTLS, EHLO again.
        start = clock.now
        do {
            let caps = try await client.ehlo()
            out.stages.append(StageReport(protocol: .smtp, name: "EHLO", status: .passed, milliseconds: ms(clock.now - start),
                                          detail: caps.summary, facts: caps.extensions.map(Self.line)))
        } catch {
            out.stages.append(failed(.smtp, "EHLO", error, s, clock.now - start))
            out.stages += Self.skipped(.smtp, ["AUTH", "MAIL", "RCPT", "DATA"], "not attempted: EHLO failed")
            await client.quit()
            return out
        }
        if s.security == .startTLS {
            start = clock.now
            do {
                let report = try await client.startTLS()
                out.stages.append(StageReport(protocol: .smtp, name: "TLS", status: .passed, milliseconds: ms(clock.now - start),
                                              detail: "STARTTLS: " + TLSSummary(report).line, tls: TLSSummary(report)))
                let caps = await client.capabilities
                out.stages.append(StageReport(protocol: .smtp, name: "EHLO", status: .passed,
                                              detail: "after STARTTLS: " + (caps?.summary ?? ""),
                                              facts: caps?.extensions.map(Self.line) ?? []))
            } catch {
                let report = failed(.smtp, "STARTTLS", error, s, clock.now - start)
                out.stages.append(report)
                let evidence = FailureEvidence.of(error, protocol: .smtp, stage: "STARTTLS", server: s)
                let rest = ["AUTH", "MAIL", "RCPT", "DATA"]
                if Self.isVerificationFailure(evidence) {
                    if let caps = await untrustedCapabilities(.smtp, s) { out.stages.append(caps) }
                    out.stages += Self.skipped(.smtp, rest, "not attempted: no password is sent to a server whose certificate is not trusted")
                } else {
                    out.stages += Self.skipped(.smtp, rest, "not attempted: no encrypted session")
                }
                await client.close()
                return out
            }
        }

        // AUTH.
        if s.credentials.isNone {
            out.stages.append(StageReport(protocol: .smtp, name: "AUTH", status: .skipped, detail: "no login configured"))
        } else {
            start = clock.now
            do {
                let mechanism = try await client.authenticate()
                out.stages.append(StageReport(protocol: .smtp, name: "AUTH", status: .passed, milliseconds: ms(clock.now - start),
                                              detail: "logged in as \(s.credentials.user) with \(mechanism)"))
            } catch {
                out.stages.append(failed(.smtp, "AUTH", error, s, clock.now - start))
                out.stages += Self.skipped(.smtp, ["MAIL", "RCPT", "DATA"], "not attempted: the login failed")
                await client.quit()
                return out
            }
        }

        // MAIL, RCPT; then DATA or RSET.
        let from = message?.from ?? senderAddress ?? (s.credentials.isNone ? "" : s.credentials.user)
        let to = message?.to ?? options.testRecipient ?? selfTestRecipient ?? from
        let bytes = message?.bytes ?? (options.sendsTestMessage ? SelfTestMessage.plain(from: from, to: to).bytes : nil)
        // RFC 1870 §4, §6: a message larger than the SIZE of the EHLO reply is not sent (the
        // envelope is still tried, to tell what else works); a smaller one declares its SIZE.
        let caps = await client.capabilities
        var tooLarge: SMTPError?
        var mailParameters: [SMTPParameter] = []
        if let bytes, let caps, caps.supportsSize {
            if let limit = caps.sizeLimit, bytes.count > limit {
                tooLarge = SMTPError(.messageTooLarge(limit: limit), stage: .data,
                                     evidence: "the message has \(bytes.count) bytes; the server's SIZE (EHLO) is \(limit) bytes: not sent")
            } else {
                mailParameters.append(.size(bytes.count))
            }
        }
        for (stage, address) in [("MAIL", from), ("RCPT", to)] {
            start = clock.now
            do {
                let reply = stage == "MAIL" ? try await client.mail(from: address, parameters: mailParameters)
                    : try await client.rcpt(to: address)
                out.stages.append(StageReport(protocol: .smtp, name: stage, status: .passed, milliseconds: ms(clock.now - start),
                                              detail: "\(stage == "MAIL" ? "from" : "to") <\(address)>: \(reply)"))
            } catch {
                out.stages.append(failed(.smtp, stage, error, s, clock.now - start))
                if stage == "MAIL" { out.stages += Self.skipped(.smtp, ["RCPT"], "not attempted: MAIL was refused") }
                out.stages += Self.skipped(.smtp, ["DATA"], "not attempted")
                _ = try? await client.rset()
                await client.quit()
                return out
            }
        }
        if let tooLarge {
            options.transcript.fact(tooLarge.evidence ?? "message larger than SIZE")
            out.stages.append(failed(.smtp, "DATA", tooLarge, s, .zero))
            _ = try? await client.rset()
        } else if let bytes {
            start = clock.now
            do {
                let reply = try await client.data(bytes)
                out.sentAt = clock.now
                out.queuedReply = reply.description
                out.stages.append(StageReport(protocol: .smtp, name: "DATA", status: .passed, milliseconds: ms(clock.now - start),
                                              detail: "\(bytes.count) bytes accepted: \(reply)"))
            } catch {
                out.stages.append(failed(.smtp, "DATA", error, s, clock.now - start))
            }
        } else {
            _ = try? await client.rset()
            out.stages.append(StageReport(protocol: .smtp, name: "DATA", status: .skipped,
                                          detail: "no message sent (RSET after RCPT); use the self-test to send one"))
        }
        await client.quit()
        return out
    }

    static func line(_ e: SMTPCapabilities.Extension) -> String {
        ([e.keyword] + e.parameters).joined(separator: " ")
    }
}
