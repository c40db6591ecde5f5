// Auth: SASL mechanisms (RFC 4422). Filled by the SMTP/SASL issue.
