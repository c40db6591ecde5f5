internal import Foundation
import Auth
import IMAP
import NetIO

extension AccountProbe {
    /// Greeting, STARTTLS, CAPABILITY, LOGIN or AUTHENTICATE, LIST, SELECT INBOX (RFC 9051 §6);
    /// then, for the self-test, the message looked for by its token header until the deadline,
    /// and the APPEND to \Sent (RFC 6154).
    func probeIMAP(_ s: ServerSettings, selfTest: (SelfTestMessage, ContinuousClock.Instant)?,
                   report: inout SelfTestReport?) async -> [StageReport] {
        var stages: [StageReport] = []
        let clock = ContinuousClock()
        var timeouts = ConnectionTimeouts.uniform(options.timeout)
        timeouts.tlsProbe = options.tlsProbeTimeout
        // The greeting wait is short, as for SMTP: STARTTLS or plain text on 993 is named after
        // `greetingTimeout` plus the TLS probe, not after the full `timeout`.
        let opts = IMAPClientOptions(security: s.security, tls: s.tlsOptions, timeouts: timeouts,
                                     transcript: options.transcript, greetingTimeout: options.greetingTimeout)
        options.transcript.fact("probing IMAP \(s.endpoint) (\(s.security.plainWords))")
        var start = clock.now
        let opened = Date()
        let later = ["LOGIN", "LIST", "SELECT"] + (report != nil ? ["FETCH"] : [])
        let client: IMAPClient
        do {
            client = try await IMAPClient.connect(to: s.endpoint, options: opts)
            let elapsed = clock.now - start
            let times = SessionTimeline.read(options.transcript.tail(Self.timelineLines), since: opened)
            stages.append(StageReport(protocol: .imap, name: "DNS", status: .passed, milliseconds: times.dns ?? 0,
                                      detail: "\(s.host) resolved"))
            stages.append(StageReport(protocol: .imap, name: "connect", status: .passed,
                                      milliseconds: times.connect ?? ms(elapsed),
                                      detail: "TCP connection to \(s.endpoint) opened"))
            if let tls = await client.tlsReport, s.security == .implicitTLS {
                stages.append(StageReport(protocol: .imap, name: "TLS", status: .passed, milliseconds: times.tls ?? 0,
                                          detail: (s.security == .startTLS ? "STARTTLS: " : "") + TLSSummary(tls).line,
                                          tls: TLSSummary(tls)))
            }
            let greeting = await client.greeting
            stages.append(StageReport(protocol: .imap, name: "greeting", status: .passed, milliseconds: times.greeting ?? 0,
                                      detail: greeting.map { "* \($0.condition.rawValue) \($0.text)" } ?? ""))
            if let tls = await client.tlsReport, s.security == .startTLS {
                stages.append(StageReport(protocol: .imap, name: "TLS", status: .passed,
                                          detail: "STARTTLS: " + TLSSummary(tls).line, tls: TLSSummary(tls)))
            }
            let caps = await client.capabilities.map(\.rawValue)
            stages.append(StageReport(protocol: .imap, name: "CAPABILITY", status: .passed,
                                      detail: caps.joined(separator: " "), facts: caps))
        } catch {
            var failure = failed(.imap, "connect", error, s, clock.now - start)
            let times = SessionTimeline.read(options.transcript.tail(Self.timelineLines), since: opened)
            stages += Self.passedBefore(.imap, s, failedAt: failure.name, times: times)
            failure.milliseconds = Self.failedStageTime(failure, times, total: ms(clock.now - start))
            stages.append(failure)
            let evidence = FailureEvidence.of(error, protocol: .imap, stage: "connect", server: s)
            if Self.isVerificationFailure(evidence) {
                if let caps = await untrustedCapabilities(.imap, s) { stages.append(caps) }
                stages += Self.skipped(.imap, later, "not attempted: no password is sent to a server whose certificate is not trusted")
            } else {
                stages += Self.skipped(.imap, later, "not attempted: no session")
            }
            return stages
        }

        // LOGIN or AUTHENTICATE.
        start = clock.now
        do {
            switch s.credentials.secret {
            case .none:
                throw IMAPError(kind: .authentication, stage: IMAPStage.login,
                                evidence: "no IMAP user and password configured")
            case .password(let password):
                if await client.capabilities.contains(where: { $0.authMechanism != nil }) {
                    try await client.authenticate(s.credentials, selection:
                        MechanismSelection(allowPlaintextPasswordUnsafe: s.allowsPlaintextAuthUnsafe))
                } else {
                    try await client.login(user: s.credentials.user, password: password,
                                           allowPlaintextPasswordUnsafe: s.allowsPlaintextAuthUnsafe)
                }
            case .oauth2AccessToken:
                try await client.authenticate(s.credentials, selection:
                    MechanismSelection(allowPlaintextPasswordUnsafe: s.allowsPlaintextAuthUnsafe))
            }
            stages.append(StageReport(protocol: .imap, name: "LOGIN", status: .passed, milliseconds: ms(clock.now - start),
                                      detail: "logged in as \(s.credentials.user)"))
        } catch {
            var failure = failed(.imap, "LOGIN", error, s, clock.now - start)
            if failure.name == "AUTH" || failure.name == "AUTHENTICATE" { failure.name = "LOGIN" }
            stages.append(failure)
            stages += Self.skipped(.imap, Array(later.dropFirst()), "not attempted: the login failed")
            await client.logout()
            return stages
        }

        // LIST.
        start = clock.now
        var sent: MailboxInfo?
        do {
            let boxes = try await client.list()
            sent = boxes.first { $0.specialUse == .sent }
            stages.append(StageReport(protocol: .imap, name: "LIST", status: .passed, milliseconds: ms(clock.now - start),
                                      detail: "\(boxes.count) mailboxes" + (sent.map { ", sent mail in \"\($0.name.name)\"" } ?? ""),
                                      facts: boxes.map { b in b.name.name + (b.specialUse.map { " \($0)" } ?? "") }))
        } catch {
            stages.append(failed(.imap, "LIST", error, s, clock.now - start))
        }

        // SELECT INBOX.
        start = clock.now
        do {
            let inbox = try await client.select(MailboxName("INBOX"))
            stages.append(StageReport(protocol: .imap, name: "SELECT", status: .passed, milliseconds: ms(clock.now - start),
                                      detail: "INBOX has \(inbox.exists) message\(inbox.exists == 1 ? "" : "s")"))
        } catch {
            stages.append(failed(.imap, "SELECT", error, s, clock.now - start))
            if report != nil {
                stages += Self.skipped(.imap, ["FETCH"], "not attempted: the INBOX cannot be opened")
            }
            await client.logout()
            return stages
        }

        if var r = report {
            if let (message, sentAt) = selfTest {
                stages += await fetchBack(client, message, sentAt: sentAt, sent: sent, report: &r, server: s)
            } else {
                stages.append(StageReport(protocol: .imap, name: "FETCH", status: .skipped,
                                          detail: "not attempted: the self-test message was not sent"))
            }
            report = r
        }
        await client.logout()
        return stages
    }

    /// Polls for the self-test message (UID SEARCH HEADER, RFC 9051 §6.4.4) until the deadline,
    /// checks its attachment, and appends the copy to \Sent when asked.
    func fetchBack(_ client: IMAPClient, _ message: SelfTestMessage, sentAt: ContinuousClock.Instant,
                   sent: MailboxInfo?, report: inout SelfTestReport, server s: ServerSettings) async -> [StageReport] {
        var stages: [StageReport] = []
        let clock = ContinuousClock()
        let st = options.selfTest ?? SelfTestOptions()
        let deadline = clock.now + st.deadline
        let start = clock.now
        var found: UInt32?
        var lastError: (any Error)?
        while found == nil && clock.now < deadline && !Task.isCancelled {
            do {
                _ = try await client.noop()
                found = try await client.uidSearch(.header(SelfTestOptions.tokenHeader, message.token)).first
                lastError = nil
            } catch {
                lastError = error
                break
            }
            if found == nil { try? await Task.sleep(for: st.pollInterval) }
        }
        guard let uid = found else {
            if let lastError {
                stages.append(failed(.imap, "FETCH", lastError, s, clock.now - start))
            } else {
                let seconds = Double(st.deadline.components.seconds)
                let evidence = FailureEvidence(protocol: .imap, stage: "FETCH",
                                               text: "the self-test message \(message.token) was accepted by the SMTP server but did not arrive in the INBOX of \(s.credentials.user) within \(Int(seconds)) s",
                                               host: s.host, port: s.port, security: s.security, user: s.credentials.user)
                let d = options.catalogue.diagnose(evidence)
                options.transcript.diagnosis(d.transcriptLine)
                stages.append(StageReport(protocol: .imap, name: "FETCH", status: .failed, milliseconds: ms(clock.now - start),
                                          detail: d.evidence, diagnosis: d))
            }
            return stages
        }
        let delivery = clock.now - sentAt
        report.deliverySeconds = Double(delivery.components.seconds) + Double(delivery.components.attoseconds) / 1e18
        var detail = "message \(message.token) found (UID \(uid)) \(ProbeVerdict.format(report.deliverySeconds!)) s after the SMTP server accepted it"
        if let attachment = message.attachment {
            let body = (try? await client.uidFetchAll(SequenceSet([uid]), [.body()]).first?.body()) ?? []
            let flat = String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\r\n", with: "")
            let intact = flat.contains(attachment.base64EncodedString())
            report.attachmentIntact = intact
            detail += intact ? ", attachment \(message.attachmentName ?? "") intact (\(attachment.count) bytes)"
                : ", but the attachment \(message.attachmentName ?? "") is missing or changed"
        }
        stages.append(StageReport(protocol: .imap, name: "FETCH", status: report.attachmentIntact == false ? .failed : .passed,
                                  milliseconds: ms(clock.now - start), detail: detail))
        if st.appendToSent {
            let t = clock.now
            if let sent {
                do {
                    _ = try await client.append(message.bytes, to: sent.name, flags: [.seen])
                    report.sentMailbox = sent.name.name
                    stages.append(StageReport(protocol: .imap, name: "APPEND", status: .passed, milliseconds: ms(clock.now - t),
                                              detail: "copy saved in \"\(sent.name.name)\""))
                } catch {
                    stages.append(failed(.imap, "APPEND", error, s, clock.now - t))
                }
            } else {
                stages.append(StageReport(protocol: .imap, name: "APPEND", status: .skipped,
                                          detail: "the server marks no mailbox as \\Sent (SPECIAL-USE)"))
            }
        }
        return stages
    }
}
