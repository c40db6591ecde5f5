import Foundation

/// The real servers `scripts/servers start` brought up, read from `$MAILENGINE_SERVERS`.
public struct TestServers: Sendable {
    public let dir: String
    public let tlsDir: String
    public let smtpSink: String
    public let ports: [String: UInt16]

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// Loads the servers file, or throws a clear error: run the suite with `scripts/test`.
    public static func load() throws -> TestServers {
        guard let path = ProcessInfo.processInfo.environment["MAILENGINE_SERVERS"] else {
            throw Missing(description: "MAILENGINE_SERVERS is not set: run the suite with scripts/test, "
                          + "or `eval \"$(scripts/servers start)\"` first")
        }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let rawPorts = object["ports"] as? [String: Int] ?? [:]
        return TestServers(dir: object["dir"] as? String ?? "", tlsDir: object["tls"] as? String ?? "",
                           smtpSink: object["smtpSink"] as? String ?? "",
                           ports: rawPorts.mapValues { UInt16($0) })
    }

    public func port(_ name: String) throws -> UInt16 {
        guard let p = ports[name] else { throw Missing(description: "no server named \(name) in \(dir)") }
        return p
    }

    /// A file of the test PKI (`ca.crt`, `good.crt`, …).
    public func tls(_ file: String) -> String { "\(tlsDir)/\(file)" }
}
