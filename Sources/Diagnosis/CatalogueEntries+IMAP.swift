extension CatalogueEntries {
    /// A provider's refusal because IMAP is off for the account (not Gmail's own words, which
    /// `imap.gmail-imap-disabled` explains).
    static let imapSwitchedOff = "IMAP (access |use )?(is |has been )?(disabled|switched off|turned off|not (enabled|activated|allowed|permitted))|(enable|activate) IMAP|yet to enable IMAP"

    /// Reading the mailbox over IMAP (diagnostics.md §3A E04–E06, E14–E15; RFC 5530 response codes).
    static let imap: [CatalogueEntry] = [
        CatalogueEntry(
            "imap.gmail-bad-credentials", ref: "E04", "Google refused the password",
            when: [.protocol(.imap), .provider([.gmail]), .credentialIsNot(.oauth2), .text("AUTHENTICATIONFAILED|Invalid credentials")],
            cause: "Google does not accept the normal Google password for programs like this one any more, or the password has a typo, or the app password was revoked when the Google password was changed.",
            fix: "Turn on 2-Step Verification, create an app password at https://myaccount.google.com/apppasswords and paste its 16 letters (without spaces) as the password. Or use \"Sign in with Google\" (OAuth)."),
        CatalogueEntry(
            "imap.gmail-app-password-required", ref: "E05", "Google needs an app password",
            when: [.protocol(.imap), .text("Application-specific password required")],
            cause: "2-Step Verification is on for this Google account, so its normal password cannot be used here.",
            fix: "Create an app password at https://myaccount.google.com/apppasswords and use it as the password, or use \"Sign in with Google\" (OAuth)."),
        CatalogueEntry(
            "imap.gmail-imap-disabled", ref: "E06", "IMAP is switched off for this Google account",
            when: [.text("not enabled for IMAP")],
            cause: "IMAP access is switched off for this account: for Google Workspace by the admin's policy, for old personal accounts in Gmail's settings.",
            fix: "Google Workspace: the admin allows IMAP for this user (Admin console → Apps → Gmail → End user access). Personal Gmail: Settings → See all settings → Forwarding and POP/IMAP → Enable IMAP."),
        CatalogueEntry(
            "imap.microsoft-login-failed", ref: "E14", "Microsoft refused the IMAP login",
            when: [.protocol(.imap), .provider([.microsoft365]), .text("AUTHENTICATE failed|LOGIN failed")],
            cause: "Microsoft 365 refused the IMAP login: password logins for IMAP were retired in 2022, or the token is invalid or for another service, or IMAP is switched off for this mailbox.",
            fix: "Use \"Sign in with Microsoft\" (OAuth2 with the IMAP.AccessAsUser.All permission); the admin checks that IMAP is enabled for the mailbox (Microsoft 365 admin center → Users → Mail → Manage email apps)."),
        CatalogueEntry(
            "imap.outlook-imap-login-failed", "Outlook.com refused the IMAP login",
            when: [.protocol(.imap), .provider([.outlookConsumer]), .text("AUTHENTICATE failed|LOGIN failed|AUTHENTICATIONFAILED")],
            cause: "Personal Outlook.com accounts only allow IMAP with \"Sign in with Microsoft\" (OAuth2) since September 2024, and IMAP is switched off by default.",
            fix: "In Outlook.com: Settings → Mail → Forwarding and IMAP → turn on IMAP. Then use \"Sign in with Microsoft\" (OAuth2) in this program."),
        CatalogueEntry(
            "imap.authenticated-not-connected", ref: "E15", "Logged in, but the mailbox cannot be opened",
            when: [.text("authenticated but not connected")],
            cause: "Microsoft accepted the sign-in but could not open a mailbox for it: the token belongs to another user or lacks mailbox permission (for app-only access, the app has no rights on this mailbox).",
            fix: "Sign in again as the mailbox owner with the IMAP permission; for app-only access the admin grants the app access to this mailbox (Add-MailboxPermission)."),
        CatalogueEntry(
            "imap.login-disabled", "IMAP is switched off for this account",
            when: [.protocol(.imap), login, .text(imapSwitchedOff)],
            cause: "{host} refused the login because IMAP access is switched off for this account in the provider's settings (several providers ship it off, or an administrator turned it off). The password may well be right.",
            fix: "Sign in to the provider's web mail, open the settings (often under \"POP/IMAP\", \"Forwarding and IMAP\" or \"Mail apps\"), turn IMAP access on, then try again; for a company account ask the administrator to allow IMAP for this mailbox."),
        CatalogueEntry(
            "imap.logindisabled-capability", "{host} does not allow a login before encryption",
            // RFC 9051 §6.2.3: the capability (the client's observation, or the line quoted).
            when: [.protocol(.imap), .anyOf([[.observation(.loginDisabled)], [.text("LOGINDISABLED")]])],
            cause: "The connection is not encrypted, and the server announces LOGINDISABLED: it refuses password logins until encryption starts, which protects the password.",
            fix: "Set the security to STARTTLS on port 143 or SSL/TLS on port 993."),
        CatalogueEntry(
            "imap.privacy-required", "{host} refused a login without encryption",
            when: [.text("PRIVACYREQUIRED|Plaintext authentication (disallowed|not allowed)")],
            cause: "The password was offered on an unencrypted connection, and the server refused it. If anyone was listening on the network, they may have seen the password.",
            fix: "Set the security to SSL/TLS on port 993 or STARTTLS on port 143, and change the password to be safe."),
        CatalogueEntry(
            "imap.authentication-failed", "The user name or password is wrong",
            when: [.protocol(.imap), .credentialIsNot(.oauth2), .text("AUTHENTICATIONFAILED|Authentication failed|Invalid credentials|LOGIN failed|AUTHENTICATE failed")],
            cause: "{host} refused the user name \"{user}\" with this password.",
            fix: "Check the user name (usually the full e-mail address) and type the password again. Many providers need an app password instead of the normal password."),
        CatalogueEntry(
            "imap.too-many-connections", ref: "E33", "Too many connections to this mailbox",
            when: [.protocol(.imap), .text("Maximum number of connections|too many (simultaneous |concurrent )?connections|\\[LIMIT\\]")],
            cause: "The server limits how many programs may have this mailbox open at once (Gmail allows 15), and that many are connected already: phones, other computers, other tills.",
            fix: "Close the mail program on some devices, or wait a few minutes for old connections to time out.",
            transient: true),
        CatalogueEntry(
            "imap.mailbox-not-found", "The folder does not exist",
            when: [.protocol(.imap), .text("NONEXISTENT|Mailbox (doesn't|does not) exist|Unknown Mailbox|no such mailbox|Folder not found")],
            cause: "The folder asked for does not exist on the server (names differ between providers and languages, e.g. \"Sent\", \"Sent Items\", \"[Gmail]/Sent Mail\").",
            fix: "Choose the folder from the server's own list; for the sent-mail folder let the program find it (SPECIAL-USE \\Sent)."),
        CatalogueEntry(
            "imap.unavailable", "The mailbox server is temporarily unavailable",
            when: [.protocol(.imap), .text("\\[UNAVAILABLE\\]|temporarily unavailable|try again later")],
            cause: "The server cannot serve this mailbox right now.",
            fix: "Try again in a few minutes.", transient: true),
        CatalogueEntry(
            "imap.greeting-bye", "{host} refused the IMAP session",
            when: [.protocol(.imap), .stage(["greeting"]), .text("^(\\* )?BYE")],
            cause: "The server closed the session at once with BYE: it is busy, shutting down, or refusing this computer's address.",
            fix: "Try again in a few minutes; if it persists, send this report to your provider.", transient: true),
    ]
}
