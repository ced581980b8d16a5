import AsyncHTTPClient
public import Foundation
import InbetweenAPI
public import InbetweenJobs
public import InbetweenMedia
import NIOCore
import NIOHTTP1

/// HTTP to URLs a client gave us (images, callbacks), through the SSRF guard: each hop's
/// host is resolved once, every address is checked against the `AddressPolicy`, and the
/// connection is pinned to the checked address (the name is never resolved again, so a DNS
/// answer that changes cannot slip through). Redirects are followed by hand, each hop
/// checked again; callbacks follow none. Sizes and times are limited while streaming.
public struct GuardedHTTPClient: Sendable {
    public var policy: AddressPolicy
    public var resolver: any HostResolver
    public var maxRedirects = 5
    public var connectTimeout: Duration = .seconds(10)

    public init(policy: AddressPolicy, resolver: any HostResolver = SystemHostResolver()) {
        self.policy = policy
        self.resolver = resolver
    }

    /// A refused or failed fetch, worded for the job's error.
    public struct Refusal: Error, CustomStringConvertible, Hashable {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    /// The pinned target of one hop: the host as written and the address it is pinned to.
    public struct Target: Sendable, Hashable {
        public var host: String
        public var address: ResolvedAddress
    }

    /// Resolves and checks `url`'s host.
    public func check(_ url: URL) async throws -> Target {
        guard let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https" else {
            throw Refusal("only http:// and https:// URLs are fetched")
        }
        guard var host = url.host, !host.isEmpty else { throw Refusal("the URL has no host") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if url.user != nil || url.password != nil { throw Refusal("URLs with credentials are not fetched") }
        let addresses = try await resolver.resolve(host)
        guard let first = addresses.first else { throw Refusal("the host name \(host) has no addresses") }
        for address in addresses {
            if let reason = policy.refusal(address.bytes) {
                throw Refusal("\(host) resolves to \(address), which is \(reason); only public internet addresses are allowed")
            }
        }
        return Target(host: host, address: first)
    }

    /// GETs `url`, following up to `maxRedirects` checked redirects; at most `maxBytes`.
    public func get(_ url: URL, maxBytes: Int, timeout: Duration) async throws -> [UInt8] {
        try await withDeadline(timeout, orThrow: Refusal("\(url.host ?? "the host") did not answer within \(timeout.components.seconds) s")) {
            var current = url
            for _ in 0...maxRedirects {
                let target = try await check(current)
                let client = makeClient(pinning: target)
                do {
                    var request = HTTPClientRequest(url: current.absoluteString)
                    request.method = .GET
                    request.headers.add(name: "user-agent", value: "inbetween/1")
                    request.headers.add(name: "accept", value: "image/png, image/jpeg, image/webp")
                    let response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds) + 1))
                    let status = Int(response.status.code)
                    if (300..<400).contains(status), status != 304 {
                        guard let location = response.headers.first(name: "location"),
                            let next = URL(string: location, relativeTo: current)?.absoluteURL
                        else { throw Refusal("answered HTTP \(status) without a usable Location") }
                        try await client.shutdown()
                        current = next
                        continue
                    }
                    guard (200..<300).contains(status) else { throw Refusal("answered HTTP \(status)") }
                    if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > maxBytes {
                        throw Refusal("is \(length) bytes, larger than the \(maxBytes / (1024 * 1024)) MiB limit")
                    }
                    var bytes: [UInt8] = []
                    for try await chunk in response.body {
                        guard bytes.count + chunk.readableBytes <= maxBytes else {
                            throw Refusal("is larger than the \(maxBytes / (1024 * 1024)) MiB limit")
                        }
                        bytes.append(contentsOf: chunk.readableBytesView)
                    }
                    try await client.shutdown()
                    return bytes
                } catch {
                    try? await client.shutdown()
                    throw error
                }
            }
            throw Refusal("redirected more than \(maxRedirects) times")
        }
    }

    /// POSTs `body` to `url` without following redirects; the receiver's status.
    public func post(_ url: URL, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
        try await withDeadline(timeout, orThrow: Refusal("\(url.host ?? "the receiver") did not answer within \(timeout.components.seconds) s")) {
            let target = try await check(url)
            let client = makeClient(pinning: target)
            do {
                var request = HTTPClientRequest(url: url.absoluteString)
                request.method = .POST
                for (name, value) in headers { request.headers.add(name: name, value: value) }
                request.body = .bytes(ByteBuffer(bytes: body))
                let response = try await client.execute(request, timeout: .seconds(Int64(timeout.components.seconds) + 1))
                // Read (and drop) a little of the answer so the connection closes cleanly.
                _ = try? await response.body.collect(upTo: 64 * 1024)
                try await client.shutdown()
                return Int(response.status.code)
            } catch {
                try? await client.shutdown()
                throw error
            }
        }
    }

    private func makeClient(pinning target: Target) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(Int64(connectTimeout.components.seconds)), read: .seconds(30))
        )
        configuration.dnsOverride = [target.host: target.address.description]
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }
}

/// Images for the workers, through the guard.
public struct GuardedImageFetcher: ImageFetcher {
    public let client: GuardedHTTPClient
    public let timeout: Duration

    public init(client: GuardedHTTPClient, timeout: Duration) {
        self.client = client
        self.timeout = timeout
    }

    public func fetch(_ url: URL, maxBytes: Int) async throws -> [UInt8] {
        try await client.get(url, maxBytes: maxBytes, timeout: timeout)
    }
}

/// Callbacks, through the guard, never following a redirect.
public struct GuardedWebhookTransport: WebhookTransport {
    public let client: GuardedHTTPClient

    public init(client: GuardedHTTPClient) {
        self.client = client
    }

    public func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int {
        guard let parsed = URL(string: url) else { throw GuardedHTTPClient.Refusal("the callback URL cannot be parsed") }
        return try await client.post(parsed, headers: headers, body: body, timeout: timeout)
    }
}
