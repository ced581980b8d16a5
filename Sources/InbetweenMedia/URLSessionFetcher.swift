public import Foundation
import InbetweenAPI

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
        let (data, response): (Data, URLResponse)
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            throw MediaError(.fetchFailed, Self.reason(error, url: url))
        }
        if let http = response as? HTTPURLResponse, !(200..<300).contains(http.statusCode) {
            throw MediaError(.fetchFailed, "the server answered HTTP \(http.statusCode)")
        }
        guard data.count <= maxBytes else {
            throw MediaError(.fetchFailed, "the body is larger than \(maxBytes / (1024 * 1024)) MiB")
        }
        return [UInt8](data)
    }

    /// What went wrong with a request, in words like the server worker's: never Foundation's
    /// own description (its domain, codes and the whole URL, twice).
    static func reason(_ error: any Error, url: URL) -> String {
        let host = ImageReference.excerpt(url.host ?? "its host")
        guard let error = error as? URLError else { return "the request failed" }
        switch error.code {
        case .cannotFindHost, .dnsLookupFailed:
            return "the host name \(host) does not resolve"
        case .cannotConnectToHost:
            return "nothing accepted a connection at \(host)\(url.port.map { ":\($0)" } ?? "")"
        case .timedOut:
            return "\(host) did not answer in time"
        case .networkConnectionLost:
            return "the connection to \(host) was lost"
        case .notConnectedToInternet:
            return "this machine has no network connection"
        case .secureConnectionFailed, .serverCertificateUntrusted, .serverCertificateHasBadDate, .serverCertificateNotYetValid,
            .serverCertificateHasUnknownRoot:
            return "a secure (TLS) connection to \(host) could not be made"
        case .unsupportedURL, .badURL:
            return "the URL is not one that can be fetched (http or https)"
        case .httpTooManyRedirects, .redirectToNonExistentLocation:
            return "\(host) redirected too often or to nowhere"
        default:
            return "the request to \(host) failed (URL error \(error.code.rawValue))"
        }
    }
}
