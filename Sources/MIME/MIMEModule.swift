// MIME: message model, writer and parser (RFC 5322, 2045-2049). Filled by the MIME issue.
