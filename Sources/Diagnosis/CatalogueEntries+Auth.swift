extension CatalogueEntries {
    /// Logins, SMTP and IMAP alike (diagnostics.md §3A E01–E20, §3E, §2 app-password notes).
    static let smtpAuth: [CatalogueEntry] = [
        CatalogueEntry(
            "auth.gmail-bad-credentials", ref: "E01", "Google refused the password",
            when: [.provider([.gmail]), .credentialIsNot(.oauth2), .code([535]), .text("BadCredentials|Username and Password not accepted")],
            cause: "Google does not accept the normal Google password for programs like this one any more. Otherwise the password has a typo, or it is an app password that stopped working when the Google password was changed.",
            fix: "Turn on 2-Step Verification for the Google account, then create an app password at https://myaccount.google.com/apppasswords and paste its 16 letters (without spaces) as the password. Or use \"Sign in with Google\" (OAuth)."),
        CatalogueEntry(
            "auth.gmail-app-password-required", ref: "E02", "Google needs an app password",
            when: [.code([534]), .enhancedCode(["5.7.9"]), .text("Application-specific password required|InvalidSecondFactor")],
            cause: "2-Step Verification is on for this Google account, so its normal password cannot be used here.",
            fix: "Create an app password at https://myaccount.google.com/apppasswords and paste its 16 letters (without spaces) as the password, or use \"Sign in with Google\" (OAuth)."),
        CatalogueEntry(
            "auth.gmail-web-login-required", ref: "E03", "Google blocked this sign-in as suspicious",
            when: [.code([534]), .enhancedCode(["5.7.14"])],
            cause: "Google thinks this sign-in is suspicious (a new place or a server's address) and wants a person to confirm it in a browser.",
            fix: "Sign in to Gmail in a web browser on this same network and confirm that it was you. Better: use an app password or \"Sign in with Google\" (OAuth), which Google does not block this way."),
        CatalogueEntry(
            "auth.too-many-login-attempts", ref: "E07", "Too many failed logins: locked for a while",
            when: [.text("Too many login attempts|too many (failed )?(login|authentication) (attempts|failures)")],
            cause: "After repeated failed logins, the server locked logins from this account or address for a while.",
            fix: "Stop all retries (on every till or device using this account) for about an hour, correct the password, then try once.",
            transient: true),
        CatalogueEntry(
            "auth.microsoft-bad-credentials", ref: "E09", "Microsoft refused the login",
            when: [.credentialIsNot(.oauth2), .code([535]), .enhancedCode(["5.7.3"]), .text("Authentication unsuccessful")],
            cause: "Microsoft 365 rejected the user name or password: the password is wrong, the user name is an alias instead of the sign-in address, multi-factor sign-in is on, or password logins are blocked for this organisation.",
            fix: "Use the full sign-in address as the user name. If multi-factor sign-in is on, use an app password (if the admin allows it) or \"Sign in with Microsoft\" (OAuth)."),
        CatalogueEntry(
            "auth.outlook-password-login-retired", ref: "E13", "Outlook.com no longer accepts passwords here",
            when: [.provider([.outlookConsumer]), .credentialIsNot(.oauth2), .stage(["AUTH"]), .code([535]), .text("Authentication unsuccessful|basic authentication")],
            cause: "Since 16 September 2024, personal Outlook.com, Hotmail and Live accounts only allow programs that sign in with Microsoft (OAuth2). Passwords and app passwords no longer work for SMTP or IMAP.",
            fix: "Use \"Sign in with Microsoft\" (OAuth2) in this program."),
        CatalogueEntry(
            "auth.basic-auth-disabled", ref: "E13", "Password logins are switched off for this account",
            when: [login, .text("basic authentication is (disabled|not supported)")],
            cause: "The provider has switched off plain password logins (\"basic authentication\") for this account or organisation.",
            fix: "Use \"Sign in with Microsoft\" (OAuth2) in this program, or ask the admin to allow SMTP AUTH for this mailbox."),
        CatalogueEntry(
            "auth.m365-basic-auth-retired", ref: "E13", "Microsoft 365 no longer accepts passwords for sending",
            when: [.code([550]), .enhancedCode(["5.7.30"]), .text("Basic authentication is not supported for Client Submission")],
            cause: "Microsoft has retired password logins (basic authentication) for sending mail through Microsoft 365 in this organisation.",
            fix: "Switch this program to \"Sign in with Microsoft\" (OAuth2, permission SMTP.Send), or send through an e-mail service or a Microsoft 365 relay connector set up by the admin."),
        CatalogueEntry(
            "auth.m365-smtp-auth-disabled", ref: "E10", "Microsoft 365 has sending with a password switched off",
            when: [.enhancedCode(["5.7.139"]), .text("SmtpClientAuthentication is disabled")],
            cause: "The organisation's Microsoft 365 has \"SMTP AUTH\" switched off, so no program may log in to send mail with a password.",
            fix: "The Microsoft 365 admin opens Exchange admin center → Settings → Mail flow and unticks \"Turn off SMTP AUTH protocol for your organization\", or enables it for this mailbox only (Set-CASMailbox -SmtpClientAuthenticationDisabled $false). Allow 15 minutes. Or use \"Sign in with Microsoft\" (OAuth)."),
        CatalogueEntry(
            "auth.m365-security-defaults", ref: "E11", "Microsoft 365 security defaults block password logins",
            when: [.enhancedCode(["5.7.139"]), .text("security defaults")],
            cause: "The organisation uses Microsoft's \"Security defaults\", which block programs that log in with a password.",
            fix: "Use \"Sign in with Microsoft\" (OAuth) in this program; or the admin replaces Security defaults with Conditional Access rules that allow this mailbox."),
        CatalogueEntry(
            "auth.m365-conditional-access", ref: "E12", "A Microsoft 365 sign-in rule blocked the login",
            when: [.enhancedCode(["5.7.139"]), .text("did not meet the criteria")],
            cause: "A Conditional Access or multi-factor rule of the organisation, or the mailbox's \"Authenticated SMTP\" switch, blocked this login.",
            fix: "The admin enables Authenticated SMTP for this mailbox and exempts it from the rule, or this program uses \"Sign in with Microsoft\" (OAuth)."),
        CatalogueEntry(
            "auth.m365-login-blocked", ref: "E10", "Microsoft 365 refused this kind of login",
            when: [.enhancedCode(["5.7.139"])],
            cause: "Microsoft 365 refused the login because of an organisation policy (5.7.139).",
            fix: "Ask the Microsoft 365 admin to allow SMTP AUTH for this mailbox, or use \"Sign in with Microsoft\" (OAuth)."),
        CatalogueEntry(
            "auth.yahoo-too-many-bad-attempts", ref: "E16", "Yahoo needs an app password",
            when: [.credentialIsNot(.oauth2), .code([535]), .text("AUTH005|Too many bad auth attempts")],
            cause: "Yahoo refused the password. In practice this nearly always means the normal Yahoo password was used: Yahoo only accepts app passwords from programs like this, even on the first try.",
            fix: "In Yahoo: Account Info → Account Security → Generate app password. Use that password here."),
        CatalogueEntry(
            "auth.yahoo-app-password", "{provider} needs an app password",
            when: [.provider([.yahoo, .aol]), .credentialIsNot(.oauth2), login, .replyClass(5)],
            cause: "{provider} does not accept the normal account password from programs like this one; it needs an app password (which needs 2-step verification).",
            fix: "In {provider}: Account Security → Generate app password, and use that password here."),
        CatalogueEntry(
            "auth.icloud-app-password", "iCloud needs an app-specific password",
            when: [.provider([.icloud]), .credentialIsNot(.oauth2), login, .replyClass(5)],
            cause: "iCloud Mail only accepts app-specific passwords from programs like this one, never the Apple ID password. The account needs two-factor authentication.",
            fix: "Sign in at https://account.apple.com → Sign-In and Security → App-Specific Passwords, create one, and use it here. The SMTP user name is the full iCloud address."),
        CatalogueEntry(
            "auth.fastmail-app-password", "Fastmail needs an app password",
            when: [.provider([.fastmail]), .credentialIsNot(.oauth2), login, .replyClass(5)],
            cause: "Fastmail does not accept the account password from programs like this one.",
            fix: "In Fastmail: Settings → Privacy & Security → App passwords, create one for \"Mail (IMAP/POP/SMTP)\", and use it here."),
        CatalogueEntry(
            "auth.zoho-login-failed", "Zoho refused the login",
            when: [.provider([.zoho]), login, .replyClass(5)],
            cause: "Zoho refused the login. Zoho accounts live in regional data centres (zoho.com, zoho.eu, zoho.in, zoho.com.au…): the wrong region looks exactly like a wrong password. With two-factor sign-in on, an app password is needed; some plans have IMAP/SMTP switched off.",
            fix: "Use the server of your account's region (for example smtp.zoho.eu for accounts at zoho.eu; smtppro.zoho.com for paid custom-domain plans). If two-factor sign-in is on, create an app password in Zoho Accounts → Security. Check that IMAP access is enabled in Zoho Mail settings."),
        CatalogueEntry(
            "auth.gmx-access-disabled", "GMX refused the login",
            when: [.provider([.gmx]), login, .replyClass(5)],
            cause: "GMX only allows programs like this one after \"POP3 & IMAP access\" is switched on in its web settings; otherwise the password is refused.",
            fix: "Log in to GMX in a browser → Settings → POP3 & IMAP → allow access, then try again with the same password."),
        CatalogueEntry(
            "auth.sendgrid-user-must-be-apikey", ref: "E19", "SendGrid's user name must be the word apikey",
            when: [.provider([.sendgrid]), .stage(["AUTH"]), .userIsNot("apikey"), .text("authentication failed|bad username|invalid|denied")],
            cause: "SendGrid was given the user name \"{user}\". SendGrid's SMTP user name is literally the word apikey, for every account; the password is the API key.",
            fix: "Set the user name to apikey and the password to your SendGrid API key (it starts with SG.) with the Mail Send permission."),
        CatalogueEntry(
            "auth.sendgrid-bad-key", ref: "E19", "SendGrid refused the API key",
            when: [.provider([.sendgrid]), .code([535]), .text("Authentication failed")],
            cause: "The API key is wrong, deleted, or lacks the Mail Send permission, or the key's ID was pasted instead of the key itself.",
            fix: "In SendGrid → Settings → API Keys, create a new key with Mail Send permission. User name: apikey; password: the whole key starting with SG."),
        CatalogueEntry(
            "auth.ses-bad-credentials", ref: "E20", "Amazon SES refused the SMTP credentials",
            when: [.text("Authentication Credentials Invalid")],
            cause: "Amazon SES needs its own SMTP credentials: AWS access keys do not work, and SMTP credentials only work in the region they were made for.",
            fix: "In the SES console of the same region as the server ({host}), open SMTP settings → Create SMTP credentials, and use that user name and password."),
        CatalogueEntry(
            "auth.mailgun-bad-credentials", "Mailgun refused the SMTP login",
            when: [.provider([.mailgun]), login, .replyClass(5)],
            cause: "Mailgun's SMTP login is a per-domain SMTP user (like postmaster@mg.yourdomain.com) with its own password, not the dashboard login. The US and EU regions are separate.",
            fix: "In Mailgun → Sending → Domain settings → SMTP credentials, use or reset the SMTP user and password; use smtp.eu.mailgun.org for EU domains."),
        CatalogueEntry(
            "auth.postmark-bad-token", "Postmark refused the SMTP login",
            when: [.provider([.postmark]), login, .replyClass(5)],
            cause: "Postmark's SMTP login is a Server API Token, used as both the user name and the password.",
            fix: "In Postmark → Servers → API Tokens, copy the Server API Token and use it as both user name and password."),
        CatalogueEntry(
            "auth.brevo-bad-key", "Brevo refused the SMTP login",
            when: [.provider([.brevo]), login, .replyClass(5)],
            cause: "Brevo's SMTP password is an SMTP key, not the account password or an API key, and the user name is the login shown on Brevo's SMTP page.",
            fix: "In Brevo → SMTP & API → SMTP, copy the login shown there and generate an SMTP key to use as the password."),
        CatalogueEntry(
            "auth.mandrill-bad-key", "Mandrill refused the SMTP login",
            when: [.provider([.mandrill]), login, .replyClass(5)],
            cause: "Mandrill's SMTP password is a Mandrill API key, and the account needs the paid Transactional add-on.",
            fix: "In Mandrill → Settings → SMTP & API Info, create an API key and use it as the password."),
        CatalogueEntry(
            "auth.oauth-wrong-scope", ref: "E17", "The sign-in token lacks mail permission",
            when: [login, .text(#"insufficient_scope|"status"\s*:\s*"403"|\(HTTP 403\)"#)],
            cause: "The OAuth2 token was issued without the permission needed for mail (for Gmail: https://mail.google.com/; for Microsoft: IMAP.AccessAsUser.All or SMTP.Send).",
            fix: "Sign in again and grant the mail permission; the app's OAuth settings must request the right scope."),
        CatalogueEntry(
            "auth.oauth-token-rejected", ref: "E17", "The sign-in token was refused",
            // The JSON error challenge (RFC 7628 §3.2.2), or any refusal of a login made with a token.
            when: [login, .anyOf([[.text(#""status"\s*:\s*"40[01]"|invalid_token|invalid_grant"#)],
                                   [.credential(.oauth2), .replyClass(5)]])],
            cause: "The server refused the OAuth2 sign-in token: it expired (they last about an hour) or was revoked, it was issued without the mail permission (scope; for Gmail https://mail.google.com/), or it belongs to a different account than {user}. It is not a wrong password: no password was sent.",
            fix: "Refresh the token, or sign in again (\"Sign in with…\"). If that fails, check that the user name is the address of the account that signed in."),
        CatalogueEntry(
            "auth.not-offered", "{host} does not offer a login on port {port}",
            when: [.observation(.authNotOffered)],
            cause: "The server does not offer any login here. Many servers offer login only after encryption starts (STARTTLS), or only on the submission ports; port 25 of a receiving server offers none.",
            fix: "Use STARTTLS on port 587 or SSL/TLS on port 465 of your provider's sending server."),
        CatalogueEntry(
            "auth.no-common-mechanism", "No login method in common with {host}",
            when: [.observation(.noCommonMechanism)],
            cause: "The server's login methods cannot be used with the credentials given (for example it only takes OAuth2 tokens and a password was given, or the other way round).",
            fix: "Use the kind of login the provider expects: an (app) password, or \"Sign in with…\" (OAuth2)."),
        CatalogueEntry(
            "auth.mechanism-unsupported", "{host} does not support this login method",
            when: [.stage(["AUTH"]), .code([504])],
            cause: "The server does not accept the login method the program chose.",
            fix: "Let the program choose the login method from what the server offers; if it is set by hand, choose another one."),
        CatalogueEntry(
            "auth.wrong-password", "The user name or password is wrong",
            when: [.credentialIsNot(.oauth2), .stage(["AUTH"]), .code([535])],
            cause: "{host} refused the user name \"{user}\" with this password.",
            fix: "Check the user name (usually the full e-mail address) and type the password again. Many providers need an app password instead of the normal password."),
        CatalogueEntry(
            "auth.temporary-failure", "Login temporarily impossible",
            when: [.stage(["AUTH"]), .code([454])],
            cause: "The server could not check the login right now (temporary authentication failure).",
            fix: "Try again in a few minutes.", transient: true),
        CatalogueEntry(
            "smtp.authentication-required", ref: "E30", "{host} wants a login before sending",
            when: [.text("Authentication Required|not authenticated to send|Client not authenticated|Authentication is required")],
            cause: "The program tried to send without logging in first.",
            fix: "Turn on \"server requires authentication\" and enter the mailbox's user name and password. With STARTTLS, encryption must start first, then the login."),
        CatalogueEntry(
            "smtp.sendgrid-unauthenticated", ref: "E24", "SendGrid wants a login before sending",
            when: [.text("Unauthenticated senders not allowed")],
            cause: "The program sent without logging in to SendGrid (the authentication box is off, or login was skipped because encryption did not start).",
            fix: "Turn on authentication with user name apikey and your SendGrid API key, and use STARTTLS on port 587."),
    ]
}
