// SMTP: submission client (RFC 5321, 6409). Filled by the SMTP issue.
