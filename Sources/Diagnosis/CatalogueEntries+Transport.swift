internal import Glibc

extension CatalogueEntries {
    /// DNS, TCP and port/security mix-ups (diagnostics.md §3C E39–E40, §3D E47–E52).
    static let transport: [CatalogueEntry] = [
        CatalogueEntry(
            "network.dns-not-found", ref: "E51", "The server name {host} cannot be found",
            when: [.transport(.dns)],
            cause: "This computer could not find {host} in DNS. The name is misspelled (for example smtp.gmail.con, a space, or smtp:// in front of it), or this computer's internet connection or DNS is not working.",
            fix: "Check the server name letter by letter against your provider's instructions: no spaces, nothing like smtp:// in front and no :port after it. If it is right, check that this computer can open web sites."),
        CatalogueEntry(
            "network.dns-timeout", ref: "E51", "Looking up {host} took too long",
            when: [.stage(["DNS"]), .transport(.timeout)],
            cause: "The name server did not answer in time when asked for {host}: the internet connection or the DNS server is down or very slow.",
            fix: "Check the internet connection and try again in a minute.", transient: true),
        CatalogueEntry(
            "network.connection-refused", ref: "E48", "Nothing accepts connections on port {port} of {host}",
            when: [.transport(.refused)],
            cause: "{host} answered at once, but nothing accepts connections on port {port}: the port is wrong, the server name is wrong, or the mail service there is down.",
            fix: "Check the port and server name in the settings. \(portsSMTP)"),
        CatalogueEntry(
            "network.port25-blocked", ref: "E49", "Port 25 is blocked by the network",
            when: [.stage(["connect"]), .transport(.timeout), .port([25])],
            cause: "No answer at all on port 25. Internet providers and cloud hosts (AWS, Google Cloud, Azure, DigitalOcean) block outgoing port 25 to stop spam, so the connection is silently dropped.",
            fix: "Use port 587 with STARTTLS or port 465 with SSL/TLS, with your user name and password. E-mail services such as SendGrid or Mailgun also accept port 2525."),
        CatalogueEntry(
            "network.connect-timeout", ref: "E49", "No answer from {host} on port {port}",
            when: [.stage(["connect"]), .transport(.timeout)],
            cause: "The connection to {host} port {port} got no answer at all: a firewall (of this network, the computer or the hosting company) silently drops it, or the server name points to a machine that is off.",
            fix: "Check the server name and port. Ask whoever runs this network (or the hosting company) to allow outgoing connections to ports 587, 465 and 993. Try from another network to compare."),
        CatalogueEntry(
            "network.unreachable", ref: "E50", "There is no network path to {host}",
            when: [.transport(.unreachable)],
            cause: "This computer has no route to {host}: the internet connection is down, or only an IPv6 address was tried on a network without IPv6.",
            fix: "Check the internet connection (can this computer open web sites?), then try again.", transient: true),
        CatalogueEntry(
            "network.connection-reset", ref: "E47", "{host} cut the connection",
            // A reset read as the end of the session, or met while connecting (ECONNRESET, 104 on Linux).
            when: [.anyOf([[.transport(.closedByPeer)], [.transport(.errno(ECONNRESET))]]), .text("reset")],
            cause: "The server or something on the way (a firewall, antivirus software) cut the connection. Common causes: the security setting does not match the port, the server blocked this address after failed logins, or antivirus software intercepts e-mail.",
            fix: "Check that the security setting matches the port (SSL/TLS on 465 and 993, STARTTLS on 587 and 143). Wait a few minutes before trying again; if it persists, try from another network or turn off e-mail scanning in the antivirus.",
            transient: true),
        CatalogueEntry(
            "network.closed-before-greeting", ref: "E47", "{host} closed the connection before saying anything",
            when: [.stage(["greeting"]), .transport(.closedByPeer)],
            cause: "The server accepted the connection and closed it at once. It does that when it refuses this computer's address (too many connections or failed logins, or a block list), or when the port expects a different protocol.",
            fix: "Wait a few minutes and try again. Check that the port belongs to the sending (SMTP) or reading (IMAP) server. If it persists, send this report to your e-mail provider.",
            transient: true),
        CatalogueEntry(
            "port.starttls-on-implicit-tls-port", ref: "E39", "Port {port} needs SSL/TLS, not STARTTLS",
            when: [.transport(.tlsOnPlaintextPort)],
            cause: "The settings say STARTTLS (or no encryption), but port {port} expects encryption from the very first byte (SSL/TLS). The server waits for encryption while the program waits for the server to speak, so the connection just hangs.",
            fix: "Set the security to SSL/TLS for port {port}; or keep STARTTLS and change the port to {startTLSPort}."),
        CatalogueEntry(
            "port.silent-implicit-tls-port", ref: "E39", "No greeting on port {port}: it probably needs SSL/TLS",
            when: [.stage(["greeting"]), .transport(.timeout), .port([465, 993])],
            cause: "The connection to port {port} opened, but the server said nothing. Port {port} normally expects encryption from the first byte (SSL/TLS), and a program set to STARTTLS waits for a greeting that never comes.",
            fix: "Set the security to SSL/TLS for port {port}; or keep STARTTLS and change the port to {startTLSPort}."),
        CatalogueEntry(
            "port.provider-has-no-465", "{provider} does not offer port 465",
            when: [.stage(["connect", "greeting"]), .port([465]), .provider([.postmark, .icloud, .microsoft365, .outlookConsumer])],
            cause: "{provider} has no SSL/TLS sending port 465, so the connection there is refused or hangs.",
            fix: "Use port 587 with STARTTLS (Postmark also offers 2525)."),
        CatalogueEntry(
            "port.implicit-tls-on-starttls-port", ref: "E40", "Port {port} needs STARTTLS, not SSL/TLS",
            when: [.transport(.plaintextOnTLSPort)],
            cause: "The settings say SSL/TLS, but the server on port {port} first talks unencrypted and switches to encryption on request (STARTTLS). Starting encryption at once fails (\"wrong version number\").",
            fix: "Set the security to STARTTLS for port {port}; or keep SSL/TLS and change the port to {implicitPort}."),
        CatalogueEntry(
            "port.implicit-tls-on-starttls-port-openssl", ref: "E40", "Port {port} needs STARTTLS, not SSL/TLS",
            when: [.stage(["TLS"]), .text("wrong version number|unknown protocol|packet length too long|record overflow|first record does not look like a TLS handshake|Unrecognized SSL message")],
            cause: "The encryption library could not read the server's answer as encryption (\"wrong version number\"): the server on port {port} talks unencrypted first and expects STARTTLS.",
            fix: "Set the security to STARTTLS for port {port}; or keep SSL/TLS and change the port to {implicitPort}."),
        CatalogueEntry(
            "network.greeting-timeout", "{host} did not greet",
            when: [.stage(["greeting"]), .transport(.timeout)],
            cause: "The connection opened but the server did not send its greeting in time. The server is overloaded, or a firewall or antivirus holds the connection, or the port belongs to another service.",
            fix: "Try again in a few minutes. Check the port (\(portsSMTP)) and, if antivirus software scans e-mail, turn that off for this program.",
            transient: true),
        CatalogueEntry(
            "starttls.response-injection", "Data was slipped in before encryption started",
            when: [.transport(.startTLSInjection)],
            cause: "After agreeing to start encryption, the server (or something between) sent extra data before encryption began. That is how an attacker injects commands, so the connection was stopped.",
            fix: "Do not use this network for e-mail until it is checked; try another network. If it happens everywhere, send this report to your e-mail provider."),
        CatalogueEntry(
            "network.not-a-mail-server", "The server on port {port} does not talk like a mail server",
            when: [.transport(.lineTooLong)],
            cause: "The server sent a very long line without a line end: port {port} of {host} is probably a web or other service, not a mail server.",
            fix: "Check the port and server name. \(portsSMTP)"),
    ]
}
