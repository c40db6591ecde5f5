public import Foundation
#if canImport(FoundationNetworking)
internal import FoundationNetworking
#endif

/// Fetches an autoconfig document (diagnostics.md §1.2). Injectable, so tests serve documents
/// from 127.0.0.1 and apps can route through their own HTTP stack.
public protocol AutoconfigFetching: Sendable {
    /// The body of a `200 OK` answer, or a thrown error for anything else.
    func fetch(_ url: String, timeout: Duration) async throws -> Data
}

/// Why a document could not be fetched.
public struct AutoconfigFetchError: Error, Sendable, Hashable, CustomStringConvertible {
    public var url: String
    public var message: String
    public var description: String { "\(url): \(message)" }
}

/// Fetches with Foundation's URLSession (HTTPS verified against the system store; no cookies,
/// no cache). Redirects are followed by URLSession; the body is limited to
/// `AutoconfigDocument.maximumSize`.
public struct URLSessionAutoconfigFetcher: AutoconfigFetching {
    public init() {}

    public func fetch(_ url: String, timeout: Duration) async throws -> Data {
        guard let u = URL(string: url), let scheme = u.scheme?.lowercased(), scheme == "https" || scheme == "http" else {
            throw AutoconfigFetchError(url: url, message: "not an http(s) URL")
        }
        let configuration = URLSessionConfiguration.ephemeral
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: u, timeoutInterval: seconds)
        request.setValue("text/xml, application/xml", forHTTPHeaderField: "Accept")
        let (data, status): (Data, Int) = try await withCheckedThrowingContinuation { continuation in
            let task = session.dataTask(with: request) { data, response, error in
                if let error {
                    continuation.resume(throwing: AutoconfigFetchError(url: url, message: error.localizedDescription))
                } else {
                    continuation.resume(returning: (data ?? Data(), (response as? HTTPURLResponse)?.statusCode ?? 0))
                }
            }
            task.resume()
        }
        guard status == 200 else { throw AutoconfigFetchError(url: url, message: "HTTP status \(status)") }
        guard data.count <= AutoconfigDocument.maximumSize else {
            throw AutoconfigFetchError(url: url, message: "document larger than \(AutoconfigDocument.maximumSize) bytes")
        }
        return data
    }
}
