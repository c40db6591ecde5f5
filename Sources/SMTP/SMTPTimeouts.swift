import NetIO

/// How long the client waits at each step. The defaults are the minimums of RFC 5321
/// §4.5.3.2 (a client should wait at least this long before giving up); each can be changed.
public struct SMTPTimeouts: Sendable, Hashable {
    /// TCP connect, every resolved address together.
    public var connect: Duration
    /// The TLS handshake (implicit, or after STARTTLS).
    public var tlsHandshake: Duration
    /// Initial 220 message: 5 minutes (§4.5.3.2.1).
    public var greeting: Duration
    /// MAIL command: 5 minutes (§4.5.3.2.2).
    public var mail: Duration
    /// RCPT command: 5 minutes (§4.5.3.2.3).
    public var rcpt: Duration
    /// DATA initiation, waiting for 354: 2 minutes (§4.5.3.2.4).
    public var dataInitiation: Duration
    /// Each data block written: 3 minutes (§4.5.3.2.5).
    public var dataBlock: Duration
    /// DATA termination, waiting for the reply to the final dot (or last BDAT): 10 minutes
    /// (§4.5.3.2.6).
    public var dataTermination: Duration
    /// Every other command (EHLO, STARTTLS, AUTH, RSET, NOOP, QUIT, non-last BDAT): 5 minutes,
    /// as for MAIL.
    public var command: Duration
    /// After no greeting came, the wait for an answer to a TLS ClientHello that tells an
    /// implicit-TLS port (465, RFC 8314 §3) from a silent server (`ConnectionTimeouts.tlsProbe`;
    /// the default is the same two seconds as `ConnectionTimeouts.defaultTLSProbe`).
    public var tlsProbe: Duration

    public init(connect: Duration = .seconds(30), tlsHandshake: Duration = .seconds(30),
                greeting: Duration = .seconds(300), mail: Duration = .seconds(300), rcpt: Duration = .seconds(300),
                dataInitiation: Duration = .seconds(120), dataBlock: Duration = .seconds(180),
                dataTermination: Duration = .seconds(600), command: Duration = .seconds(300),
                tlsProbe: Duration = .seconds(2)) {
        self.connect = connect
        self.tlsHandshake = tlsHandshake
        self.greeting = greeting
        self.mail = mail
        self.rcpt = rcpt
        self.dataInitiation = dataInitiation
        self.dataBlock = dataBlock
        self.dataTermination = dataTermination
        self.command = command
        self.tlsProbe = tlsProbe
    }

    /// The same limit everywhere: for probes and tests (`--timeout S`).
    public static func uniform(_ d: Duration) -> SMTPTimeouts {
        SMTPTimeouts(connect: d, tlsHandshake: d, greeting: d, mail: d, rcpt: d, dataInitiation: d,
                     dataBlock: d, dataTermination: d, command: d, tlsProbe: min(d, ConnectionTimeouts.defaultTLSProbe))
    }

    var connection: ConnectionTimeouts {
        ConnectionTimeouts(connect: connect, tlsHandshake: tlsHandshake, read: command, write: dataBlock,
                           tlsProbe: tlsProbe)
    }
}
