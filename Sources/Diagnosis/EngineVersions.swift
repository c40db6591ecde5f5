import Auth
import NetIO

/// The versions support asks for first: this engine, the OpenSSL it runs on, Cyrus SASL and the
/// SASL mechanisms available here (support bundles, `mailprobe check --bundle`).
public enum EngineVersions {
    /// This engine's version.
    public static let engine = "MailEngine 0.6"
    /// `OpenSSL 3.0.17 1 Jul 2025` (OpenSSL_version at run time).
    public static var openSSL: String { LibraryVersions.openSSL }
    /// `Cyrus SASL 2.1.28` (sasl_version_info).
    public static var cyrusSASL: String { SASLLibrary.version }
    /// The mechanisms libsasl2's installed plugins offer, plus the ones built into the engine
    /// (PLAIN RFC 4616, LOGIN, XOAUTH2, OAUTHBEARER RFC 7628).
    public static var saslMechanisms: [String] {
        var all = SASLLibrary.availableMechanisms
        for m in ["PLAIN", "LOGIN", "XOAUTH2", "OAUTHBEARER"] where !all.contains(m) { all.append(m) }
        return all
    }
}
