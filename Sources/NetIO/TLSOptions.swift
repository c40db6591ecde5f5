/// How a TLS client decides whom to trust, and what it offers (RFC 8446, RFC 5246, RFC 6125).
///
/// The default verifies the chain against the system CA store and the host name, and requires
/// TLS 1.2 or newer. Anything less safe says so in its name.
public struct TLSOptions: Sendable, Hashable {
    /// Where trust comes from.
    public enum Trust: Sendable, Hashable {
        /// The operating system's CA store (`/etc/ssl/certs`).
        case systemStore
        /// Only the CA certificates in this PEM file (a company's private CA).
        case caFile(String)
        /// Exactly these certificates, by the SHA-256 of their DER encoding (hex, colons optional),
        /// as `openssl x509 -noout -fingerprint -sha256` prints it. The chain and host name are
        /// still checked and reported, but a matching pin is what decides.
        case pinnedSHA256([String])
    }

    public var trust: Trust
    /// Lowest protocol version offered; TLS 1.2 unless raised.
    public var minimumVersion: TLSVersion
    /// A client certificate for servers that ask for one.
    public var clientCertificate: ClientCertificate?
    /// The name to send as SNI and to check the certificate against, when it differs from the host
    /// connected to (for example when connecting by IP address).
    public var serverName: String?
    /// Completes the handshake whatever the certificate says. For diagnosis only: a connection made
    /// this way can be read and changed by anyone on the path. The report still tells the verdicts.
    public var insecureSkipVerification: Bool

    public init(trust: Trust = .systemStore, minimumVersion: TLSVersion = .v1_2,
                clientCertificate: ClientCertificate? = nil, serverName: String? = nil,
                insecureSkipVerification: Bool = false) {
        self.trust = trust
        self.minimumVersion = minimumVersion
        self.clientCertificate = clientCertificate
        self.serverName = serverName
        self.insecureSkipVerification = insecureSkipVerification
    }

    /// System CA store, host name checked, TLS 1.2 minimum.
    public static let `default` = TLSOptions()

    /// Pins, normalised to lower-case hex without separators.
    var normalisedPins: [String] {
        guard case .pinnedSHA256(let pins) = trust else { return [] }
        return pins.map { $0.lowercased().filter { $0.isHexDigit } }
    }
}

/// TLS protocol versions this engine offers.
public enum TLSVersion: String, Sendable, Hashable, Codable, CaseIterable {
    case v1_2 = "TLS 1.2"
    case v1_3 = "TLS 1.3"
}

/// A client certificate and its private key, as PEM files.
public struct ClientCertificate: Sendable, Hashable {
    public var certificateChainFile: String
    public var privateKeyFile: String
    public init(certificateChainFile: String, privateKeyFile: String) {
        self.certificateChainFile = certificateChainFile
        self.privateKeyFile = privateKeyFile
    }
}
