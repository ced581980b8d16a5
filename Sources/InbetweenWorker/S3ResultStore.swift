import AsyncHTTPClient
public import Foundation
import InbetweenAPI
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

    /// `s3://bucket/prefix` as (bucket, prefix), or nil when it is not one.
    public static func parse(_ text: String) -> (bucket: String, prefix: String)? {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        let bucket = String(rest.prefix { $0 != "/" })
        guard (3...63).contains(bucket.count), bucket.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" || $0 == "." }) else { return nil }
        return (bucket, String(rest.dropFirst(bucket.count)))
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
        do {
            try await client.putFile(key: key(job: job, name: name), file: file, contentType: Self.contentType(name))
        } catch let error as S3Error {
            throw JobFailure(
                code: APIError.Code.unavailable.rawValue, message: "the result store could not take \(name): \(error). Submit the job again later.")
        }
    }

    public func size(job: String, name: String) async throws -> Int? {
        try await client.size(key: key(job: job, name: name))
    }

    public func copy(from: String, to: String, name: String) async throws -> Bool {
        try await client.copy(from: key(job: from, name: name), to: key(job: to, name: name))
    }

    public func contents(job: String, name: String, maxBytes: Int) async throws -> [UInt8]? {
        do {
            guard let body = try await client.get(key: key(job: job, name: name), range: 0...max(0, maxBytes - 1)) else { return nil }
            return Array(buffer: try await body.collect(upTo: maxBytes))
        } catch let error as S3Error where error.status == 416 {
            return []  // an empty object has no byte 0
        }
    }

    /// Removes every object under `<prefix><job>/`.
    public func remove(job: String) async throws {
        for key in try await client.list(prefix: "\(prefix)\(job)/") { try await client.delete(key: key) }
    }

    public func read(job: String, name: String, range: ClosedRange<Int>) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        guard let body = try await client.get(key: key(job: job, name: name), range: range) else {
            throw S3Error(operation: "GET", key: key(job: job, name: name), status: 404, code: "NoSuchKey", message: "the object is gone")
        }
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
