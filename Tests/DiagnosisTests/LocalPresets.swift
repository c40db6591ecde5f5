import TestSupport
@testable import Diagnosis

extension ProviderPreset {
    /// A Fastmail preset whose servers are the local Postfix (`submissions`) and Dovecot (`imaps`)
    /// on `localhost`, with an app-password note: the provider a detection test injects
    /// (diagnostics.md §2). No domains; `mxSuffixes` select it by MX.
    static func local(_ servers: TestServers, mxSuffixes: [String] = [],
                      imapUsername: UsernameForm = .localPart) throws -> ProviderPreset {
        ProviderPreset(provider: .fastmail, domains: [], mxSuffixes: mxSuffixes,
                       smtp: [.tls("localhost", try servers.port("submissions"))],
                       imap: [.tls("localhost", try servers.port("imaps"))],
                       smtpUsername: .emailAddress, imapUsername: imapUsername, authKinds: [.appPassword],
                       note: "Use an app password.")
    }
}
