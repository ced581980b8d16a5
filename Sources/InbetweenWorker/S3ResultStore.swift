import AsyncHTTPClient
public import Foundation
public import InbetweenAPI
public import InbetweenJobs
public import InbetweenS3
import NIOCore

/// Results in an S3-compatible bucket (AWS S3, R2, GCS's S3 API, MinIO, Ceph), under
/// `<prefix><job>/<name>`, so nodes share no disk: each file goes up whole (`Content-MD5`) or
/// in parts (aborted on failure), so a reader never sees half of one. As `DirectResultLinks`
/// it hands out presigned GET URLs; without them the API proxies the files (`read`).
public struct S3ResultStore: ResultStore, DirectResultLinks {
    /// The bucket's client.
    public let client: S3Client
    /// Prepended to every key: empty, or ending in `/`.
    public let prefix: String

    /// A store in `client`'s bucket under `prefix` (a `/` is added when it has none).
    public init(client: S3Client, prefix: String) {
        self.client = client
        let trimmed = prefix.hasPrefix("/") ? String(prefix.drop { $0 == "/" }) : prefix
        self.prefix = trimmed.isEmpty || trimmed.hasSuffix("/") ? trimmed : trimmed + "/"
    }

    /// `s3://bucket[/prefix]` as (bucket, prefix), or nil when it is not one: a bucket of 3 to 63
    /// lower-case letters, digits, dots and hyphens, and a prefix without `.` or `..` segments
    /// (no prefix: keys go to the bucket's root).
    public static func parse(_ text: String) -> (bucket: String, prefix: String)? {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }) else { return nil }
        let prefix = String(rest.dropFirst(bucket.count))
        guard !prefix.split(separator: "/").contains(where: { $0 == "." || $0 == ".." }) else { return nil }
        return (bucket, prefix)
    }

    /// The longest the API's `/files/` proxy waits for the store to start an answer (`size`,
    /// `read`), all attempts together, before it answers 503.
    public var interactiveDeadline: Duration = .seconds(10)
    /// The longest `remove` waits before it answers (the removal itself goes on, bounded by the
    /// client's timeouts), so a store that stalls does not hold the worker a cancel freed.
    public var removeDeadline: Duration = .seconds(2)

    /// What a failed call tells a user, without library text or object keys: a 503 (`unavailable`)
    /// when the store could not be reached or answered 5xx, with `forJob` "Submit the job again
    /// later." (a job's error) or "try again shortly" (a download); otherwise a 500 that names
    /// what is wrong with the bucket, with no advice to retry.
    public func failure(_ error: S3Error, forJob: Bool) -> APIError {
        let place = "the result store (S3 at \(client.endpointDescription))"
        let bucket = client.configuration.bucket
        if error.isTransient {
            let what =
                error.status == 0
                ? "\(place) could not be reached: \(error.message)"
                : "\(place) is not answering (HTTP \(error.status)\(error.code.isEmpty ? "" : " \(error.code)"))"
            return APIError(.unavailable, what + (forJob ? ". Submit the job again later." : "; try again shortly."))
        }
        switch (error.status, error.code) {
        case (_, "NoSuchBucket"):
            return APIError(.internalError, "\(place) has no bucket \"\(bucket)\": the server's --results setting must be corrected.")
        case (403, _), (_, "AccessDenied"), (_, "InvalidAccessKeyId"), (_, "SignatureDoesNotMatch"):
            return APIError(
                .internalError,
                "\(place) refused access to bucket \"\(bucket)\" (HTTP \(error.status)): the server's keys or the bucket's policy must be corrected.")
        default:
            return APIError(
                .internalError, "\(place) refused the request (HTTP \(error.status)\(error.code.isEmpty ? "" : " \(error.code)")).")
        }
    }

    /// `body` with its `S3Error`s turned into `failure`s.
    func call<T: Sendable>(forJob: Bool, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as S3Error {
            throw failure(error, forJob: forJob)
        }
    }

    /// `call`, ended with a 503 after `deadline` even when the store stalls.
    func call<T: Sendable>(forJob: Bool, within deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let place = "the result store (S3 at \(client.endpointDescription))"
        let seconds = deadline.components.seconds
        let timeout = APIError(
            .unavailable, "\(place) did not answer within \(seconds) s" + (forJob ? ". Submit the job again later." : "; try again shortly."))
        let store = self
        return try await withDeadline(deadline, orThrow: timeout) { try await store.call(forJob: forJob, body) }
    }

    func key(job: String, name: String) -> String { "\(prefix)\(job)/\(name)" }

    static func contentType(_ name: String) -> String {
        switch (name as NSString).pathExtension {
        case "mp4": "video/mp4"
        case "jpg": "image/jpeg"
        case "json": "application/json"
        default: "application/octet-stream"
        }
    }

    public func put(job: String, name: String, from file: URL) async throws {
        try await call(forJob: true) {
            try await client.putFile(key: key(job: job, name: name), file: file, contentType: Self.contentType(name))
        }
    }

    public func size(job: String, name: String) async throws -> Int? {
        let (client, object) = (client, key(job: job, name: name))
        return try await call(forJob: false, within: interactiveDeadline) { try await client.size(key: object) }
    }

    public func copy(from: String, to: String, name: String) async throws -> Bool {
        try await call(forJob: true) { try await client.copy(from: key(job: from, name: name), to: key(job: to, name: name)) }
    }

    public func contents(job: String, name: String, maxBytes: Int) async throws -> [UInt8]? {
        try await call(forJob: true) { () async throws -> [UInt8]? in
            do {
                guard let body = try await client.get(key: key(job: job, name: name), range: 0...max(0, maxBytes - 1)) else { return nil }
                do {
                    return Array(buffer: try await body.collect(upTo: maxBytes))
                } catch {
                    if Task.isCancelled { throw CancellationError() }
                    throw S3Error(operation: "GET", key: "", status: 0, code: "", message: "the answer was cut off")
                }
            } catch let error as S3Error where error.status == 416 {
                return []  // an empty object has no byte 0
            }
        }
    }

    /// Removes every object under `<prefix><job>/`. Throws (a 503) when that has not finished
    /// within `removeDeadline`; the removal then goes on alone, neither cancelled by the caller
    /// nor by the deadline.
    public func remove(job: String) async throws {
        let (client, folder) = (client, "\(prefix)\(job)/")
        let removal = Task { for key in try await client.list(prefix: folder) { try await client.delete(key: key) } }
        try await call(forJob: false, within: removeDeadline) { try await removal.value }
    }

    public func read(job: String, name: String, range: ClosedRange<Int>) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        let (client, object) = (client, key(job: job, name: name))
        let opened = try await call(forJob: false, within: interactiveDeadline) { try await client.get(key: object, range: range) }
        guard let body = opened else { throw APIError(.notFound, "the file is gone (the job's results were removed).") }
        return AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await buffer in body { continuation.yield(Array(buffer: buffer)) }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// A presigned GET URL for `job`'s `name` (served with the content type it was stored with), expiring at `expires`.
    public func link(job: String, name: String, expires: Int, now: Date) -> String {
        client.presignedGetURL(key: key(job: job, name: name), expires: max(1, min(604_800, expires - Int(now.timeIntervalSince1970))), date: now)
    }
}
