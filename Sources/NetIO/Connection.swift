#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// A TCP connection, plain or TLS, with deadlines on every operation and a transcript.
///
/// Reads are buffered: `readLine` frames CRLF lines with a maximum length, `readExactly` reads a
/// counted run of bytes (IMAP literals), `read(upTo:)` hands over what has arrived (streaming).
/// `upgradeToTLS` implements the client side of STARTTLS (RFC 3207 §4, RFC 9051 §6.2.1): bytes
/// received after the go-ahead and before the handshake are refused as injection.
/// Cancelling the task that awaits an operation closes the connection and throws
/// `CancellationError` at once.
public actor Connection {
    public nonisolated let endpoint: Endpoint
    public nonisolated let transcript: Transcript
    /// The numeric address connected to.
    public nonisolated let remoteAddress: String
    public var timeouts: ConnectionTimeouts
    /// The stage named in errors and timeouts; protocol layers set it (`EHLO`, `RCPT`, …).
    public private(set) var stage: Stage = .connect
    /// The report of the TLS handshake, once there was one.
    public private(set) var tlsReport: TLSReport?

    private let socket: Socket
    private var tls: TLSSession?
    // The buffers of the read and write paths, touched for every line and chunk. Actor
    // isolation already gives each one task at a time, and no method holds one of them `inout`
    // across a call that touches it again; the run-time exclusivity check (a call into the
    // runtime per access, 4% of a 10,000-message fetch) is therefore left out for them.
    @exclusivity(unchecked) private var inbound: [UInt8] = []
    @exclusivity(unchecked) private var inboundStart = 0
    @exclusivity(unchecked) private var scannedForLF = 0
    private var receivedAny = false
    /// Whether a TLS read failure was written to the transcript (once: later reads repeat it).
    private var loggedReadFailure = false
    private var isClosed = false
    @exclusivity(unchecked) private var scratch = [UInt8](repeating: 0, count: 64 * 1024)
    @exclusivity(unchecked) private var cipherOut: [UInt8] = []
    /// Bytes the last socket read brought; a large one means a bulk transfer is streaming in.
    private var lastSocketRead = 0
    /// Set by `expectBulkTransfer` until the next write: every read that would block lingers,
    /// while the lingers bring `bulkLowWater` (two in a row that time out end it).
    private var bulkExpected = false
    /// Whether a read brought bytes since `expectBulkTransfer`: until the transfer has started,
    /// reads wait plainly (the server may take a while to begin; lingering then only costs).
    private var bulkStarted = false
    private var lingersTimedOut = 0

    /// While a bulk transfer streams in (the last socket read brought at least this much), a read
    /// that would block first waits for `bulkLowWater` bytes, at most `bulkLingerMilliseconds`,
    /// so that one wake-up carries several of the server's flushes instead of one each.
    ///
    /// That short wait is a `poll(2)` on the task's own thread, not a suspension on the event
    /// loop: a server that is streaming sends its next bytes within it, and the wake-up then
    /// costs two thread switches (as a blocking `recv` does) instead of four (the loop thread
    /// waking, then waking a pool thread). It holds a pool thread for at most 1 ms, and only
    /// during a bulk transfer; cancellation is seen when it returns.
    static let bulkReadThreshold = 8 * 1024
    static let bulkLowWater: Int32 = 32 * 1024
    static let bulkLingerMilliseconds = 1

    /// Reads larger than this (`read(upTo:)`, literal chunks) are split.
    public static let readChunk = 64 * 1024

    private init(socket: Socket, endpoint: Endpoint, address: String, timeouts: ConnectionTimeouts, transcript: Transcript) {
        self.socket = socket
        self.endpoint = endpoint
        self.remoteAddress = address
        self.timeouts = timeouts
        self.transcript = transcript
    }

    /// Opens a connection. With `.implicitTLS` the TLS handshake runs before this returns; with
    /// `.startTLS` the caller upgrades after the protocol's STARTTLS exchange.
    public static func connect(to endpoint: Endpoint, security: Security, tls options: TLSOptions = .default,
                               timeouts: ConnectionTimeouts = ConnectionTimeouts(),
                               transcript: Transcript = Transcript()) async throws -> Connection {
        let (socket, address) = try await Connector.open(endpoint, deadline: .after(timeouts.connect),
                                                         transcript: transcript)
        let connection = Connection(socket: socket, endpoint: endpoint, address: address.numeric,
                                    timeouts: timeouts, transcript: transcript)
        if security == .implicitTLS {
            do {
                _ = try await connection.handshake(options, upgrading: false)
            } catch {
                await connection.close()
                throw error
            }
        }
        return connection
    }

    public var isTLS: Bool { tls != nil }
    public var isOpen: Bool { !isClosed }

    /// Names the stage for the errors and timeouts that follow.
    public func setStage(_ stage: Stage) { self.stage = stage }

    // MARK: reading

    /// The next line without its CR LF (a bare LF also ends a line). Throws `lineTooLong` when no
    /// line end comes within `maxLength` bytes, `closedByPeer` at end of stream.
    public func readLine(maxLength: Int = 8_192, timeout: Duration? = nil, log: Bool = true) async throws -> [UInt8] {
        let deadline = Deadline.after(timeout ?? timeouts.read)
        while true {
            if let lf = findLF() {
                var end = lf
                if end > inboundStart && inbound[end - 1] == 0x0D { end -= 1 }
                let line = Array(inbound[inboundStart..<end])
                consume(upTo: lf + 1)
                if line.count > maxLength { throw fail(.lineTooLong(limit: maxLength), evidence: Self.preview(line)) }
                if log { transcript.received(String(decoding: line, as: UTF8.self), tls: isTLS) }
                return line
            }
            if inbound.count - inboundStart > maxLength {
                throw fail(.lineTooLong(limit: maxLength), evidence: Self.preview(Array(inbound[inboundStart...])))
            }
            guard try await fill(deadline: deadline) else {
                let partial = Array(inbound[inboundStart...])
                throw fail(.closedByPeer, evidence: partial.isEmpty ? "end of stream" : "end of stream after \"\(Self.preview(partial))\"")
            }
        }
    }

    /// The server's first line (an SMTP or IMAP greeting). If the server stays silent until the
    /// deadline, a TLS ClientHello is sent to tell a server that waits for implicit TLS (the
    /// 465/993 mistake) from a slow one: the former is `tlsOnPlaintextPort`, the latter `timeout`.
    /// The probe adds at most `tlsProbeTimeout` (default `timeouts.tlsProbe`, two seconds) after
    /// the deadline and leaves the connection closed.
    public func readGreetingLine(maxLength: Int = 8_192, timeout: Duration? = nil,
                                 tlsProbeTimeout: Duration? = nil) async throws -> [UInt8] {
        do {
            return try await readLine(maxLength: maxLength, timeout: timeout)
        } catch let error as NetIOError where error.kind == .timeout && !receivedAny && tls == nil {
            if await probeAnswersTLS(within: tlsProbeTimeout ?? timeouts.tlsProbe) {
                transcript.fact("no greeting; the server answered a TLS ClientHello: this port expects implicit TLS")
                close()
                throw fail(.tlsOnPlaintextPort,
                           evidence: "no greeting before the deadline, and the server answered a TLS ClientHello")
            }
            close()
            throw error
        }
    }

    /// `readLine` decoded as UTF-8 (invalid bytes replaced).
    public func readLineString(maxLength: Int = 8_192, timeout: Duration? = nil, log: Bool = true) async throws -> String {
        String(decoding: try await readLine(maxLength: maxLength, timeout: timeout, log: log), as: UTF8.self)
    }

    /// Exactly `count` bytes (an IMAP literal); `closedByPeer` if the stream ends first.
    public func readExactly(_ count: Int, timeout: Duration? = nil) async throws -> [UInt8] {
        let deadline = Deadline.after(timeout ?? timeouts.read)
        while inbound.count - inboundStart < count {
            guard try await fill(deadline: deadline) else {
                throw fail(.closedByPeer, evidence: "end of stream after \(inbound.count - inboundStart) of \(count) bytes")
            }
        }
        let out = Array(inbound[inboundStart..<inboundStart + count])
        consume(upTo: inboundStart + count)
        return out
    }

    /// Whatever has arrived, at most `maximum` bytes, waiting only if nothing is buffered;
    /// `nil` at end of stream.
    public func read(upTo maximum: Int = Connection.readChunk, timeout: Duration? = nil) async throws -> [UInt8]? {
        guard maximum > 0 else { return [] }
        if inbound.count == inboundStart, let tls {
            return try await readDecrypted(tls, upTo: maximum, deadline: .after(timeout ?? timeouts.read))
        }
        if inbound.count == inboundStart {
            guard try await fill(deadline: .after(timeout ?? timeouts.read)) else { return nil }
        }
        let n = min(maximum, inbound.count - inboundStart)
        let out = Array(inbound[inboundStart..<inboundStart + n])
        consume(upTo: inboundStart + n)
        return out
    }

    /// Bytes received and not yet read.
    public var bufferedCount: Int { inbound.count - inboundStart }

    /// Says that a bulk transfer is about to stream in (the replies to an IMAP FETCH of many
    /// messages): the next read that would block lingers to gather bytes, as reads inside a
    /// transfer do (`bulkLowWater`), instead of waking for the first small flush.
    /// Any write ends it (a new command: the transfer is over).
    public func expectBulkTransfer() {
        bulkExpected = true
        bulkStarted = false
        lingersTimedOut = 0
    }

    // MARK: writing

    /// Sends `bytes`; `log` is what the transcript shows (nothing when `nil`).
    public func write(_ bytes: [UInt8], log: TranscriptText? = nil, timeout: Duration? = nil) async throws {
        if let log { transcript.sent(log, tls: isTLS) }
        try await send(bytes, deadline: .after(timeout ?? timeouts.write))
    }

    /// Sends part of a buffer (a BDAT chunk inside a larger buffer) without copying it first.
    public func write(_ bytes: ArraySlice<UInt8>, log: TranscriptText? = nil, timeout: Duration? = nil) async throws {
        if let log { transcript.sent(log, tls: isTLS) }
        try await send(bytes, deadline: .after(timeout ?? timeouts.write))
    }

    /// Sends `line` + CR LF. CR, LF and NUL inside the line are refused (command injection).
    /// The transcript shows `log`, or the line itself when `log` is `nil`.
    public func writeLine(_ line: String, log: TranscriptText? = nil, timeout: Duration? = nil) async throws {
        if let bad = line.utf8.first(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) {
            throw NetIOError(kind: .forbiddenCharacter, stage: stage,
                             evidence: "byte 0x\(String(bad, radix: 16)) inside a command line", endpoint: endpoint)
        }
        var bytes = Array(line.utf8)
        bytes.append(0x0D)
        bytes.append(0x0A)
        try await write(bytes, log: log ?? .line(line), timeout: timeout)
    }

    // MARK: TLS

    /// STARTTLS, client side: call after the server's go-ahead. Refuses if the server already sent
    /// more bytes (response injection), then runs the handshake and checks the certificate.
    @discardableResult
    public func upgradeToTLS(_ options: TLSOptions = .default) async throws -> TLSReport {
        guard tls == nil else { throw fail(.tls(.handshake), evidence: "TLS is already active", stage: .tls) }
        let pending = Array(inbound[inboundStart...]) + socket.peekNow()
        if !pending.isEmpty {
            transcript.fact("refusing STARTTLS: \(pending.count) bytes arrived after the go-ahead: \"\(Self.preview(pending))\"")
            let error = fail(.startTLSInjection, evidence: "\(pending.count) bytes after the go-ahead: \"\(Self.preview(pending))\"", stage: .tls)
            close()
            throw error
        }
        do {
            return try await handshake(options, upgrading: true)
        } catch {
            close()
            throw error
        }
    }

    private func handshake(_ options: TLSOptions, upgrading: Bool) async throws -> TLSReport {
        stage = .tls
        let deadline = Deadline.after(timeouts.tlsHandshake)
        let session: TLSSession
        do {
            session = try TLSSession(options: options, host: endpoint.host)
        } catch var error as NetIOError {
            error.endpoint = endpoint
            throw error
        }
        var sawServerBytes = false
        while true {
            let progress: TLSSession.Progress
            do {
                progress = try session.handshake()
            } catch var error as NetIOError {
                try? await flushCipher(session, deadline: deadline)
                error.endpoint = endpoint
                transcript.fact("TLS handshake failed: \(error.evidence ?? error.summary)")
                error.transcriptTail = transcript.tail(10)
                throw error
            }
            try await flushCipher(session, deadline: deadline)
            if progress == .done { break }
            let n = try await readSocket(deadline: deadline)
            if n == 0 {
                throw fail(.closedByPeer, evidence: "the server closed the connection during the TLS handshake")
            }
            if !sawServerBytes {
                sawServerBytes = true
                if let text = Self.plaintextEvidence(scratch[0..<n]) {
                    transcript.received(text, tls: false, unexpected: true)
                    throw fail(upgrading ? .startTLSInjection : .plaintextOnTLSPort, evidence: "server sent \"\(text)\"")
                }
            }
            try scratch.withUnsafeBytes { try session.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
        let report = session.report()
        tlsReport = report
        for fact in report.transcriptFacts() { transcript.fact(fact) }
        guard report.accepted else {
            session.shutdown()
            try? await flushCipher(session, deadline: deadline)
            let failure: TLSFailure = report.pinMatches == false ? .pinMismatch
                : !report.chainTrusted ? .untrustedChain : .hostnameMismatch
            var error = fail(.tls(failure), evidence: report.verdict)
            error.tlsReport = report
            throw error
        }
        if options.insecureSkipVerification && !report.trusted {
            transcript.fact("continuing despite: \(report.verdict) (insecureSkipVerification)")
        }
        tls = session
        return report
    }

    // MARK: closing

    /// Sends TLS close_notify if it can without waiting, and closes the socket. Idempotent.
    public func close() {
        guard !isClosed else { return }
        isClosed = true
        if let tls {
            tls.shutdown()
            cipherOut.removeAll(keepingCapacity: true)
            tls.drainOutbound(into: &cipherOut)
            _ = cipherOut.withUnsafeBytes { try? socket.writeNow($0) }
        }
        socket.close()
    }

    // MARK: internals

    private func findLF() -> Int? {
        let from = max(scannedForLF, inboundStart)
        let found: Int? = inbound.withUnsafeBufferPointer { buf in
            guard from < buf.count else { return nil }
            let base = buf.baseAddress! + from
            guard let p = memchr(base, 0x0A, buf.count - from) else { return nil }
            return from + (UnsafeRawPointer(p) - UnsafeRawPointer(base))
        }
        if found == nil { scannedForLF = inbound.count }
        return found
    }

    private func consume(upTo index: Int) {
        inboundStart = index
        if inboundStart == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            inboundStart = 0
        } else if inboundStart > 64 * 1024 && inboundStart * 2 > inbound.count {
            inbound.removeFirst(inboundStart)
            inboundStart = 0
        }
        scannedForLF = inboundStart
    }

    /// `read(upTo:)` with nothing buffered, over TLS: the records are decrypted straight into
    /// the array handed out (no pass through `inbound`), as many as have arrived.
    private func readDecrypted(_ tls: TLSSession, upTo maximum: Int, deadline: Deadline) async throws -> [UInt8]? {
        guard !isClosed else { throw fail(.closed, evidence: nil) }
        while true {
            // Nothing queued, nothing decrypted: straight to the socket (no 64 KiB array made
            // and dropped for each wait).
            if tls.hasInput {
                var stop = TLSSession.ReadProgress.needInput
                let out: [UInt8]
                do {
                    out = try [UInt8](unsafeUninitializedCapacity: min(maximum, Self.readChunk)) { buffer, count in
                        (count, stop) = try tls.readAvailable(into: UnsafeMutableRawBufferPointer(buffer))
                    }
                } catch let error as NetIOError {
                    throw withContext(error)
                }
                // A small read (a reply line) is handed out in an array of its size, not one that
                // holds 64 KiB of capacity for as long as the caller keeps it.
                if !out.isEmpty { return out.count < 4096 ? Array(out[...]) : out }
                if case .closed = stop { return nil }
            }
            if tls.hasOutbound { try await flushCipher(tls, deadline: deadline) }
            let n = try await readSocket(deadline: deadline, bulk: true)
            if n == 0 { return nil }
            try feed(tls, n)
        }
    }

    /// Hands the `n` bytes just read into `scratch` to the TLS session.
    private func feed(_ tls: TLSSession, _ n: Int) throws {
        do {
            try scratch.withUnsafeBytes { try tls.feed(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        } catch let error as NetIOError {
            throw withContext(error)
        }
    }

    /// A TLS read failure from `TLSSession` (OpenSSL's words) with this connection's endpoint,
    /// stage and transcript tail, as `fail` gives every other error.
    private func withContext(_ error: NetIOError) -> NetIOError {
        var error = error
        if !loggedReadFailure {
            loggedReadFailure = true
            transcript.fact("TLS read failed: \(error.evidence ?? error.summary)")
        }
        error.endpoint = endpoint
        error.stage = stage
        error.transcriptTail = transcript.tail(10)
        return error
    }

    /// Reads more application bytes into `inbound`; `false` at end of stream.
    private func fill(deadline: Deadline) async throws -> Bool {
        guard !isClosed else { throw fail(.closed, evidence: nil) }
        if let tls {
            while true {
                let (count, stop): (Int, TLSSession.ReadProgress)
                do {
                    (count, stop) = try scratch.withUnsafeMutableBytes { try tls.readAvailable(into: $0) }
                } catch let error as NetIOError {
                    throw withContext(error)
                }
                if count > 0 {
                    inbound.append(contentsOf: scratch[0..<count])
                    return true
                }
                if case .closed = stop { return false }
                if tls.hasOutbound { try await flushCipher(tls, deadline: deadline) }
                let n = try await readSocket(deadline: deadline, bulk: true)
                if n == 0 { return false }
                try feed(tls, n)
            }
        }
        let n = try await readSocket(deadline: deadline, bulk: true)
        if n == 0 { return false }
        if !receivedAny, Self.looksLikeTLSRecord(scratch[0..<n]) {
            throw fail(.tlsOnPlaintextPort,
                       evidence: "received a TLS record (bytes \(scratch[0..<min(n, 5)].map { Digits.hex($0) }.joined(separator: " ")))")
        }
        receivedAny = true
        inbound.append(contentsOf: scratch[0..<n])
        return true
    }

    /// Sends a TLS ClientHello on a silent plain-text connection and reports whether a TLS record
    /// comes back within `wait`. Only for diagnosis: the session is unusable afterwards.
    private func probeAnswersTLS(within wait: Duration) async -> Bool {
        guard let probe = try? TLSSession(options: TLSOptions(insecureSkipVerification: true), host: endpoint.host),
              (try? probe.handshake()) != nil
        else { return false }
        let deadline = Deadline.after(wait)
        do {
            try await flushCipher(probe, deadline: deadline)
            let n = try await readSocket(deadline: deadline)
            return n > 0 && Self.looksLikeTLSRecord(scratch[0..<n])
        } catch {
            return false
        }
    }

    /// One raw read from the socket into `scratch`; 0 at end of stream. With `bulk`, a read that
    /// would block during a bulk transfer lingers for more bytes first (`bulkLowWater`).
    private func readSocket(deadline: Deadline, bulk: Bool = false) async throws -> Int {
        while true {
            let result: Socket.ReadResult
            do {
                result = try scratch.withUnsafeMutableBytes { try socket.readNow(into: $0) }
            } catch let failure as SocketFailure {
                if failure.errno == ECONNRESET { throw fail(.closedByPeer, evidence: "connection reset by the server") }
                throw fail(.system(errno: failure.errno), evidence: failure.message)
            }
            switch result {
            case .data(let n):
                receivedAny = receivedAny || tls != nil
                lastSocketRead = bulk ? n : 0  // only reads of a transfer count (not the handshake's)
                bulkStarted = true
                return n
            case .endOfStream: return 0
            case .wouldBlock:
                if bulk && (bulkExpected && bulkStarted && lingersTimedOut < 2 || lastSocketRead >= Self.bulkReadThreshold) {
                    lastSocketRead = 0  // linger once; if that brings little, the next wait is plain
                    let left = Deadline.now.duration(to: deadline)
                    if left > .milliseconds(Self.bulkLingerMilliseconds), socket.setReceiveLowWater(Self.bulkLowWater) {
                        let gathered = socket.pollReadable(milliseconds: Int32(Self.bulkLingerMilliseconds))
                        lingersTimedOut = gathered ? 0 : lingersTimedOut + 1
                        guard socket.setReceiveLowWater(1) else {
                            // Left at 32 KiB, a small reply would never wake the event loop.
                            let error = fail(.system(errno: errno), evidence: "could not reset SO_RCVLOWAT after a bulk read")
                            close()
                            throw error
                        }
                        if Task.isCancelled {
                            transcript.fact("cancelled during \(stage); connection closed")
                            close()
                            throw CancellationError()
                        }
                        continue  // read what came, or wait plainly (until `deadline`) for it
                    }
                }
                try await waitFor(.read, until: deadline)
            }
        }
    }

    /// Plaintext encrypted per `tls.write` before the ciphertext is flushed: 64 KiB (four TLS
    /// records), so neither the memory BIO nor `cipherOut` grows past about that much.
    static let tlsWriteSlice = 64 * 1024

    private func send(_ bytes: [UInt8], deadline: Deadline) async throws {
        try await send(bytes[...], deadline: deadline)
    }

    private func send(_ bytes: ArraySlice<UInt8>, deadline: Deadline) async throws {
        guard !isClosed else { throw fail(.closed, evidence: nil) }
        bulkExpected = false
        if let tls {
            // Encrypt and send in slices so the ciphertext buffer stays small.
            var offset = 0
            let count = bytes.count
            while offset < count {
                let end = min(count, offset + Self.tlsWriteSlice)
                do {
                    try bytes.withUnsafeBytes { try tls.write(UnsafeRawBufferPointer(rebasing: $0[offset..<end])) }
                } catch var error as NetIOError {
                    error.endpoint = endpoint
                    error.stage = stage
                    throw error
                }
                try await flushCipher(tls, deadline: deadline)
                offset = end
            }
        } else {
            try await sendRaw(bytes, deadline: deadline)
        }
    }

    private func flushCipher(_ session: TLSSession, deadline: Deadline) async throws {
        guard session.hasOutbound else { return }
        cipherOut.removeAll(keepingCapacity: true)
        session.drainOutbound(into: &cipherOut)
        try await sendRaw(cipherOut[...], deadline: deadline)
    }

    private func sendRaw(_ bytes: ArraySlice<UInt8>, deadline: Deadline) async throws {
        var offset = 0
        let count = bytes.count
        while offset < count {
            let n: Int
            do {
                n = try bytes.withUnsafeBytes { try socket.writeNow(UnsafeRawBufferPointer(rebasing: $0[offset...])) }
            } catch let failure as SocketFailure {
                if failure.errno == EPIPE || failure.errno == ECONNRESET {
                    throw fail(.closedByPeer, evidence: "the server closed the connection while we were writing")
                }
                throw fail(.system(errno: failure.errno), evidence: failure.message)
            }
            offset += n
            if offset < count && n == 0 { try await waitFor(.write, until: deadline) }
        }
    }

    private func waitFor(_ interest: EventLoop.Interest, until deadline: Deadline) async throws {
        let outcome = try await waitOutcome(interest, until: deadline)
        if outcome == .timedOut {
            transcript.fact("no \(interest == .read ? "reply" : "progress writing") before the deadline (\(stage))")
            throw fail(.timeout, evidence: interest == .read ? "waiting for the server" : "the server is not reading")
        }
    }

    /// Waits for readiness or `deadline`; cancellation (or a failure) closes the connection.
    private func waitOutcome(_ interest: EventLoop.Interest, until deadline: Deadline) async throws -> EventLoop.Outcome {
        do {
            return try await socket.loop.wait(for: interest, on: socket.fd, until: deadline)
        } catch {
            if !isClosed && error is CancellationError { transcript.fact("cancelled during \(stage); connection closed") }
            close()
            throw error
        }
    }

    private func fail(_ kind: NetIOError.Kind, evidence: String?, stage: Stage? = nil) -> NetIOError {
        var error = NetIOError(kind: kind, stage: stage ?? self.stage, evidence: evidence, endpoint: endpoint,
                               tlsReport: tlsReport)
        error.transcriptTail = transcript.tail(10)
        return error
    }

    /// A short printable form of bytes for evidence.
    static func preview(_ bytes: [UInt8], limit: Int = 120) -> String {
        let head = bytes.prefix(limit)
        let text = Transcript.printable(String(decoding: head, as: UTF8.self))
        return bytes.count > limit ? text + "…" : text
    }

    /// TLS record types 20-24 with major version 3 (RFC 8446 §5.1).
    static func looksLikeTLSRecord(_ bytes: ArraySlice<UInt8>) -> Bool {
        guard bytes.count >= 2 else { return false }
        let type = bytes[bytes.startIndex], major = bytes[bytes.startIndex + 1]
        return (20...24).contains(type) && major == 3
    }

    /// If the first bytes of a handshake are not a TLS record, the text they carry.
    static func plaintextEvidence(_ bytes: ArraySlice<UInt8>) -> String? {
        guard let first = bytes.first, !(20...24).contains(first) else { return nil }
        let line = bytes.prefix { $0 != 0x0D && $0 != 0x0A }
        return preview(Array(line))
    }
}
