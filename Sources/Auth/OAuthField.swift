/// Checks for the values carried by XOAUTH2 and OAUTHBEARER, whose fields are separated by
/// `%x01` (RFC 7628 §3.1): a control character inside a value would forge a field, and an
/// RFC 6750 §2.1 `b64token` has no spaces.
enum OAuthField {
    static func check(user: String, token: String, mechanism: String) throws(AuthError) {
        if user.unicodeScalars.contains(where: isControl) {
            throw AuthError(.invalidCharacter(field: "user name"), mechanism: mechanism)
        }
        if token.isEmpty || token.unicodeScalars.contains(where: { isControl($0) || $0 == " " }) {
            throw AuthError(.invalidCharacter(field: "access token"), mechanism: mechanism)
        }
    }

    static func isControl(_ u: Unicode.Scalar) -> Bool { u.value < 0x20 || u.value == 0x7F }
}
