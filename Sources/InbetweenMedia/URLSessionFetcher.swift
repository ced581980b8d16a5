public import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Fetches image URLs for the command line with a time and size limit. It has no SSRF guard:
/// the person at the terminal chose the URL. The server uses its own guarded fetcher.
public struct URLSessionFetcher: ImageFetcher {
    public var timeout: TimeInterval

    public init(timeout: TimeInterval = 30) {
        self.timeout = timeout
    }

    public func fetch(_ url: URL, maxBytes: Int) async throws -> [UInt8] {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("inbetween", forHTTPHeaderField: "User-Agent")
        let (data, response) = try await URLSession.shared.data(for: request)
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw MediaError(.fetchFailed, "the server answered HTTP \(http.statusCode)")
        }
        guard data.count <= maxBytes else {
            throw MediaError(.fetchFailed, "the body is larger than \(maxBytes / (1024 * 1024)) MiB")
        }
        return [UInt8](data)
    }
}
