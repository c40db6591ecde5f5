import Foundation
import NetIO
import TestSupport
import Testing

/// A TLS record that fails decryption after a good handshake (RFC 8446 §5.2: the AEAD check
/// fails, `bad_record_mac`), which no real server sends, from `CorruptTLSRecordPeer`: the good
/// bytes before it are delivered, then the next read throws OpenSSL's words with the endpoint,
/// the stage and the transcript tail; never a hang, a crash or a silent end of stream.
@Suite("Corrupted TLS records after the handshake")
struct CorruptTLSRecordTests {
    /// OpenSSL 3's reason for a record whose AEAD tag does not verify (SSL_R_DECRYPTION_FAILED_OR_BAD_RECORD_MAC).
    static let openSSLWords = "decryption failed or bad record mac"
    /// Every read is bounded by this; a read that reaches it fails the test as a timeout.
    static let readTimeout: Duration = .seconds(5)
    /// The stage the test names, to see the error carry the connection's stage.
    static let stage: Stage = "FETCH"

    func connect(_ peer: CorruptTLSRecordPeer) async throws -> Connection {
        let c = try await Connection.connect(to: Endpoint(host: "localhost", port: peer.port), security: .implicitTLS,
                                             tls: TLSOptions(trust: .caFile(peer.caFile)),
                                             timeouts: .uniform(.seconds(10)))
        await c.setStage(Self.stage)
        return c
    }

    /// The error a read of the corrupted record must throw.
    func expectBadRecord(_ error: any Error, port: UInt16, stage: Stage = Self.stage,
                         sourceLocation: SourceLocation = #_sourceLocation) {
        guard let error = error as? NetIOError else {
            Issue.record("not a NetIOError: \(error)", sourceLocation: sourceLocation)
            return
        }
        #expect(error.kind == .tls(.record), "\(error)", sourceLocation: sourceLocation)
        #expect(error.isTransient, "a broken session may pass on a new connection", sourceLocation: sourceLocation)
        #expect(error.evidence?.contains(Self.openSSLWords) == true, "\(error)", sourceLocation: sourceLocation)
        #expect(error.endpoint == Endpoint(host: "localhost", port: port), "\(error)", sourceLocation: sourceLocation)
        #expect(error.stage == stage, "\(error)", sourceLocation: sourceLocation)
        #expect(error.transcriptTail.contains { $0.contains("TLS read failed") && $0.contains(Self.openSSLWords) },
                "the support transcript shows the failure: \(error.transcriptTail)", sourceLocation: sourceLocation)
    }

    /// After the failure the session is dead: a further read throws the same failure, with
    /// OpenSSL's words, within its deadline, hands out no bytes, and the transcript shows the
    /// failure once.
    func expectStaysFailed(_ c: Connection, sourceLocation: SourceLocation = #_sourceLocation) async {
        do {
            let more = try await c.read(timeout: Self.readTimeout)
            Issue.record("a read after the failure returned \(more.map { "\($0.count) bytes" } ?? "end of stream")",
                         sourceLocation: sourceLocation)
        } catch let error as NetIOError {
            #expect(error.kind == .tls(.record), "\(error)", sourceLocation: sourceLocation)
            #expect(error.evidence?.contains(Self.openSSLWords) == true, "\(error)", sourceLocation: sourceLocation)
            #expect(c.transcript.lastLines.filter { $0.contains("TLS read failed") }.count == 1,
                    "\(c.transcript.lastLines)", sourceLocation: sourceLocation)
        } catch {
            Issue.record("not a NetIOError: \(error)", sourceLocation: sourceLocation)
        }
    }

    /// `.together`: both records arrive in one socket read; `readAvailable` decrypts the good
    /// one, meets the bad one in the same call, returns the bytes and keeps the failure for the
    /// next read. `.separate`: the bad record comes alone, `separateDelay` later; the second
    /// read waits for it and throws at once.
    @Test(arguments: [CorruptTLSRecordPeer.Delivery.together, .separate])
    func theGoodBytesThenOpenSSLsError(_ delivery: CorruptTLSRecordPeer.Delivery) async throws {
        let peer = try await CorruptTLSRecordPeer.start(delivery)
        let c = try await connect(peer)
        let start = ContinuousClock.now
        let first = try await c.read(timeout: Self.readTimeout)
        #expect(first == Array(CorruptTLSRecordPeer.validText.utf8))
        do {
            let second = try await c.read(timeout: Self.readTimeout)
            Issue.record("the corrupted record gave \(second.map { "\($0.count) bytes" } ?? "end of stream")")
        } catch {
            expectBadRecord(error, port: peer.port)
        }
        #expect(start.duration(to: .now) < Self.readTimeout)
        await expectStaysFailed(c)
        await c.close()
    }

    /// `readLine` (through `fill`, one record per call): the line, then the same error.
    @Test func readLineGivesTheLineThenOpenSSLsError() async throws {
        let peer = try await CorruptTLSRecordPeer.start(.together)
        let c = try await connect(peer)
        let start = ContinuousClock.now
        #expect(try await c.readLineString(timeout: Self.readTimeout) == "hello")
        do {
            let next = try await c.readLineString(timeout: Self.readTimeout)
            Issue.record("the corrupted record gave the line \"\(next)\"")
        } catch {
            expectBadRecord(error, port: peer.port)
        }
        #expect(start.duration(to: .now) < Self.readTimeout)
        await c.close()
    }
}
