public import AsyncHTTPClient
import Crypto
public import Foundation
public import NIOCore
import NIOHTTP1

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// Where a bucket is and how to address it.
public struct S3Configuration: Sendable {
    /// How a bucket is named in a URL.
    public enum Addressing: String, Sendable, CaseIterable {
        /// `https://endpoint/bucket/key` (MinIO, Ceph, moto, most self-hosted stores).
        case path
        /// `https://bucket.endpoint/key` (AWS's default; R2 and GCS accept both).
        case virtual
    }

    /// The endpoint's base URL, `http(s)://host[:port]`; default `https://s3.<region>.amazonaws.com`.
    public var endpoint: URL
    /// The region signed for (`us-east-1`; R2 takes `auto`).
    public var region: String
    /// The bucket.
    public var bucket: String
    /// Path-style or virtual-host addressing.
    public var addressing: Addressing
    /// Files larger than this (bytes) go up in parts (default 16 MiB).
    public var multipartThreshold: Int = 16 * 1024 * 1024
    /// Bytes per part of a multipart upload, at least 5 MiB (S3's minimum for all parts but the last; default 8 MiB).
    public var partSize: Int = 8 * 1024 * 1024
    /// Attempts per request when no answer comes (refused, reset, timed out) or the store answers
    /// 5xx, 429 or `SlowDown` (default 3).
    public var attempts: Int = 3
    /// Time one request may take until its answer begins (default 20 s); a request with a body
    /// gets one second more per MiB it sends. A stalled answer body is cut by the client's read
    /// timeout (`S3Client.defaultHTTP`: 20 s without a byte).
    public var timeout: TimeAmount = .seconds(20)
    /// Wait before the second attempt, doubled before each later one (default 250 ms).
    public var backoff: Duration = .milliseconds(250)

    /// A bucket at `endpoint` (nil: AWS's endpoint for `region`).
    public init(bucket: String, region: String, endpoint: URL? = nil, addressing: Addressing = .path) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint ?? URL(string: "https://s3.\(region).amazonaws.com")!
        self.addressing = addressing
    }
}

/// What the store answered when a call failed: the operation, the key, the HTTP status and
/// S3's own error code and message (`NoSuchKey`, `BadDigest`, ...). Never carries credentials.
public struct S3Error: Error, CustomStringConvertible, Sendable {
    /// `PUT`, `GET`, `CreateMultipartUpload`, ...
    public var operation: String
    /// The object key.
    public var key: String
    /// The HTTP status, 0 when no answer came.
    public var status: Int
    /// S3's error code (`NoSuchKey`), or empty.
    public var code: String
    /// S3's message, or what went wrong on the way.
    public var message: String

    /// An error from its parts.
    public init(operation: String, key: String, status: Int, code: String, message: String) {
        self.operation = operation
        self.key = key
        self.status = status
        self.code = code
        self.message = message
    }

    /// True when the same call may work later: no answer came (refused, reset, timed out), or
    /// the store answered 5xx, 429, `SlowDown` or `RequestTimeout`. A missing bucket, refused
    /// keys or a bad digest are not.
    public var isTransient: Bool {
        status == 0 || status >= 500 || status == 429 || code == "SlowDown" || code == "RequestTimeout"
    }

    /// `S3 PUT prefix/job/video.mp4 failed: HTTP 400 BadDigest: ...`.
    public var description: String {
        "S3 \(operation) \(key) failed: "
            + (status == 0 ? message : "HTTP \(status)\(code.isEmpty ? "" : " \(code)")\(message.isEmpty ? "" : ": \(message)")")
    }
}

/// A small S3 client over AsyncHTTPClient, signed with `SigV4`: objects put whole (with
/// `Content-MD5`) or in parts (aborted on any failure, so no half object is left), read
/// whole or by range, sized, copied, listed, deleted, and presigned GET URLs.
///
/// Every request is bounded: a connection within `connectTimeout`, an answer within
/// `S3Configuration.timeout` (plus a second per MiB sent), at most `attempts` tries with a short
/// doubling backoff, so a store that is down fails a call within seconds (refused: under one
/// second; nothing answering the connect: about 3 × 4 s). A cancelled task ends its call at once,
/// also during a backoff.
public struct S3Client: Sendable {
    /// The bucket and endpoint.
    public let configuration: S3Configuration
    let signer: SigV4
    let http: HTTPClient
    /// Called before each retry with the failure, the attempt about to start (2, 3, ...) and the
    /// wait before it (for a warning in the log; never given credentials).
    public var onRetry: (@Sendable (_ error: S3Error, _ attempt: Int, _ delay: Duration) -> Void)?

    /// How long `defaultHTTP` waits for a TCP (and TLS) connection.
    public static let connectTimeout = TimeAmount.seconds(4)
    /// How long `defaultHTTP` waits for the next byte of an answer that has begun.
    public static let readTimeout = TimeAmount.seconds(20)

    /// The client S3 calls use unless given another: connections within `connectTimeout`, a
    /// stalled answer cut after `readTimeout`, no redirects, and a failed connection failing its
    /// request at once (AsyncHTTPClient would otherwise retry connecting until the request's
    /// deadline), so the retries and their backoff are `send`'s, bounded and cancellable.
    public static let defaultHTTP: HTTPClient = {
        var pool = HTTPClient.Configuration.ConnectionPool()
        pool.retryConnectionEstablishment = false
        let configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: .init(connect: connectTimeout, read: readTimeout), connectionPool: pool)
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    /// A client for `configuration` signing with `credentials`, through `http`.
    public init(configuration: S3Configuration, credentials: AWSCredentials, http: HTTPClient = S3Client.defaultHTTP) {
        self.configuration = configuration
        self.signer = SigV4(credentials: credentials, region: configuration.region, service: "s3")
        self.http = http
    }

    /// `scheme://host[:port]` of the endpoint, for messages: never its path, query or user info.
    public var endpointDescription: String {
        let endpoint = configuration.endpoint
        return "\(endpoint.scheme?.lowercased() ?? "https")://\(endpoint.host ?? "?")" + (endpoint.port.map { ":\($0)" } ?? "")
    }

    /// The host (with a non-default port) and the encoded path of `key` (nil: the bucket itself).
    func location(_ key: String?) -> (scheme: String, host: String, path: String) {
        let endpoint = configuration.endpoint
        let scheme = endpoint.scheme?.lowercased() ?? "https"
        var host = endpoint.host ?? "localhost"
        if let port = endpoint.port, !(scheme == "http" && port == 80), !(scheme == "https" && port == 443) { host += ":\(port)" }
        let base = endpoint.path.hasSuffix("/") ? String(endpoint.path.dropLast()) : endpoint.path
        let object = key.map { "/" + SigV4.encode($0, keepSlash: true) } ?? "/"
        switch configuration.addressing {
        case .path:
            return (scheme, host, base + "/" + SigV4.encode(configuration.bucket) + (key == nil ? "" : object))
        case .virtual:
            return (scheme, "\(configuration.bucket).\(host)", base + object)
        }
    }

    /// The presigned GET URL of `key`, working for `expires` seconds after `date` (1 ... 604800).
    /// - Parameter responseHeaders: `response-content-type` and the like, answered by the store in place of its own.
    public func presignedGetURL(key: String, expires: Int, date: Date = Date(), responseHeaders: [(String, String)] = []) -> String {
        let (scheme, host, path) = location(key)
        let request = SigV4.Request(method: "GET", host: host, path: path, query: responseHeaders)
        return "\(scheme)://\(host)\(path)?" + signer.presignedQuery(request, expires: expires, date: date)
    }

    /// One signed request and its answer, read whole up to `limit` bytes, retried on 500/503 and
    /// connection failures; an answer not in `accept` throws `S3Error`.
    @discardableResult
    func send(
        _ operation: String, method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8] = [], accept: Set<Int> = [200], limit: Int = 1 << 20
    ) async throws -> (status: Int, headers: HTTPHeaders, body: [UInt8]) {
        let response = try await stream(operation, method: method, key: key, query: query, headers: headers, body: body, accept: accept)
        do {
            let bytes = try await response.body.collect(upTo: limit)
            return (Int(response.status.code), response.headers, Array(buffer: bytes))
        } catch {
            if Task.isCancelled { throw CancellationError() }
            throw S3Error(operation: operation, key: key ?? "", status: 0, code: "", message: Self.reason(error, timeout: configuration.timeout))
        }
    }

    /// One signed request, the answer's body left to stream.
    func stream(
        _ operation: String, method: HTTPMethod, key: String?, query: [(String, String)] = [], headers: [(String, String)] = [],
        body: [UInt8] = [], accept: Set<Int> = [200]
    ) async throws -> HTTPClientResponse {
        let (scheme, host, path) = location(key)
        let payloadHash = body.isEmpty ? SigV4.emptyPayloadHash : Array(SHA256.hash(data: body)).hex
        var lastError: S3Error?
        // One second more per MiB sent: a 5 MiB put may take 25 s, a 8 MiB part 28 s.
        let timeout = configuration.timeout + .seconds(Int64(body.count >> 20))
        for attempt in 1...max(1, configuration.attempts) {
            if attempt > 1, let lastError {
                let delay = configuration.backoff * (1 << min(attempt - 2, 16))
                onRetry?(lastError, attempt, delay)
                try await Task.sleep(for: delay)
            }
            let request = SigV4.Request(method: method.rawValue, host: host, path: path, query: query, headers: headers)
            let signed = signer.sign(request, payloadHash: payloadHash, date: Date())
            let query = request.encodedQuery
            var http = HTTPClientRequest(url: "\(scheme)://\(host)\(path)\(query.isEmpty ? "" : "?" + query)")
            http.method = method
            for (name, value) in signed { http.headers.add(name: name, value: value) }
            if !body.isEmpty || method == .PUT || method == .POST {
                http.body = .bytes(ByteBuffer(bytes: body))
            }
            let response: HTTPClientResponse
            do {
                response = try await self.http.execute(http, timeout: timeout)
            } catch {
                if Task.isCancelled { throw CancellationError() }
                lastError = S3Error(operation: operation, key: key ?? "", status: 0, code: "", message: Self.reason(error, timeout: timeout))
                continue
            }
            let status = Int(response.status.code)
            if accept.contains(status) { return response }
            let text = (try? await response.body.collect(upTo: 64 * 1024)).map { Array(buffer: $0) } ?? []
            let fields = XMLFields(text, names: ["Code", "Message"])
            lastError = S3Error(
                operation: operation, key: key ?? "", status: status, code: fields["Code"]?.first ?? "", message: fields["Message"]?.first ?? "")
            guard lastError?.isTransient == true else { break }
        }
        throw lastError!
    }

    /// Why no answer came, in words (no library types, addresses or errno numbers).
    static func reason(_ error: any Error, timeout: TimeAmount) -> String {
        func seconds(_ amount: TimeAmount) -> Int64 { max(1, amount.nanoseconds / 1_000_000_000) }
        if let error = error as? HTTPClientError {
            if error == .connectTimeout || error == .getConnectionFromPoolTimeout {
                return "no connection within \(seconds(Self.connectTimeout)) s"
            }
            if error == .deadlineExceeded { return "no answer within \(seconds(timeout)) s" }
            if error == .readTimeout { return "the answer stalled (nothing for \(seconds(Self.readTimeout)) s)" }
            if error == .remoteConnectionClosed { return "the connection was closed before the answer" }
            if error == .tlsHandshakeTimeout { return "no TLS handshake within \(seconds(Self.connectTimeout)) s" }
        }
        if let error = error as? IOError { return words(errno: error.errnoCode) }
        if let error = error as? ChannelError, case .connectTimeout = error {
            return "no connection within \(seconds(Self.connectTimeout)) s"
        }
        // NIOConnectionError (NIOPosix, a host name's every address failed) is known by its text.
        let text = "\(error)"
        if text.contains("Connection refused") { return "connection refused" }
        if text.contains("connectTimeout") { return "no connection within \(seconds(Self.connectTimeout)) s" }
        if text.contains("dnsAError") && text.contains("connectionErrors: []") { return "the host name does not resolve" }
        if text.contains("TLS") || text.contains("SSL") || text.contains("handshake") { return "the TLS handshake failed" }
        return "the connection failed"
    }

    static func words(errno code: CInt) -> String {
        switch code {
        case ECONNREFUSED: "connection refused"
        case ECONNRESET: "the connection was reset"
        case ETIMEDOUT: "the connection timed out"
        case EHOSTUNREACH, ENETUNREACH: "no route to the host"
        case EPIPE: "the connection was closed"
        default: String(cString: strerror(code)).lowercased()
        }
    }

    /// Checks once that the bucket is there and the keys may use it (HEAD on the bucket).
    /// - Throws: `S3Error`: 404 `NoSuchBucket`, 403 `AccessDenied`, 301 `PermanentRedirect`
    ///   (the bucket lives in another region) or a transient one (`isTransient`: unreachable, 5xx).
    public func checkBucket() async throws {
        let answer = try await send("HeadBucket", method: .HEAD, key: nil, accept: [200, 301, 400, 403, 404])
        switch answer.status {
        case 200: return
        case 404:
            throw S3Error(operation: "HeadBucket", key: "", status: 404, code: "NoSuchBucket", message: "the bucket does not exist")
        case 403:
            throw S3Error(operation: "HeadBucket", key: "", status: 403, code: "AccessDenied", message: "the keys may not use the bucket")
        default:
            let region = answer.headers.first(name: "x-amz-bucket-region").map { " \($0)" } ?? ""
            throw S3Error(
                operation: "HeadBucket", key: "", status: answer.status, code: "PermanentRedirect",
                message: "the bucket is in another region\(region), not \(configuration.region)")
        }
    }

    /// Puts `bytes` as `key` in one request, checked by `Content-MD5` (by the store) and by the
    /// ETag it answers (here).
    public func put(key: String, bytes: [UInt8], contentType: String = "application/octet-stream") async throws {
        let digest = Insecure.MD5.hash(data: bytes)
        let answer = try await send(
            "PUT", method: .PUT, key: key, headers: [("content-md5", Data(digest).base64EncodedString()), ("content-type", contentType)],
            body: bytes)
        try Self.verify(etag: answer.headers.first(name: "etag"), md5: Array(digest), operation: "PUT", key: key)
    }

    /// Throws when `etag` is a plain MD5 (32 hex digits, as S3, R2, MinIO and Ceph answer for an
    /// unencrypted single upload or part) that is not `md5`: the bytes stored are not the bytes sent.
    /// Other ETags (KMS encryption, multipart objects) are left alone: `Content-MD5` covers them.
    static func verify(etag: String?, md5: [UInt8], operation: String, key: String) throws {
        guard let etag else { return }
        let value = etag.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).lowercased()
        guard value.count == 32, value.allSatisfy(\.isHexDigit) else { return }
        guard value == md5.hex else {
            throw S3Error(
                operation: operation, key: key, status: 200, code: "BadDigest",
                message: "the store's ETag \(value) is not the MD5 \(md5.hex) of the bytes sent")
        }
    }

    /// Puts the file at `file` as `key`: in one request up to `multipartThreshold` bytes, else in
    /// parts of `partSize` (each checked by `Content-MD5`). A failed or cancelled multipart upload
    /// is aborted, so the key either holds the whole file or is left as it was.
    public func putFile(key: String, file: URL, contentType: String = "application/octet-stream") async throws {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        let size = Int(try handle.seekToEnd())
        try handle.seek(toOffset: 0)
        if size <= configuration.multipartThreshold {
            let bytes = try handle.readToEnd().map { Array($0) } ?? []
            try await put(key: key, bytes: bytes, contentType: contentType)
            return
        }
        let uploadID: String
        do {
            uploadID = try await createMultipartUpload(key: key, contentType: contentType)
        } catch {
            // Cancelled while the store may already have made the upload (its answer not read):
            // the uploads open under this key are aborted, as a failed one is below.
            if error is CancellationError {
                let client = self
                await Self.alone {
                    for (name, id) in (try? await client.multipartUploads(prefix: key)) ?? [] where name == key {
                        try? await client.abortMultipartUpload(key: key, uploadID: id)
                    }
                }
            }
            throw error
        }
        do {
            var parts: [(Int, String)] = []
            var number = 1
            while let data = try handle.read(upToCount: max(5 * 1024 * 1024, configuration.partSize)), !data.isEmpty {
                try Task.checkCancellation()
                parts.append((number, try await uploadPart(key: key, uploadID: uploadID, number: number, bytes: Array(data))))
                number += 1
            }
            try Task.checkCancellation()
            try await completeMultipartUpload(key: key, uploadID: uploadID, parts: parts)
        } catch {
            let client = self
            await Self.alone { try? await client.abortMultipartUpload(key: key, uploadID: uploadID) }
            throw error
        }
    }

    /// Runs `work` outside the calling (perhaps cancelled) task, so an abort goes out even
    /// then, and waits for it at most 5 s: a store that stalls would hold a cancelled upload,
    /// so after that the work goes on alone.
    static func alone(_ work: @escaping @Sendable () async -> Void) async {
        let (ended, end) = AsyncStream<Void>.makeStream()
        Task {
            await work()
            end.finish()
        }
        let timer = Task {
            try? await Task.sleep(for: .seconds(5))
            end.finish()
        }
        await Task { for await _ in ended {} }.value
        timer.cancel()
    }

    /// Starts a multipart upload of `key`; its upload id.
    public func createMultipartUpload(key: String, contentType: String) async throws -> String {
        let answer = try await send(
            "CreateMultipartUpload", method: .POST, key: key, query: [("uploads", "")], headers: [("content-type", contentType)])
        guard let id = XMLFields(answer.body, names: ["UploadId"])["UploadId"]?.first, !id.isEmpty else {
            throw S3Error(operation: "CreateMultipartUpload", key: key, status: answer.status, code: "", message: "the answer has no UploadId")
        }
        return id
    }

    /// Uploads part `number` (1 ... 10000) of `uploadID`, checked by `Content-MD5`; its ETag.
    public func uploadPart(key: String, uploadID: String, number: Int, bytes: [UInt8]) async throws -> String {
        let digest = Insecure.MD5.hash(data: bytes)
        let answer = try await send(
            "UploadPart", method: .PUT, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
            headers: [("content-md5", Data(digest).base64EncodedString())], body: bytes)
        guard let etag = answer.headers.first(name: "etag") else {
            throw S3Error(operation: "UploadPart", key: key, status: answer.status, code: "", message: "the answer has no ETag")
        }
        try Self.verify(etag: etag, md5: Array(digest), operation: "UploadPart", key: key)
        return etag
    }

    /// Completes `uploadID` from `parts` (number, ETag).
    public func completeMultipartUpload(key: String, uploadID: String, parts: [(Int, String)]) async throws {
        let body =
            "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            + parts.map { "<Part><PartNumber>\($0.0)</PartNumber><ETag>\(Self.escapeXML($0.1))</ETag></Part>" }.joined()
            + "</CompleteMultipartUpload>"
        let answer = try await send(
            "CompleteMultipartUpload", method: .POST, key: key, query: [("uploadId", uploadID)], headers: [("content-type", "application/xml")],
            body: Array(body.utf8))
        // S3 may answer 200 with an error in the body when the completion fails late.
        let fields = XMLFields(answer.body, names: ["Code", "Message"])
        if let code = fields["Code"]?.first {
            throw S3Error(operation: "CompleteMultipartUpload", key: key, status: answer.status, code: code, message: fields["Message"]?.first ?? "")
        }
    }

    /// Aborts `uploadID`: its parts are dropped.
    public func abortMultipartUpload(key: String, uploadID: String) async throws {
        try await send("AbortMultipartUpload", method: .DELETE, key: key, query: [("uploadId", uploadID)], accept: [200, 204, 404])
    }

    /// The multipart uploads in progress under `prefix`: (key, upload id).
    public func multipartUploads(prefix: String) async throws -> [(String, String)] {
        let answer = try await send("ListMultipartUploads", method: .GET, key: nil, query: [("uploads", ""), ("prefix", prefix)])
        let fields = XMLFields(answer.body, names: ["Key", "UploadId"])
        return Array(zip(fields["Key"] ?? [], fields["UploadId"] ?? []))
    }

    /// The size in bytes of `key`, or nil when there is no such object.
    public func size(key: String) async throws -> Int? {
        let answer = try await send("HEAD", method: .HEAD, key: key, accept: [200, 404])
        guard answer.status == 200 else { return nil }
        return answer.headers.first(name: "content-length").flatMap { Int($0) }
    }

    /// The bytes of `key` in `range` (nil: all of it), streamed as they arrive; nil when there is no such object.
    public func get(key: String, range: ClosedRange<Int>? = nil) async throws -> HTTPClientResponse.Body? {
        let headers = range.map { [("range", "bytes=\($0.lowerBound)-\($0.upperBound)")] } ?? []
        let response = try await stream("GET", method: .GET, key: key, headers: headers, accept: [200, 206, 404])
        guard response.status != .notFound else {
            let text = (try? await response.body.collect(upTo: 64 * 1024)).map { Array(buffer: $0) } ?? []
            if let code = XMLFields(text, names: ["Code"])["Code"]?.first, code == "NoSuchBucket" {
                throw S3Error(operation: "GET", key: key, status: 404, code: code, message: "the bucket does not exist")
            }
            return nil
        }
        return response.body
    }

    /// Copies `source` to `key` inside the bucket; false when there is no `source`.
    public func copy(from source: String, to key: String) async throws -> Bool {
        let answer = try await send(
            "CopyObject", method: .PUT, key: key,
            headers: [("x-amz-copy-source", "/" + SigV4.encode(configuration.bucket) + "/" + SigV4.encode(source, keepSlash: true))],
            accept: [200, 404])
        let fields = XMLFields(answer.body, names: ["Code", "Message"])
        if answer.status == 404, fields["Code"]?.first != "NoSuchBucket" { return false }
        if let code = fields["Code"]?.first {
            throw S3Error(operation: "CopyObject", key: key, status: answer.status, code: code, message: fields["Message"]?.first ?? "")
        }
        return true
    }

    /// Every key under `prefix` (all pages).
    public func list(prefix: String) async throws -> [String] {
        var keys: [String] = []
        var token: String?
        repeat {
            var query = [("list-type", "2"), ("prefix", prefix)]
            if let token { query.append(("continuation-token", token)) }
            let answer = try await send("ListObjectsV2", method: .GET, key: nil, query: query, limit: 16 << 20)
            let fields = XMLFields(answer.body, names: ["Key", "NextContinuationToken", "IsTruncated"])
            keys += fields["Key"] ?? []
            token = fields["IsTruncated"]?.first == "true" ? fields["NextContinuationToken"]?.first : nil
        } while token != nil
        return keys
    }

    /// Deletes `key` (nothing when there is none).
    public func delete(key: String) async throws {
        try await send("DELETE", method: .DELETE, key: key, accept: [200, 204, 404])
    }

    /// Creates the bucket (tests and first setups); an existing one of ours is fine.
    public func createBucket() async throws {
        let answer = try await send("CreateBucket", method: .PUT, key: nil, accept: [200, 409])
        if answer.status == 409, XMLFields(answer.body, names: ["Code"])["Code"]?.first != "BucketAlreadyOwnedByYou" {
            throw S3Error(operation: "CreateBucket", key: "", status: 409, code: "BucketAlreadyExists", message: "the bucket name is taken")
        }
    }

    static func escapeXML(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// The text of every element named in `names`, in document order, from an S3 XML answer
/// (Foundation's XMLParser).
struct XMLFields {
    private var values: [String: [String]] = [:]

    init(_ bytes: [UInt8], names: Set<String>) {
        guard !bytes.isEmpty else { return }
        let collector = Collector(names: names)
        let parser = XMLParser(data: Data(bytes))
        parser.delegate = collector
        _ = parser.parse()
        values = collector.values
    }

    subscript(name: String) -> [String]? { values[name] }

    private final class Collector: NSObject, XMLParserDelegate {
        let names: Set<String>
        var values: [String: [String]] = [:]
        var current: String?
        var text = ""

        init(names: Set<String>) { self.names = names }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
            attributes: [String: String] = [:]
        ) {
            if names.contains(elementName) {
                current = elementName
                text = ""
            }
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if current != nil { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName: String?) {
            if elementName == current {
                values[elementName, default: []].append(text)
                current = nil
            }
        }
    }
}
