public import Auth
public import NetIO
import Glibc

/// Everything an `SMTPClient` needs to open and use a submission session (RFC 6409):
/// where, how protected, who logs in, and how long to wait.
public struct SMTPConfiguration: Sendable {
    public var endpoint: Endpoint
    /// `.startTLS` (the default: required, never skipped), `.implicitTLS` (port 465, RFC 8314),
    /// or `.plaintextUnsafe`.
    public var security: Security
    public var tls: TLSOptions
    /// `.none` skips AUTH. With credentials, AUTH must succeed before any MAIL is sent.
    public var credentials: Credentials
    /// The mechanism pin and the unsafe plaintext opt-in.
    public var mechanism: MechanismSelection
    /// The name sent with EHLO (RFC 5321 §4.1.1.1: the client's FQDN or an address literal).
    public var clientName: String
    public var timeouts: SMTPTimeouts
    public var transcript: Transcript
    /// Group MAIL, RCPTs and DATA when the server offers PIPELINING (RFC 2920).
    public var usePipelining: Bool
    /// Send with BDAT when the server offers CHUNKING (RFC 3030); DATA otherwise.
    public var useChunking: Bool
    /// Octets per BDAT chunk (1 MiB).
    public var chunkSize: Int

    public init(endpoint: Endpoint, security: Security = .startTLS, tls: TLSOptions = .default,
                credentials: Credentials = .none, mechanism: MechanismSelection = MechanismSelection(),
                clientName: String = SMTPConfiguration.localHostName(), timeouts: SMTPTimeouts = SMTPTimeouts(),
                transcript: Transcript = Transcript(), usePipelining: Bool = true, useChunking: Bool = true,
                chunkSize: Int = 1 << 20) {
        self.endpoint = endpoint
        self.security = security
        self.tls = tls
        self.credentials = credentials
        self.mechanism = mechanism
        self.clientName = clientName
        self.timeouts = timeouts
        self.transcript = transcript
        self.usePipelining = usePipelining
        self.useChunking = useChunking
        self.chunkSize = max(1, chunkSize)
    }

    /// This machine's host name when it looks like a domain, else `localhost`.
    public static func localHostName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        let name = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let ok = !name.isEmpty && name.utf8.allSatisfy {
            (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) || $0 == 0x2D || $0 == 0x2E
        }
        return ok ? name : "localhost"
    }
}
