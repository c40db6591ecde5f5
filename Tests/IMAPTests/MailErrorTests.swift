import IMAP
import NetIO
import TestSupport
import Testing

/// `IMAPError` and the `NetIOError` under it read through `any MailError`, the way an app
/// reports any engine failure without knowing which layer it came from.
@Suite("IMAP errors as MailError")
struct MailErrorTests {
    /// What an app's error handler would show, from the protocol alone.
    static func report(_ error: any MailError) -> (headline: String, log: [String]) {
        ("\(error.stage): \(error.summary)", error.transcriptTail)
    }

    @Test func aRefusedLoginReadsTheSameThroughMailError() async throws {
        let d = try Dovecot()
        let imap = try await d.connect()
        do {
            try await imap.login(user: Dovecot.alice.0, password: "wrong-secret-3")
            Issue.record("login succeeded")
        } catch let error as any MailError {
            let e = try #require(error as? IMAPError)
            #expect(error.stage == IMAPStage.login)
            #expect(error.summary == "the server refused")
            #expect(error.description.hasPrefix(Self.report(error).headline), "\(error)")
            #expect(error.description.contains("AUTHENTICATIONFAILED"), "\(error)")
            #expect(error.details?.contains("AUTHENTICATIONFAILED") == true, "\(String(describing: error.details))")
            #expect(!error.isTransient)
            #expect(error.transportError == nil)
            #expect(!Self.report(error).log.isEmpty)
            #expect(!(Self.report(error).log + [error.description, error.details ?? ""]).joined().contains("wrong-secret-3"))
            #expect(e.kind == .no)
        }
        await imap.logout()
    }

    @Test func aRefusedConnectionCarriesItsTransportError() async throws {
        let port = LoopbackPorts.freeTCP()
        do {
            _ = try await IMAPClient.connect(to: Endpoint(host: "127.0.0.1", port: port),
                                             options: IMAPClientOptions(security: .implicitTLS, timeouts: .uniform(.seconds(5))))
            Issue.record("connected to a closed port")
        } catch let error as any MailError {
            #expect(error is IMAPError)
            #expect(error.stage == .connect, "\(error)")
            #expect(error.isTransient, "a refused connection may pass on a retry")
            let transport = try #require(error.transportError)
            #expect(transport.kind == .refused)
            #expect(error.summary == transport.summary)
            #expect(error.details == transport.evidence && error.details != nil, "\(String(describing: error.details))")
            let direct: any MailError = transport
            #expect(direct.transportError?.kind == .refused)
            #expect(Self.report(direct).headline == "\(transport.stage): \(transport.summary)")
        }
    }
}
