import Foundation
import Testing
@testable import Auth

/// `MechanismSelection.choose`: the strongest common mechanism for the credentials, the pinned
/// one or an error, never a silent "no authentication", and no reusable secret without TLS.
@Suite struct MechanismChoiceTests {
    enum Expected: Sendable {
        case mechanism(String)
        case noCommon
        case unavailable(String)
        case exposes(String)
        case unsuitable
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var offered: [String]
        var credentials: Credentials
        var encrypted = true
        var pinned: String? = nil
        var unsafe = false
        var expected: Expected
        var testDescription: String {
            "\(offered.joined(separator: " ")) \(credentials.redactedLabel) \(encrypted ? "TLS" : "plain")"
                + (pinned.map { " pinned \($0)" } ?? "") + (unsafe ? " unsafe" : "")
        }
    }

    static let password = Credentials.password(user: "alice@example.test", password: "alice-secret")
    static let token = Credentials.oauth2(user: "alice@example.test", accessToken: "ya29.token")
    static let everything = ["PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", "XOAUTH2", "OAUTHBEARER"]

    static let cases: [Case] = [
        // strongest common, with a password
        Case(offered: everything, credentials: password, expected: .mechanism("SCRAM-SHA-256")),
        Case(offered: ["PLAIN", "LOGIN", "SCRAM-SHA-1"], credentials: password, expected: .mechanism("SCRAM-SHA-1")),
        Case(offered: ["LOGIN", "PLAIN", "CRAM-MD5"], credentials: password, expected: .mechanism("CRAM-MD5")),
        Case(offered: ["LOGIN", "PLAIN"], credentials: password, expected: .mechanism("PLAIN")),
        Case(offered: ["LOGIN"], credentials: password, expected: .mechanism("LOGIN")),
        Case(offered: ["plain", "scram-sha-256"], credentials: password, expected: .mechanism("SCRAM-SHA-256")),
        Case(offered: ["SCRAM-SHA-256-PLUS", "PLAIN"], credentials: password, expected: .mechanism("PLAIN")),
        // DIGEST-MD5 (RFC 6331), NTLM, GSSAPI: only when pinned
        Case(offered: ["DIGEST-MD5", "PLAIN"], credentials: password, expected: .mechanism("PLAIN")),
        Case(offered: ["DIGEST-MD5", "NTLM", "GSSAPI"], credentials: password, expected: .noCommon),
        Case(offered: ["DIGEST-MD5"], credentials: password, pinned: "DIGEST-MD5", expected: .mechanism("DIGEST-MD5")),
        Case(offered: ["NTLM", "LOGIN"], credentials: password, pinned: "ntlm", expected: .mechanism("NTLM")),
        // tokens
        Case(offered: everything, credentials: token, expected: .mechanism("OAUTHBEARER")),
        Case(offered: ["XOAUTH2", "PLAIN", "LOGIN"], credentials: token, expected: .mechanism("XOAUTH2")),
        Case(offered: ["PLAIN", "LOGIN"], credentials: token, expected: .noCommon),
        Case(offered: ["XOAUTH2", "OAUTHBEARER"], credentials: password, expected: .noCommon),
        // nothing offered: an error, never an unauthenticated session
        Case(offered: [], credentials: password, expected: .noCommon),
        Case(offered: ["FOO", "BAR"], credentials: password, expected: .noCommon),
        // without TLS: challenge-response allowed, reusable secrets refused unless opted in
        Case(offered: ["PLAIN", "LOGIN"], credentials: password, encrypted: false, expected: .exposes("PLAIN")),
        Case(offered: ["LOGIN"], credentials: password, encrypted: false, expected: .exposes("LOGIN")),
        Case(offered: ["PLAIN", "CRAM-MD5"], credentials: password, encrypted: false, expected: .mechanism("CRAM-MD5")),
        Case(offered: ["PLAIN", "SCRAM-SHA-256"], credentials: password, encrypted: false, expected: .mechanism("SCRAM-SHA-256")),
        Case(offered: ["PLAIN", "LOGIN"], credentials: password, encrypted: false, unsafe: true, expected: .mechanism("PLAIN")),
        Case(offered: ["XOAUTH2"], credentials: token, encrypted: false, expected: .exposes("XOAUTH2")),
        Case(offered: ["XOAUTH2", "OAUTHBEARER"], credentials: token, encrypted: false, unsafe: true, expected: .mechanism("OAUTHBEARER")),
        Case(offered: ["PLAIN", "SCRAM-SHA-256"], credentials: password, encrypted: false, pinned: "PLAIN", expected: .exposes("PLAIN")),
        // pinned
        Case(offered: ["PLAIN", "SCRAM-SHA-256"], credentials: password, pinned: "plain", expected: .mechanism("PLAIN")),
        Case(offered: ["PLAIN", "LOGIN"], credentials: password, pinned: "SCRAM-SHA-256", expected: .unavailable("SCRAM-SHA-256")),
        Case(offered: ["FOO-BAR"], credentials: password, pinned: "FOO-BAR", expected: .unavailable("FOO-BAR")),
        Case(offered: ["XOAUTH2"], credentials: password, pinned: "XOAUTH2", expected: .unsuitable),
        Case(offered: ["PLAIN"], credentials: token, pinned: "PLAIN", expected: .unsuitable),
        // credentials that cannot be used
        Case(offered: everything, credentials: .none, expected: .unsuitable),
        Case(offered: ["LOGIN"], credentials: Credentials(user: "alice", secret: .password("p"), authorizationID: "shop"),
             expected: .noCommon),
        Case(offered: ["LOGIN", "PLAIN"], credentials: Credentials(user: "alice", secret: .password("p"), authorizationID: "shop"),
             expected: .mechanism("PLAIN")),
    ]

    @Test(arguments: cases)
    func choice(_ c: Case) {
        let selection = MechanismSelection(pinned: c.pinned, allowPlaintextPasswordUnsafe: c.unsafe)
        do {
            let mechanism = try selection.choose(offered: c.offered, credentials: c.credentials, encrypted: c.encrypted,
                                                 serviceName: "smtp", host: "localhost")
            guard case .mechanism(let name) = c.expected else {
                Issue.record("chose \(mechanism.name), expected \(c.expected)")
                return
            }
            #expect(mechanism.name == name)
        } catch {
            switch (c.expected, error.kind) {
            case (.noCommon, .noCommonMechanism(let offered)):
                #expect(offered == c.offered)
            case (.unavailable(let name), .mechanismUnavailable(let got)):
                #expect(got == name)
                #expect(error.detail != nil)
            case (.exposes(let name), .wouldExposeSecret(let got)):
                #expect(got == name)
            case (.unsuitable, .credentialsUnsuitable):
                break
            default:
                Issue.record("got \(error), expected \(c.expected)")
            }
            #expect(!error.description.contains("alice-secret"))
        }
    }

    @Test func theErrorNamesWhatCouldBePinned() throws {
        let error = try #require(throws: AuthError.self) {
            try MechanismSelection().choose(offered: ["DIGEST-MD5"], credentials: Self.password, encrypted: true,
                                            serviceName: "imap", host: "localhost")
        }
        #expect(error.description.contains("DIGEST-MD5"))
        #expect(error.description.contains("pinned"))
    }

    @Test func reusableSecretFlags() throws {
        for name in ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"] {
            let credentials = name.contains("OAUTH") ? Self.token : Self.password
            let m = try MechanismSelection(pinned: name).choose(offered: [name], credentials: credentials, encrypted: true,
                                                                serviceName: "smtp", host: "localhost")
            #expect(m.sendsReusableSecret, "\(name)")
        }
        for name in ["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5"] {
            let m = try MechanismSelection(pinned: name).choose(offered: [name], credentials: Self.password, encrypted: false,
                                                                serviceName: "smtp", host: "localhost")
            #expect(!m.sendsReusableSecret, "\(name)")
        }
    }

    @Test func availableListStartsWithTheAutomaticOrder() {
        let available = MechanismSelection.availableMechanisms
        #expect(Array(available.prefix(7)) == ["SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN", "OAUTHBEARER", "XOAUTH2"])
        #expect(available.contains("DIGEST-MD5"))
    }
}
