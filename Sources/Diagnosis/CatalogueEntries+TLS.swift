extension CatalogueEntries {
    /// Certificates and TLS handshakes (diagnostics.md §3C E41–E46).
    static let tls: [CatalogueEntry] = [
        CatalogueEntry(
            "tls.clock-behind", ref: "E45", "This computer's clock is wrong",
            when: [.certificate(.notYetValid)],
            cause: "The server's certificate is valid from {notBefore}, but this computer's clock says {today}. A computer whose clock is behind (a flat clock battery, no time synchronisation) rejects every secure server.",
            fix: "Set this computer's date and time correctly (turn on automatic time), then try again."),
        CatalogueEntry(
            "tls.certificate-expired", ref: "E45", "The server's certificate expired on {notAfter}",
            when: [.certificate(.expired)],
            cause: "The certificate of {host} was valid until {notAfter}, and this computer's clock says {today}. Either the certificate really expired (a missed renewal) or this computer's clock is wrong.",
            fix: "First check this computer's date: if it is not really {today}, set the clock correctly (turn on automatic time). If the date is right, the provider must renew its certificate: tell them. Do not turn off certificate checks."),
        CatalogueEntry(
            "tls.self-signed", ref: "E44", "{host} uses a self-made (self-signed) certificate",
            when: [.certificate(.selfSigned)],
            cause: "The certificate of {host} was made by the server itself, so this computer cannot check that it is really talking to that server. Office and in-house servers often do this; an attacker would too.",
            fix: "If this is your own or your company's server, ask its administrator to confirm the fingerprint SHA-256 {sha256}, and then trust exactly that certificate (pin it). If it should be a public provider, do not connect: the connection may be intercepted."),
        CatalogueEntry(
            "tls.untrusted-root", ref: "E44", "{host}'s certificate comes from an authority this computer does not trust",
            when: [.certificate(.untrustedRoot)],
            cause: "The certificate chain ends in a private certificate authority. Either the server uses your company's own authority, or antivirus software or a company proxy is intercepting encrypted connections with its own certificate.",
            fix: "If the server uses your company's own certificate authority, set ca_file to that authority's certificate. If antivirus software scans e-mail (\"mail shield\"), turn that off for this program. Otherwise do not connect and ask your IT support."),
        CatalogueEntry(
            "tls.unknown-issuer", ref: "E44", "{host}'s certificate cannot be checked",
            when: [.certificate(.unknownIssuer)],
            cause: "This computer cannot find who issued the certificate of {host}: the server does not send its intermediate certificate, or this computer has no list of trusted authorities (common on slim Linux systems without the ca-certificates package).",
            fix: "On Linux, install the ca-certificates package and check that /etc/ssl/certs is filled. If other secure servers work, ask the provider to send its full certificate chain."),
        CatalogueEntry(
            "tls.name-mismatch", ref: "E43", "The certificate is for {certNames}, not {host}",
            when: [.tls(.hostnameMismatch)],
            cause: "The server's certificate is valid, but it names {certNames}, not {host}. Typically {host} is your own domain pointing to a hosting company's shared server.",
            fix: "If {certNames} belongs to your provider, use that name as the server name in the settings. Never turn off the name check."),
        CatalogueEntry(
            "tls.pin-mismatch", "The server's certificate changed",
            when: [.tls(.pinMismatch)],
            cause: "The certificate of {host} (SHA-256 {sha256}) is not the one this program was told to trust.",
            fix: "If the administrator renewed the certificate, confirm the new fingerprint with them and update the pin. Otherwise do not connect: the connection may be intercepted."),
        CatalogueEntry(
            "tls.client-certificate-required", "{host} asks for a client certificate",
            when: [.tls(.handshake), .text("certificate required|bad certificate|did not return a certificate|handshake failure.*client|alert unknown ca")],
            cause: "The server refused the encrypted connection because it wants this computer to prove itself with a certificate of its own (client certificate).",
            fix: "Ask the server's administrator for a client certificate and its key, and set them in the settings; or use the provider's normal server name, which needs none."),
        CatalogueEntry(
            "tls.protocol-too-old", ref: "E46", "{host} only offers outdated encryption",
            when: [.tls(.protocolTooOld)],
            cause: "The server only speaks TLS 1.0 or 1.1, which are no longer safe; this program needs TLS 1.2 or newer. Old Exchange servers and network storage boxes do this.",
            fix: "The server must be updated to support TLS 1.2 or newer: ask its administrator. Microsoft 365 and all large providers already do."),
        CatalogueEntry(
            "tls.handshake-failed", ref: "E46", "The encrypted connection to {host} could not be set up",
            when: [.tls(.handshake)],
            cause: "The server and this computer could not agree on encryption (no common version or cipher), or the server broke off the handshake.",
            fix: "Check the security setting matches the port (SSL/TLS on 465 and 993, STARTTLS on 587 and 143). If it does, send this report to the server's administrator."),
        CatalogueEntry(
            "tls.untrusted", ref: "E44", "{host}'s certificate is not trusted",
            when: [.tls(.untrustedChain)],
            cause: "The certificate of {host} could not be verified, so this computer cannot be sure it talks to the real server.",
            fix: "Check this computer's date and time. If the server is your own, trust its certificate deliberately (ca_file or a pin); otherwise send this report to your provider."),
        CatalogueEntry(
            "starttls.not-offered", ref: "E42", "{host} does not offer encryption (STARTTLS) on port {port}",
            when: [.observation(.startTLSNotOffered)],
            cause: "The settings require STARTTLS, but the server on port {port} does not offer it. Either the server has no working encryption, or a firewall or antivirus removed the offer (which is also how an attacker would downgrade the connection).",
            fix: "Use your provider's official server name and port. Try SSL/TLS on port {implicitPort}. Never fall back to sending the password unencrypted."),
        CatalogueEntry(
            "starttls.refused", ref: "E42", "{host} refused to start encryption",
            when: [.stage(["STARTTLS"]), .replyClass(4)],
            cause: "The server offered STARTTLS but then refused it (\"TLS not available\"): its certificate or key is broken.",
            fix: "Try SSL/TLS on port {implicitPort}. If that fails too, tell your provider: their server cannot encrypt right now.",
            transient: true),
        CatalogueEntry(
            "starttls.not-supported", ref: "E42", "{host} does not support STARTTLS",
            when: [.stage(["STARTTLS"]), .code([500, 502, 503])],
            cause: "The server does not know the STARTTLS command on port {port}.",
            fix: "Use your provider's official server name and port; try SSL/TLS on port {implicitPort}. Never send the password unencrypted."),
        CatalogueEntry(
            "starttls.already-active", ref: "E41", "STARTTLS was sent inside an encrypted connection",
            when: [.text("TLS already active|not permitted when TLS active|already (running|using) TLS|TLS is already")],
            cause: "The connection is already encrypted (SSL/TLS on port {port}), and the program asked to start encryption again.",
            fix: "With SSL/TLS on port {port}, STARTTLS must not be used: set the security to SSL/TLS only."),
        CatalogueEntry(
            "smtp.must-starttls-first", ref: "E38", "{host} wants encryption before the login",
            when: [.text("Must issue a STARTTLS command first|STARTTLS is required|Encryption required for requested authentication|TLS required")],
            cause: "The program tried to log in or send without encryption, and the server refuses that on port {port}.",
            fix: "Set the security to STARTTLS for port 587 (or SSL/TLS for port 465). A password must never be sent before encryption starts."),
    ]
}
