import Foundation
import TestSupport
import Testing
@testable import Auth

/// The libsasl2 mechanisms, checked byte by byte against a SCRAM server and CRAM-MD5 verifier
/// written in the test (RFC 5802, RFC 7677, RFC 2195), and run many at once.
@Suite(.offCooperativePool) struct CyrusSASLTests {
    static let pluginDir = "/usr/lib/x86_64-linux-gnu/sasl2"

    @Test func theInstalledPluginsAreListed() {
        #expect(SASLLibrary.isInitialised)
        let mechanisms = SASLLibrary.availableMechanisms
        for name in ["SCRAM-SHA-1", "SCRAM-SHA-256", "CRAM-MD5", "DIGEST-MD5", "NTLM", "PLAIN", "LOGIN"] {
            #expect(mechanisms.contains(name), "\(name) missing from \(mechanisms)")
        }
        if FileManager.default.fileExists(atPath: "\(Self.pluginDir)/libgssapiv2.so") {
            #expect(mechanisms.contains("GSSAPI"))
        }
        #expect(SASLLibrary.version.contains("2."))
    }

    @Test func anUninstalledMechanismIsUnavailable() {
        #expect(throws: AuthError(.mechanismUnavailable("NO-SUCH-MECH"), mechanism: "NO-SUCH-MECH")) {
            try CyrusSASLMechanism(name: "no-such-mech", user: "u", password: "p", serviceName: "imap", host: "localhost")
        }
    }

    /// Runs a whole SCRAM exchange against the test server.
    static func scram(_ name: String, digest: TestCrypto.Digest, user: String, password: String,
                      serverPassword: String? = nil, authorizationID: String? = nil) throws -> (client: CyrusSASLMechanism, gs2: String) {
        var client = try CyrusSASLMechanism(name: name, user: user, password: password, authorizationID: authorizationID,
                                            serviceName: "imap", host: "localhost")
        var server = SCRAMTestServer(digest: digest, user: user, password: serverPassword ?? password)
        let clientFirst = try #require(try client.initialResponse())
        let serverFirst = try server.first(clientFirst)
        let clientFinal = try client.respond(to: serverFirst)
        let serverFinal = try server.final(clientFinal)
        #expect(try client.respond(to: serverFinal) == [])
        try client.verifySuccess(nil)
        return (client, server.gs2Header)
    }

    @Test(arguments: [("SCRAM-SHA-256", TestCrypto.Digest.sha256), ("SCRAM-SHA-1", .sha1)])
    func scramCompletesAndChecksTheServerSignature(name: String, digest: TestCrypto.Digest) throws {
        var client = try CyrusSASLMechanism(name: name, user: "alice@example.test", password: "alice-secret",
                                            serviceName: "imap", host: "localhost")
        #expect(client.name == name)
        #expect(!client.sendsReusableSecret)
        var server = SCRAMTestServer(digest: digest, user: "alice@example.test", password: "alice-secret")
        let clientFirst = try #require(try client.initialResponse())
        #expect(String(decoding: clientFirst, as: UTF8.self).hasPrefix("n,,n=alice@example.test,r="))
        let clientFinal = try client.respond(to: try server.first(clientFirst))
        let text = String(decoding: clientFinal, as: UTF8.self)
        #expect(text.hasPrefix("c=biws,r="))
        #expect(!text.contains("alice-secret"))
        let serverFinal = try server.final(clientFinal)
        #expect(String(decoding: serverFinal, as: UTF8.self).hasPrefix("v="))
        #expect(try client.respond(to: serverFinal) == [])
        try client.verifySuccess(nil)
    }

    @Test func scramCarriesTheAuthorizationIdentity() throws {
        let (_, gs2) = try Self.scram("SCRAM-SHA-256", digest: .sha256, user: "alice", password: "pw", authorizationID: "shop")
        #expect(gs2 == "n,a=shop,")
    }

    @Test func scramRefusesAWrongServerSignature() throws {
        var client = try CyrusSASLMechanism(name: "SCRAM-SHA-256", user: "alice", password: "pw", serviceName: "imap", host: "localhost")
        var server = SCRAMTestServer(digest: .sha256, user: "alice", password: "pw")
        let clientFinal = try client.respond(to: try server.first(try #require(try client.initialResponse())))
        let forged = try server.final(clientFinal, corruptSignature: true)
        let error = try #require(throws: AuthError.self) { try client.respond(to: forged) }
        #expect(error.mechanism == "SCRAM-SHA-256")
        guard case .protocolViolation(let why) = error.kind else { Issue.record("\(error)"); return }
        #expect(why.contains("signature is wrong"))
        #expect(throws: AuthError.self) { try client.verifySuccess(nil) }
    }

    /// A server that says "success" without its signature has not proved it knows the password.
    @Test func scramRefusesSuccessWithoutTheServerSignature() throws {
        var client = try CyrusSASLMechanism(name: "SCRAM-SHA-256", user: "alice", password: "pw", serviceName: "imap", host: "localhost")
        var server = SCRAMTestServer(digest: .sha256, user: "alice", password: "pw")
        _ = try client.respond(to: try server.first(try #require(try client.initialResponse())))
        let error = try #require(throws: AuthError.self) { try client.verifySuccess(nil) }
        guard case .protocolViolation = error.kind else { Issue.record("\(error)"); return }
    }

    /// RFC 4422 §3.6: the server-final message may come as additional data with the success.
    @Test func scramAcceptsTheSignatureAsSuccessData() throws {
        var client = try CyrusSASLMechanism(name: "SCRAM-SHA-1", user: "alice", password: "pw", serviceName: "smtp", host: "localhost")
        var server = SCRAMTestServer(digest: .sha1, user: "alice", password: "pw")
        let clientFinal = try client.respond(to: try server.first(try #require(try client.initialResponse())))
        try client.verifySuccess(try server.final(clientFinal))
    }

    @Test func scramWrongPasswordIsExplained() throws {
        var client = try CyrusSASLMechanism(name: "SCRAM-SHA-256", user: "alice", password: "wrong", serviceName: "imap", host: "localhost")
        var server = SCRAMTestServer(digest: .sha256, user: "alice", password: "right")
        let clientFinal = try client.respond(to: try server.first(try #require(try client.initialResponse())))
        let serverFinal = try server.final(clientFinal)
        #expect(serverFinal == Array("e=invalid-proof".utf8))
        #expect(throws: AuthError.self) { try client.respond(to: serverFinal) }
        #expect(client.failureExplanation == "the server says the password is wrong (SCRAM invalid-proof)")
    }

    @Test func scramRepeatsItsFirstMessageOnAnEmptyChallenge() throws {
        var client = try CyrusSASLMechanism(name: "SCRAM-SHA-256", user: "alice", password: "pw", serviceName: "smtp", host: "localhost")
        let first = try client.initialResponse()
        #expect(try client.respond(to: []) == first)
    }

    /// RFC 2195 §2's example: `tim b913a602c7eda7a495b4e6e7334d3890`.
    @Test func cramMD5MatchesRFC2195() throws {
        var client = try CyrusSASLMechanism(name: "CRAM-MD5", user: "tim", password: "tanstaaftanstaaf",
                                            serviceName: "imap", host: "localhost")
        #expect(try client.initialResponse() == nil)
        let response = try client.respond(to: Array("<1896.697170952@postoffice.reston.mci.net>".utf8))
        #expect(String(decoding: response, as: UTF8.self) == "tim b913a602c7eda7a495b4e6e7334d3890")
        try client.verifySuccess(nil)
    }

    static func cramExpected(user: String, password: String, challenge: String) -> String {
        user + " " + TestCrypto.hex(TestCrypto.hmac(.md5, key: Array(password.utf8), Array(challenge.utf8)))
    }

    /// Many exchanges at once, each with its own user and password: every one must carry its own
    /// credentials (the callbacks are per connection, no global state) and complete.
    @Test func manyExchangesInParallel() async throws {
        let count = 120
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for i in 0..<count {
                group.addTask {
                    let user = "user\(i)@example.test"
                    let password = "password-\(i)-\(String(repeating: "x", count: i % 17))"
                    switch i % 3 {
                    case 0:
                        _ = try Self.scram("SCRAM-SHA-256", digest: .sha256, user: user, password: password)
                        return true
                    case 1:
                        _ = try Self.scram("SCRAM-SHA-1", digest: .sha1, user: user, password: password)
                        return true
                    default:
                        var client = try CyrusSASLMechanism(name: "CRAM-MD5", user: user, password: password,
                                                            serviceName: "smtp", host: "localhost")
                        let challenge = "<\(i).\(UInt32.random(in: 0...UInt32.max))@localhost>"
                        let response = try client.respond(to: Array(challenge.utf8))
                        return String(decoding: response, as: UTF8.self)
                            == Self.cramExpected(user: user, password: password, challenge: challenge)
                    }
                }
            }
            var all: [Bool] = []
            for try await ok in group { all.append(ok) }
            return all
        }
        #expect(results.count == count)
        #expect(results.allSatisfy { $0 })
    }

    @Test func digestMD5AnswersAChallenge() throws {
        var client = try CyrusSASLMechanism(name: "DIGEST-MD5", user: "alice", password: "pw", serviceName: "imap", host: "localhost")
        #expect(try client.initialResponse() == nil)
        let challenge = #"realm="localhost",nonce="OA6MG9tEQGm2hh",qop="auth",charset=utf-8,algorithm=md5-sess"#
        let response = String(decoding: try client.respond(to: Array(challenge.utf8)), as: UTF8.self)
        #expect(response.contains(#"username="alice""#))
        #expect(response.contains(#"digest-uri="imap/localhost""#))
        #expect(response.contains("response="))
        #expect(!response.contains("pw\""))
    }

    /// GSSAPI without a Kerberos ticket fails with libsasl2's words, not a crash or a hang.
    @Test func gssapiWithoutATicketFailsClearly() throws {
        guard SASLLibrary.provides("GSSAPI") else { return }
        var client = try CyrusSASLMechanism(name: "GSSAPI", user: "alice", password: "", serviceName: "imap", host: "localhost")
        let error = try #require(throws: AuthError.self) { try client.initialResponse() }
        #expect(error.mechanism == "GSSAPI")
        #expect(!error.description.isEmpty)
    }
}
