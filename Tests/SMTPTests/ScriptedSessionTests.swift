import Auth
import Foundation
import NetIO
import TestSupport
import Testing
@testable import SMTP

typealias Step = ScriptedPeer.Step

/// What no real server will do, played by scripted peers: refusals, 421 and reconnects, drops
/// after the final dot, byte-by-byte replies, pipelined rejections, STARTTLS missing or
/// injected, no common AUTH mechanism.
@Suite("SMTP client against scripted servers", .serialized)
struct ScriptedSessionTests {
    static let message = Array("From: a@example.test\r\nTo: b@example.test\r\nSubject: t\r\n\r\nhello\r\n.dot\r\n".utf8)
    static let envelope = Envelope(mailFrom: "a@example.test", recipients: ["b@example.test"])

    static func client(_ port: UInt16, security: Security = .plaintextUnsafe, credentials: Credentials = .none,
                       allowPlaintext: Bool = false, chunkSize: Int = 1 << 20,
                       timeouts: SMTPTimeouts = .uniform(.seconds(5))) -> SMTPClient {
        SMTPClient(SMTPConfiguration(endpoint: Endpoint(host: "127.0.0.1", port: port), security: security,
                                     credentials: credentials,
                                     mechanism: MechanismSelection(allowPlaintextPasswordUnsafe: allowPlaintext),
                                     clientName: "client.example.test", timeouts: timeouts, chunkSize: chunkSize))
    }

    /// Greeting and EHLO offering `extensions`.
    static func hello(_ extensions: [String] = []) -> [Step] {
        var steps: [Step] = [.send("220 fake.example.test ESMTP"), .expect("EHLO client.example.test")]
        let lines = ["fake.example.test"] + extensions
        for (i, l) in lines.enumerated() { steps.append(.send("250\(i == lines.count - 1 ? " " : "-")\(l)")) }
        return steps
    }

    /// The lines of `message` as the server sees them after DATA, then the final dot.
    static let bodyLines: [Step] = [.expect("From: a@example.test"), .expect("To: b@example.test"), .expect("Subject: t"),
                                    .expect(""), .expect("hello"), .expect("..dot"), .expect(".")]

    static func transaction(queueID: String) -> [Step] {
        [.expect("MAIL FROM:<a@example.test>"), .send("250 2.1.0 Ok"),
         .expect("RCPT TO:<b@example.test>"), .send("250 2.1.5 Ok"),
         .expect("DATA"), .send("354 End data with <CR><LF>.<CR><LF>")]
            + bodyLines + [.send("250 2.0.0 Ok: queued as \(queueID)")]
    }

    /// A server that greets, offers `extensions` and then expects only QUIT: the client must stop
    /// before any other command.
    static func quitOnlyPeer(offering extensions: [String]) throws -> ScriptedPeer {
        try ScriptedPeer(hello(extensions) + [.expect("QUIT"), .send("221 bye")])
    }

    /// The login of the AUTH tests.
    static let shopLogin: Credentials = .password(user: "shop", password: "s3cret-pw")

    static func noMailSent(_ log: [String]) -> Bool { !log.contains { $0.hasPrefix("C: MAIL") || $0.hasPrefix("C: RCPT") } }

    // MARK: greeting and EHLO

    @Test func greeting554IsNamedAndTheClientQuits() async throws {
        let peer = try ScriptedPeer([.send("554 5.7.1 No SMTP service here"), .expect("QUIT"), .send("221 Bye")])
        let client = Self.client(peer.port)
        await #expect {
            try await client.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .greetingRefused && e?.stage == .greeting && e?.reply?.code == 554 && e?.isPermanent == true
        }
        #expect(await peer.finish() == nil)
    }

    @Test func greeting421IsTransient() async throws {
        let peer = try ScriptedPeer([.send("421 4.3.2 Too busy, try later"), .close])
        let client = Self.client(peer.port)
        await #expect {
            try await client.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .serviceUnavailable && e?.stage == .greeting && e?.isTransient == true
        }
        #expect(await client.isConnected() == false)
    }

    @Test func multiLineGreetingAndRepliesSplitByteByByte() async throws {
        let wire = "220-fake.example.test ESMTP\r\n220-second line\r\n220 third line\r\n"
        let ehlo = "250-fake.example.test\r\n250-SIZE 1000\r\n250 8BITMIME\r\n"
        func bytewise(_ s: String) -> [Step] { Array(s.utf8).flatMap { [Step.sendRaw([$0]), .sleep(0.001)] } }
        let script: [Step] = bytewise(wire) + [.expect("EHLO client.example.test")] + bytewise(ehlo)
            + [.expect("MAIL FROM:<a@example.test> SIZE=\(Self.message.count)")] + bytewise("250 2.1.0 Ok\r\n")
            + [.expect("RCPT TO:<b@example.test>")] + bytewise("250 2.1.5 Ok\r\n")
            + [.expect("DATA")] + bytewise("354 go\r\n") + Self.bodyLines + bytewise("250 2.0.0 Ok: queued as BYTE1\r\n")
        let peer = try ScriptedPeer(script)
        let client = Self.client(peer.port)
        let result = try await client.send(raw: Self.message, envelope: Self.envelope)
        #expect(await client.greeting?.lines == ["fake.example.test ESMTP", "second line", "third line"])
        #expect(await client.capabilities?.sizeLimit == 1000)
        #expect(result.queueID == "BYTE1")
        #expect(!result.pipelined && !result.usedChunking)
        #expect(await peer.finish() == nil)
    }

    @Test func ehloRefusedFallsBackToHELO() async throws {
        let peer = try ScriptedPeer([.send("220 old ESMTP"), .expect("EHLO client.example.test"),
                                     .send("502 5.5.1 Command not implemented"), .expect("HELO client.example.test"),
                                     .send("250 old")] + Self.transaction(queueID: "OLD1") + [.expect("QUIT"), .send("221 bye")])
        let client = Self.client(peer.port)
        let result = try await client.send(raw: Self.message, envelope: Self.envelope)
        #expect(result.queueID == "OLD1")
        #expect(await client.capabilities?.isExtended == false)
        await client.quit()
        #expect(await peer.finish() == nil)
        #expect(client.transcript.lastLines.contains { $0.contains("falling back to HELO") })
    }

    @Test func garbageReplyIsMalformedAndClosesTheSession() async throws {
        let peer = try ScriptedPeer([.send("220 x"), .expect("EHLO client.example.test"), .send("HTTP/1.1 400 Bad Request"),
                                     .readUntilClosed])
        let client = Self.client(peer.port)
        await #expect {
            try await client.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .malformedReply && e?.stage == .ehlo && e?.transcriptTail.last?.contains("<-* HTTP/1.1") == true
        }
        #expect(await client.isConnected() == false)
        #expect(await peer.finish() == nil)
    }

    // MARK: STARTTLS

    @Test func startTLSNotOfferedWhileRequiredIsAnError() async throws {
        let peer = try Self.quitOnlyPeer(offering: ["AUTH PLAIN", "PIPELINING"])
        let client = Self.client(peer.port, security: .startTLS, credentials: .password(user: "u", password: "pw-123"))
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .startTLSNotOffered && e?.stage == .startTLS && e?.isPermanent == true
        }
        #expect(await peer.finish() == nil)
        #expect(Self.noMailSent(peer.log))
        #expect(!peer.log.contains { $0.hasPrefix("C: AUTH") })
    }

    @Test func responseInjectedAfterSTARTTLSIsRefused() async throws {
        let peer = try ScriptedPeer(Self.hello(["STARTTLS"]) + [
            .expect("STARTTLS"), .sendRaw(Array("220 2.0.0 Ready\r\n250-evil\r\n250 AUTH PLAIN\r\n".utf8)), .readUntilClosed,
        ])
        let client = Self.client(peer.port, security: .startTLS)
        await #expect {
            try await client.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .network && e?.netIO?.kind == .startTLSInjection && e?.stage == .tls
        }
        #expect(await client.isConnected() == false)
        #expect(await peer.finish() == nil)
    }

    @Test func startTLSRefusedIsNamed() async throws {
        let peer = try ScriptedPeer(Self.hello(["STARTTLS"]) + [.expect("STARTTLS"), .send("454 4.7.0 TLS not available"),
                                                                 .expect("QUIT"), .send("221 bye")])
        let client = Self.client(peer.port, security: .startTLS)
        await #expect {
            try await client.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .startTLSRefused && e?.reply?.code == 454 && e?.isTransient == true
        }
        #expect(await peer.finish() == nil)
    }

    // MARK: AUTH

    @Test func noCommonMechanismIsAnErrorNeverAnUnauthenticatedSend() async throws {
        let peer = try Self.quitOnlyPeer(offering: ["AUTH GSSAPI NTLM", "PIPELINING"])
        let client = Self.client(peer.port, credentials: Self.shopLogin, allowPlaintext: true)
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope)
        } throws: { error in
            guard let e = error as? SMTPError, e.kind == .auth, e.stage == .auth,
                  case .noCommonMechanism(let offered)? = e.authError?.kind else { return false }
            return offered == ["GSSAPI", "NTLM"] && e.isPermanent
        }
        #expect(await peer.finish() == nil)
        #expect(Self.noMailSent(peer.log))
        #expect(await client.isConnected() == false)
    }

    @Test func noAuthOfferedWithCredentialsIsAnError() async throws {
        let peer = try Self.quitOnlyPeer(offering: ["PIPELINING", "8BITMIME"])
        let client = Self.client(peer.port, credentials: Self.shopLogin, allowPlaintext: true)
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope)
        } throws: { ($0 as? SMTPError)?.kind == .authNotOffered }
        #expect(await peer.finish() == nil)
        #expect(Self.noMailSent(peer.log))
    }

    @Test func plainWithoutTLSNeedsTheUnsafeOptIn() async throws {
        let peer = try Self.quitOnlyPeer(offering: ["AUTH PLAIN"])
        let client = Self.client(peer.port, credentials: Self.shopLogin)
        await #expect {
            try await client.connect()
        } throws: { error in
            guard let e = error as? SMTPError, case .wouldExposeSecret? = e.authError?.kind else { return false }
            return e.stage == .auth
        }
        #expect(await peer.finish() == nil)
        #expect(!peer.log.contains { $0.hasPrefix("C: AUTH") })
    }

    @Test func longInitialResponseGoesByContinuation() async throws {
        let user = String(repeating: "u", count: 400) + "@example.test"
        let password = "pw-" + String(repeating: "p", count: 20)
        let expected = Data(([0] + Array(user.utf8) + [0] + Array(password.utf8))).base64EncodedString()
        let peer = try ScriptedPeer(Self.hello(["AUTH PLAIN"]) + [
            .expect("AUTH PLAIN"), .send("334 "), .expect(expected), .send("235 2.7.0 Authentication successful"),
        ])
        let client = Self.client(peer.port, credentials: .password(user: user, password: password), allowPlaintext: true)
        try await client.connect()
        #expect(await client.authenticatedMechanism == "PLAIN")
        #expect(await peer.finish() == nil)
        let lines = client.transcript.lastLines
        #expect(lines.contains { $0.hasSuffix(" -> AUTH PLAIN") })
        #expect(lines.contains { $0.hasSuffix(" -> <redacted: credentials of \(user)>") })
        #expect(!lines.contains { $0.contains(expected) || $0.contains(password) })
        await client.close()
    }

    @Test func aChallengeTheMechanismCannotAnswerIsCancelled() async throws {
        let peer = try ScriptedPeer(Self.hello(["AUTH PLAIN"]) + [
            .expectPrefix("AUTH PLAIN "), .send("334 Zm9vYmFy"), .expect("*"), .send("501 5.7.0 Authentication cancelled"),
            .expect("QUIT"), .send("221 bye"),
        ])
        let client = Self.client(peer.port, credentials: Self.shopLogin, allowPlaintext: true)
        await #expect {
            try await client.connect()
        } throws: { error in
            guard let e = error as? SMTPError, case .protocolViolation? = e.authError?.kind else { return false }
            return e.kind == .auth && e.stage == .auth
        }
        #expect(await peer.finish() == nil)
        #expect(client.transcript.lastLines.contains { $0.contains("334 <redacted: challenge>") })
        #expect(!client.transcript.lastLines.contains { $0.contains("Zm9vYmFy") })
    }

    @Test func refusedCredentialsAre535WithStageAUTH() async throws {
        let peer = try ScriptedPeer(Self.hello(["AUTH PLAIN"]) + [
            .expectPrefix("AUTH PLAIN "), .send("535 5.7.8 Error: authentication failed"), .expect("QUIT"), .send("221 bye"),
        ])
        let client = Self.client(peer.port, credentials: Self.shopLogin, allowPlaintext: true)
        await #expect {
            try await client.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .authenticationFailed && e?.stage == .auth && e?.reply?.code == 535
                && e?.enhancedCode?.description == "5.7.8" && e?.isPermanent == true
        }
        #expect(await peer.finish() == nil)
    }

    // MARK: transactions

    @Test func pipelinedGroupWithOneRejectedRecipient() async throws {
        let peer = try ScriptedPeer(Self.hello(["PIPELINING", "ENHANCEDSTATUSCODES"]) + [
            // The whole group arrives before any reply: a client waiting for MAIL's reply would hang here.
            .expect("MAIL FROM:<a@example.test>"), .expect("RCPT TO:<b@example.test>"),
            .expect("RCPT TO:<nobody@example.test>"), .expect("RCPT TO:<c@example.test>"), .expect("DATA"),
            .sendRaw(Array(("250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n550 5.1.1 <nobody@example.test>: User unknown\r\n"
                            + "250 2.1.5 Ok\r\n354 go ahead\r\n").utf8)),
        ] + Self.bodyLines + [.send("250 2.0.0 Ok: queued as PIPE1")])
        let client = Self.client(peer.port)
        let result = try await client.send(raw: Self.message, envelope: Envelope(
            mailFrom: "a@example.test", recipients: ["b@example.test", "nobody@example.test", "c@example.test"]))
        #expect(result.pipelined)
        #expect(result.queueID == "PIPE1")
        #expect(result.recipients.map(\.accepted) == [true, false, true])
        #expect(result.rejected.first == RecipientResult(address: "nobody@example.test", accepted: false, code: 550,
                                                        enhancedCode: "5.1.1", text: "<nobody@example.test>: User unknown"))
        #expect(await peer.finish() == nil)
        let lines = client.transcript.lastLines
        #expect(lines.contains { $0.hasSuffix("<-* 550 5.1.1 <nobody@example.test>: User unknown") })
        #expect(lines.contains { $0.hasSuffix(" -> <message: \(Self.message.count) bytes, raw>") })
        #expect(!lines.contains { $0.contains("hello") })
    }

    @Test func pipelinedEveryRecipientRejectedEndsTheEmptyDataAndResets() async throws {
        let peer = try ScriptedPeer(Self.hello(["PIPELINING"]) + [
            .expect("MAIL FROM:<a@example.test>"), .expect("RCPT TO:<b@example.test>"), .expect("DATA"),
            .sendRaw(Array("250 Ok\r\n550 5.1.1 unknown\r\n354 go ahead\r\n".utf8)),
            .expect("."), .send("554 5.5.1 No valid recipients"), .expect("RSET"), .send("250 Ok"),
        ])
        let client = Self.client(peer.port)
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .allRecipientsRejected && e?.stage == .rcpt && e?.recipients.count == 1
                && e?.reply?.code == 550 && e?.isPermanent == true
        }
        #expect(await peer.finish() == nil)
        #expect(!peer.log.contains("C: hello"))
    }

    @Test func requireAllRecipientsStopsBeforeData() async throws {
        let peer = try ScriptedPeer(Self.hello(["PIPELINING"]) + [
            .expect("MAIL FROM:<a@example.test>"), .expect("RCPT TO:<b@example.test>"), .expect("RCPT TO:<c@example.test>"),
            .sendRaw(Array("250 Ok\r\n250 Ok\r\n450 4.2.0 mailbox busy\r\n".utf8)),
            .expect("RSET"), .send("250 Ok"),
        ])
        let client = Self.client(peer.port)
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Envelope(mailFrom: "a@example.test",
                                                                          recipients: ["b@example.test", "c@example.test"]),
                                      requireAllRecipients: true)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .someRecipientsRejected && e?.recipients.map(\.accepted) == [true, false] && e?.isTransient == true
        }
        #expect(await peer.finish() == nil)
        #expect(!peer.log.contains("C: DATA"))
    }

    @Test func dropAfterTheFinalDotIsOutcomeUnknown() async throws {
        let peer = try ScriptedPeer(Self.hello() + [
            .expect("MAIL FROM:<a@example.test>"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"), .send("250 Ok"),
            .expect("DATA"), .send("354 go"),
        ] + Self.bodyLines + [.close])
        let client = Self.client(peer.port)
        let commits = Locked(0)
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope,
                                      willCommit: { commits.withLock { $0 += 1 } })
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .outcomeUnknown && e?.stage == .data && e?.isTransient == false && e?.isPermanent == false
                && e?.recipients.map(\.accepted) == [true]
        }
        #expect(commits.withLock { $0 } == 1)
        #expect(await peer.finish() == nil)
        #expect(client.transcript.lastLines.contains { $0.contains("!!! the connection was lost after the end of the message") })
    }

    @Test func dropBeforeTheDataReplyIsAnOrdinaryFailure() async throws {
        let peer = try ScriptedPeer(Self.hello() + [
            .expect("MAIL FROM:<a@example.test>"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"), .send("250 Ok"),
            .expect("DATA"), .close,
        ])
        let client = Self.client(peer.port)
        let commits = Locked(0)
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope,
                                      willCommit: { commits.withLock { $0 += 1 } })
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .network && e?.stage == .data && e?.netIO?.kind == .closedByPeer && e?.isTransient == true
        }
        #expect(commits.withLock { $0 } == 0)
    }

    @Test func aFailingCommitHookClosesWithoutTheFinalDot() async throws {
        struct Refused: Error {}
        let peer = try ScriptedPeer(Self.hello() + Array(Self.transaction(queueID: "X").dropLast(2)) + [.readUntilClosed])
        let client = Self.client(peer.port)
        await #expect(throws: Refused.self) {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope, willCommit: { throw Refused() })
        }
        #expect(await peer.finish() == nil)
        #expect(!peer.log.contains("C: ."))
    }

    @Test func reconnectsAfter421MidSession() async throws {
        let peer = try ScriptedPeer(connections: [
            Self.hello() + Self.transaction(queueID: "ONE")
                + [.expect("MAIL FROM:<a@example.test>"), .send("421 4.3.2 Service shutting down"), .close],
            Self.hello() + Self.transaction(queueID: "TWO") + [.expect("QUIT"), .send("221 Bye")],
        ])
        let client = Self.client(peer.port)
        let first = try await client.send(raw: Self.message, envelope: Self.envelope)
        let second = try await client.send(raw: Self.message, envelope: Self.envelope)
        await client.quit()
        #expect(first.queueID == "ONE" && second.queueID == "TWO")
        #expect(await client.connectionCount == 2)
        #expect(await peer.finish() == nil)
        #expect(client.transcript.lastLines.contains { $0.contains("failed at MAIL") && $0.contains("opening a new one") })
    }

    @Test func a421AtRCPTFailsThisSendAndTheNextReconnects() async throws {
        let peer = try ScriptedPeer(connections: [
            Self.hello() + [.expect("MAIL FROM:<a@example.test>"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"),
                            .send("421 4.4.2 Timeout exceeded"), .close],
            Self.hello() + Self.transaction(queueID: "AGAIN"),
        ])
        let client = Self.client(peer.port)
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .serviceUnavailable && e?.stage == .rcpt && e?.isTransient == true && e?.reply?.code == 421
        }
        #expect(await client.isConnected() == false)
        let again = try await client.send(raw: Self.message, envelope: Self.envelope)
        #expect(again.queueID == "AGAIN")
        #expect(await peer.finish() == nil)
    }

    @Test func manyMessagesOnOneConnection() async throws {
        let peer = try ScriptedPeer(Self.hello() + Self.transaction(queueID: "M1") + Self.transaction(queueID: "M2")
                                    + Self.transaction(queueID: "M3") + [.expect("QUIT"), .send("221 Bye")])
        let client = Self.client(peer.port)
        var ids: [String?] = []
        for _ in 0..<3 { ids.append(try await client.send(raw: Self.message, envelope: Self.envelope).queueID) }
        #expect(ids == ["M1", "M2", "M3"])
        #expect(await client.messagesOnConnection == 3)
        #expect(await client.connectionCount == 1)
        await client.quit()
        #expect(await peer.finish() == nil)
    }

    @Test func bdatChunksWhenChunkingIsOffered() async throws {
        let message = Array("abcdefg\nhijklmn\n".utf8)  // 18 octets once normalised: two chunks of 9
        let peer = try ScriptedPeer(Self.hello(["CHUNKING", "SIZE"]) + [
            .expect("MAIL FROM:<a@example.test> SIZE=16"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"), .send("250 Ok"),
            .expect("BDAT 9"), .expect("abcdefg"), .send("250 2.0.0 9 octets received"),
            .expect("BDAT 9 LAST"), .expect("hijklmn"), .send("250 2.0.0 Ok: queued as CHUNK1"),
        ])
        let client = Self.client(peer.port, chunkSize: 9)
        let commits = Locked(0)
        let result = try await client.send(raw: message, envelope: Self.envelope, willCommit: { commits.withLock { $0 += 1 } })
        #expect(result.usedChunking && result.queueID == "CHUNK1" && result.messageSize == 16)
        #expect(commits.withLock { $0 } == 1)
        #expect(await peer.finish() == nil)
    }

    /// A source that announces more octets than it writes: its first BDAT chunk was announced
    /// before its octets were at hand, so the client cannot finish it and closes the connection.
    @Test func sourceShorterThanItsAnnouncedSizeClosesTheChunkedSession() async throws {
        struct ShortSource: SMTPMessageSource {
            var byteCount: Int? { 300_000 }
            var requires8BitMIME: Bool { false }
            func write(to sink: (ArraySlice<UInt8>) async throws -> Void) async throws {
                let line = Array("0123456789012345678901234567890123456789012345678901234567890123456789\r\n".utf8)
                var piece: [UInt8] = []
                while piece.count < 64 * 1024 { piece += line }
                try await sink(piece[...])
                try await sink(piece[...])
            }
        }
        let peer = try ScriptedPeer(Self.hello(["CHUNKING", "SIZE"]) + [
            .expect("MAIL FROM:<a@example.test> SIZE=300000"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"),
            .send("250 Ok"), .expect("BDAT 299999"), .readUntilClosed,
        ])
        let client = Self.client(peer.port)
        await #expect {
            _ = try await client.send(raw: ShortSource(), envelope: Self.envelope)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .invalidArgument && e?.stage == .bdat && e?.evidence?.contains("before its announced size") == true
        }
        #expect(await client.isConnected() == false)
        #expect(await peer.finish() == nil)
    }

    @Test func dsnParametersWhenOffered() async throws {
        let steps: [Step] = [
            // SMTPUTF8 because of the UTF-8 recipient; BODY=8BITMIME because of the UTF-8 header.
            .expect("MAIL FROM:<a@example.test> BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=inv+201042"), .send("250 Ok"),
            .expect("RCPT TO:<b@example.test> NOTIFY=FAILURE,DELAY ORCPT=rfc822;b@example.test"), .send("250 Ok"),
            .expect("RCPT TO:<jörg@exämple.test> NOTIFY=FAILURE,DELAY"), .send("250 Ok"),
            .expect("DATA"), .send("354 go"), .expect("Subject: caf\u{e9}"), .expect("."), .send("250 Ok"),
        ]
        let peer = try ScriptedPeer(Self.hello(["DSN", "8BITMIME", "SMTPUTF8"]) + steps)
        let client = Self.client(peer.port)
        let envelope = Envelope(mailFrom: "a@example.test", recipients: ["b@example.test", "jörg@exämple.test"],
                                dsn: DSNOptions(ret: .headers, envelopeID: "inv 1042", notify: [.failure, .delay]))
        let result = try await client.send(raw: Array("Subject: café\r\n".utf8), envelope: envelope)
        #expect(result.accepted.count == 2)
        #expect(await peer.finish() == nil)
    }

    @Test func missingSMTPUTF8OrTooLargeStopsBeforeMAIL() async throws {
        let peer = try Self.quitOnlyPeer(offering: ["SIZE 10"])
        let client = Self.client(peer.port)
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .messageTooLarge(limit: 10) && e?.stage == .mail && e?.isPermanent == true
        }
        await #expect {
            _ = try await client.send(raw: Array("x".utf8), envelope: Envelope(mailFrom: "a@example.test", recipients: ["jörg@example.test"]))
        } throws: { ($0 as? SMTPError)?.kind == .extensionMissing("SMTPUTF8") }
        await client.quit()
        #expect(await peer.finish() == nil)
        #expect(Self.noMailSent(peer.log))
    }

    @Test func injectionInTheEnvelopeIsRefusedBeforeConnecting() async throws {
        let client = Self.client(1)  // nothing listens on port 1: refused before connecting
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Envelope(mailFrom: "a@b>\r\nDATA", recipients: ["c@d"]))
        } throws: { ($0 as? SMTPError)?.kind == .invalidArgument && ($0 as? SMTPError)?.stage == .mail }
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Envelope(mailFrom: "a@b", recipients: ["c@d>\r\nRSET"]))
        } throws: { ($0 as? SMTPError)?.kind == .invalidArgument && ($0 as? SMTPError)?.stage == .rcpt }
        #expect(await client.connectionCount == 0)
    }

    @Test func aRefusedConnectionIsANetworkErrorAtConnect() async throws {
        let client = Self.client(1)
        await #expect {
            try await client.connect()
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .network && e?.stage == .connect && e?.netIO?.kind == .refused && e?.isTransient == true
        }
    }

    @Test func rcptTimeoutIsConfigurableAndNamesTheStage() async throws {
        let peer = try ScriptedPeer(Self.hello() + [.expect("MAIL FROM:<a@example.test>"), .send("250 Ok"),
                                                    .expect("RCPT TO:<b@example.test>"), .sleep(1.5)])
        var timeouts = SMTPTimeouts.uniform(.seconds(5))
        timeouts.rcpt = .milliseconds(400)
        let client = Self.client(peer.port, timeouts: timeouts)
        let start = ContinuousClock.now
        await #expect {
            _ = try await client.send(raw: Self.message, envelope: Self.envelope)
        } throws: { error in
            let e = error as? SMTPError
            return e?.kind == .network && e?.stage == .rcpt && e?.netIO?.kind == .timeout
        }
        #expect(start.duration(to: .now) < .seconds(1.4))
        #expect(SMTPTimeouts().greeting == .seconds(300) && SMTPTimeouts().dataTermination == .seconds(600)
                && SMTPTimeouts().dataInitiation == .seconds(120) && SMTPTimeouts().dataBlock == .seconds(180))
    }

    @Test func verbsOneByOne() async throws {
        let peer = try ScriptedPeer(Self.hello(["PIPELINING"]) + [
            .expect("NOOP"), .send("250 2.0.0 Ok"),
            .expect("MAIL FROM:<>"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"), .send("550 5.1.1 no"),
            .expect("RSET"), .send("250 Ok"),
            .expect("MAIL FROM:<a@example.test>"), .send("250 Ok"), .expect("RCPT TO:<b@example.test>"), .send("250 Ok"),
            .expect("DATA"), .send("354 go"),
        ] + Self.bodyLines + [.send("250 2.0.0 Ok: queued as V1"), .expect("QUIT"), .send("221 Bye")])
        let client = Self.client(peer.port)
        try await client.open()
        try await client.ehlo()
        try await client.noop()
        try await client.mail(from: "")
        await #expect {
            try await client.rcpt(to: "b@example.test")
        } throws: { ($0 as? SMTPError)?.reply?.code == 550 && ($0 as? SMTPError)?.stage == .rcpt }
        try await client.rset()
        try await client.mail(from: "a@example.test")
        try await client.rcpt(to: "b@example.test")
        let final = try await client.data(Self.message)
        #expect(QueueID.parse(final) == "V1")
        await client.quit()
        #expect(await peer.finish() == nil)
    }
}
