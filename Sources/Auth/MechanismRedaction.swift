/// Renderings of the mechanisms that never show the secret they hold: `print`, string
/// interpolation, `String(reflecting:)` and `dump` all show the mechanism name only (the
/// project's rule: no credential in any log, transcript or error).
extension PlainMechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(name) <redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name], displayStyle: .struct) }
}

extension LoginMechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(name) <redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name], displayStyle: .struct) }
}

extension XOAuth2Mechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(name) <redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "errorReport": errorReport as Any], displayStyle: .struct)
    }
}

extension OAuthBearerMechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(name) <redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "errorReport": errorReport as Any], displayStyle: .struct)
    }
}

extension CyrusSASLMechanism: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(name) (libsasl2) <redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["name": name], displayStyle: .struct) }
}

extension SASLClientExchange: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "SASLClientExchange(\(mechanismName), \(challengesAnswered) challenges answered)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror {
        Mirror(self, children: ["mechanism": mechanismName, "challengesAnswered": challengesAnswered,
                                "error": error as Any], displayStyle: .struct)
    }
}
