import Foundation
import NetIO
import TestSupport
import Testing

/// The 465-versus-587 mix-ups, against real peers: aiosmtpd (plain text first) and s_server (TLS).
@Suite("Port mistakes are detected and named", .serialized)
struct PortMistakeTests {
    let servers: TestServers
    init() throws { servers = try TestServers.load() }

    @Test func implicitTLSAgainstAPlainTextGreeter() async throws {
        let endpoint = Endpoint(host: "127.0.0.1", port: try servers.port("smtp_plain"))
        do {
            _ = try await Connection.connect(to: endpoint, security: .implicitTLS,
                                             tls: .init(trust: .caFile(servers.tls("ca.crt"))),
                                             timeouts: .uniform(.seconds(5)))
            Issue.record("a TLS handshake succeeded against a plain-text server")
        } catch let error as NetIOError {
            #expect(error.kind == .plaintextOnTLSPort)
            #expect(error.stage == .tls)
            #expect(error.evidence?.contains("220 ") == true, "\(error)")
            #expect(error.description.contains("this port expects STARTTLS or no TLS"))
        }
    }

    @Test func plainTextAgainstAnImplicitTLSServer() async throws {
        for name in ["tls_good", "smtp_implicit"] {
            let endpoint = Endpoint(host: "127.0.0.1", port: try servers.port(name))
            let c = try await Connection.connect(to: endpoint, security: .plaintextUnsafe)
            await c.setStage(.greeting)
            do {
                _ = try await c.readGreetingLine(timeout: .milliseconds(500))
                Issue.record("\(name): read a greeting from a TLS server")
            } catch let error as NetIOError {
                #expect(error.kind == .tlsOnPlaintextPort, "\(name): \(error)")
                #expect(error.stage == .greeting)
                #expect(error.description.contains("this port expects implicit TLS"))
            }
            #expect(await c.isOpen == false)
        }
    }

    @Test func aTLSRecordOnAPlainReadIsNamed() async throws {
        // A server that answers with a TLS alert record where text was expected.
        let peer = try ScriptedPeer([.sendRaw([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46]), .sleep(0.3)])
        let c = try await Connection.connect(to: Endpoint(host: "127.0.0.1", port: peer.port), security: .plaintextUnsafe)
        await #expect { _ = try await c.readLine(timeout: .seconds(2)) } throws: {
            ($0 as? NetIOError)?.kind == .tlsOnPlaintextPort
        }
        await c.close()
    }

    @Test func silentPlainServerIsATimeoutNotTLS() async throws {
        let listener = try SilentListener()
        let c = try await Connection.connect(to: Endpoint(host: "127.0.0.1", port: listener.port), security: .plaintextUnsafe,
                                             timeouts: ConnectionTimeouts(tlsProbe: .milliseconds(200)))
        await #expect { _ = try await c.readGreetingLine(timeout: .milliseconds(300)) } throws: {
            ($0 as? NetIOError)?.kind == .timeout
        }
    }

    /// A server that answers the ClientHello 1 s after it came: within a 3 s TLS-probe wait that
    /// is an implicit-TLS port; with a 0.1 s wait the greeting timeout stands.
    @Test(arguments: [(Duration.seconds(3), true), (.milliseconds(100), false)])
    func tlsProbeWaitDecidesWhetherALateAnswerCounts(wait: Duration, counts: Bool) async throws {
        let peer = try LateTLSPeer(delay: 1.0)
        let c = try await Connection.connect(to: Endpoint(host: "127.0.0.1", port: peer.port), security: .plaintextUnsafe,
                                             timeouts: ConnectionTimeouts(tlsProbe: wait))
        await #expect { _ = try await c.readGreetingLine(timeout: .milliseconds(300)) } throws: {
            ($0 as? NetIOError)?.kind == (counts ? .tlsOnPlaintextPort : .timeout)
        }
        withExtendedLifetime(peer) {}
    }

    @Test func tlsProbeWaitIsAnOptionAndDefaultsShort() async throws {
        #expect(ConnectionTimeouts().tlsProbe == ConnectionTimeouts.defaultTLSProbe)
        #expect(ConnectionTimeouts.defaultTLSProbe <= .seconds(2))
        #expect(ConnectionTimeouts.uniform(.milliseconds(500)).tlsProbe == .milliseconds(500))
        #expect(ConnectionTimeouts.uniform(.seconds(30)).tlsProbe == ConnectionTimeouts.defaultTLSProbe)
        // The per-call argument wins over the connection's option: a 3 s option would wait for
        // the answer that comes 1 s after the ClientHello; 0.1 s for this call does not.
        let peer = try LateTLSPeer(delay: 1.0)
        let c = try await Connection.connect(to: Endpoint(host: "127.0.0.1", port: peer.port), security: .plaintextUnsafe,
                                             timeouts: ConnectionTimeouts(tlsProbe: .seconds(3)))
        await #expect { _ = try await c.readGreetingLine(timeout: .milliseconds(200), tlsProbeTimeout: .milliseconds(100)) } throws: {
            ($0 as? NetIOError)?.kind == .timeout
        }
        withExtendedLifetime(peer) {}
    }
}
