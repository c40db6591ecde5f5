/// One SRV answer (RFC 2782: priority, weight, port, target).
public struct SRVRecord: Sendable, Hashable {
    public var priority: UInt16
    public var weight: UInt16
    public var port: UInt16
    public var target: String

    public init(priority: UInt16, weight: UInt16, port: UInt16, target: String) {
        self.priority = priority
        self.weight = weight
        self.port = port
        self.target = target
    }
}

/// The DNS lookups detection needs beyond `getaddrinfo`: SRV (RFC 6186) and MX (RFC 5321 §5.1).
/// Injectable: NetIO has no DNS client of its own yet, so without one these steps are skipped.
public protocol MailDNSResolving: Sendable {
    func srv(_ name: String) async throws -> [SRVRecord]
    /// MX hosts, lowest preference first.
    func mx(_ domain: String) async throws -> [String]
}
