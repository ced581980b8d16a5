import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@testable import InbetweenS3

/// The client against a real S3-compatible server: moto, started by scripts/test.sh on loopback, path-style.
@Suite("S3 client against moto")
struct S3ClientTests {
    @Test("put, HEAD, GET whole and by range, copy, list and delete an object with an odd key")
    func roundTrip() async throws {
        let client = try await S3TestSupport.freshBucket()
        let bytes = S3TestSupport.randomBytes(300_001)
        let key = "prefix/job_1/vidéo 1+2=3 (final).mp4"
        try await client.put(key: key, bytes: bytes, contentType: "video/mp4")
        #expect(try await client.size(key: key) == bytes.count)
        let whole = try #require(try await client.get(key: key))
        #expect(Array(buffer: try await whole.collect(upTo: 1 << 20)) == bytes)
        let part = try #require(try await client.get(key: key, range: 1000...1999))
        #expect(Array(buffer: try await part.collect(upTo: 1 << 20)) == Array(bytes[1000...1999]))
        #expect(try await client.copy(from: key, to: "prefix/job_2/video.mp4"))
        #expect(try await client.copy(from: "prefix/none", to: "prefix/job_3/video.mp4") == false)
        #expect(Set(try await client.list(prefix: "prefix/")) == [key, "prefix/job_2/video.mp4"])
        try await client.delete(key: key)
        #expect(try await client.size(key: key) == nil)
        #expect(try await client.get(key: key) == nil)
        #expect(try await client.list(prefix: "prefix/job_1/").isEmpty)
    }

    @Test("every upload is checked: Content-MD5 goes with each PUT and part, and an ETag that is not the MD5 of the bytes sent fails the upload")
    func checksums() async throws {
        let client = try await S3TestSupport.freshBucket()
        let bytes = S3TestSupport.randomBytes(1000)
        try await client.put(key: "checked", bytes: bytes)
        // What the store holds is what was sent: its ETag is the MD5 the client checked.
        let answer = try await client.send("HEAD", method: .HEAD, key: "checked")
        let md5 = Array(Insecure.MD5.hash(data: bytes))
        #expect(answer.headers.first(name: "etag") == "\"\(md5.map { String(format: "%02x", $0) }.joined())\"")
        #expect(throws: Never.self) { try S3Client.verify(etag: answer.headers.first(name: "etag"), md5: md5, operation: "PUT", key: "checked") }
        // A store that kept other bytes answers another MD5; a multipart or KMS ETag is not an MD5 and is left to Content-MD5.
        #expect(throws: S3Error.self) {
            try S3Client.verify(etag: "\"0123456789abcdef0123456789abcdef\"", md5: md5, operation: "PUT", key: "checked")
        }
        #expect(throws: Never.self) {
            try S3Client.verify(etag: "\"0123456789abcdef0123456789abcdef-3\"", md5: md5, operation: "PUT", key: "checked")
        }
    }

    @Test("a file over the threshold goes up in 5 MiB parts and reads back whole; no upload is left open")
    func multipart() async throws {
        let client = try await S3TestSupport.freshBucket(partSize: 5 * 1024 * 1024, threshold: 5 * 1024 * 1024)
        let bytes = S3TestSupport.randomBytes(12 * 1024 * 1024 + 17)
        let file = try S3TestSupport.file(bytes)
        defer { try? FileManager.default.removeItem(at: file) }
        try await client.putFile(key: "big/video.mp4", file: file, contentType: "video/mp4")
        #expect(try await client.size(key: "big/video.mp4") == bytes.count)
        let body = try #require(try await client.get(key: "big/video.mp4"))
        #expect(S3TestSupport.sha256Hex(Array(buffer: try await body.collect(upTo: 64 << 20))) == S3TestSupport.sha256Hex(bytes))
        // Bytes that straddle the first part boundary.
        let edge = try #require(try await client.get(key: "big/video.mp4", range: (5 * 1024 * 1024 - 10)...(5 * 1024 * 1024 + 9)))
        #expect(Array(buffer: try await edge.collect(upTo: 1024)) == Array(bytes[(5 * 1024 * 1024 - 10)...(5 * 1024 * 1024 + 9)]))
        #expect(try await client.multipartUploads(prefix: "big/").isEmpty)
    }

    @Test("an upload killed midway (its task cancelled between parts) leaves no object and no open multipart upload")
    func killedUpload() async throws {
        let client = try await S3TestSupport.freshBucket(partSize: 5 * 1024 * 1024, threshold: 5 * 1024 * 1024)
        let bytes = S3TestSupport.randomBytes(40 * 1024 * 1024)
        let file = try S3TestSupport.file(bytes)
        defer { try? FileManager.default.removeItem(at: file) }
        let upload = Task { try await client.putFile(key: "killed/video.mp4", file: file, contentType: "video/mp4") }
        // Wait until the upload has started (an open multipart upload), then kill it.
        let deadline = ContinuousClock.now + .seconds(30)
        while try await client.multipartUploads(prefix: "killed/").isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        upload.cancel()
        let result = await upload.result
        #expect(throws: (any Error).self) { try result.get() }
        #expect(try await client.size(key: "killed/video.mp4") == nil)
        #expect(try await client.multipartUploads(prefix: "killed/").isEmpty, "the failed upload was aborted")
    }

    @Test("a part that fails aborts the whole upload")
    func failedPart() async throws {
        let client = try await S3TestSupport.freshBucket()
        let id = try await client.createMultipartUpload(key: "fail/video.mp4", contentType: "video/mp4")
        #expect(try await client.multipartUploads(prefix: "fail/").map(\.1) == [id])
        // Completing with a part that was never uploaded fails; the store's putFile aborts on any such failure.
        await #expect(throws: S3Error.self) {
            try await client.completeMultipartUpload(key: "fail/video.mp4", uploadID: id, parts: [(1, "\"0123\"")])
        }
        try await client.abortMultipartUpload(key: "fail/video.mp4", uploadID: id)
        #expect(try await client.multipartUploads(prefix: "fail/").isEmpty)
        #expect(try await client.size(key: "fail/video.mp4") == nil)
    }

    @Test("a presigned GET URL downloads the object, also by range; without its signature the private bucket refuses")
    func presigned() async throws {
        let client = try await S3TestSupport.freshBucket()
        let bytes = S3TestSupport.randomBytes(70_000)
        try await client.put(key: "p/job_9/video.mp4", bytes: bytes, contentType: "video/mp4")
        let url = client.presignedGetURL(key: "p/job_9/video.mp4", expires: 600)
        let (status, body) = try await S3TestSupport.fetch(url)
        #expect(status == 200)
        #expect(body == bytes)
        let (partial, slice) = try await S3TestSupport.fetch(url, headers: [("Range", "bytes=10-19")])
        #expect(partial == 206)
        #expect(slice == Array(bytes[10...19]))
        #expect(url.contains("X-Amz-Expires=600&"))
        // Unsigned, the bucket is private.
        let unsigned = "\(url.split(separator: "?")[0])"
        #expect(try await S3TestSupport.fetch(unsigned).0 == 403)
    }

    @Test("virtual-host addressing puts the bucket in the host name")
    func addressing() {
        var configuration = S3Configuration(bucket: "my-bucket", region: "eu-central-1", addressing: .virtual)
        let virtual = S3Client(configuration: configuration, credentials: S3TestSupport.credentials)
        #expect(virtual.presignedGetURL(key: "a b/c.mp4", expires: 60).hasPrefix("https://my-bucket.s3.eu-central-1.amazonaws.com/a%20b/c.mp4?"))
        configuration.addressing = .path
        configuration.endpoint = URL(string: "http://127.0.0.1:9000")!
        let path = S3Client(configuration: configuration, credentials: S3TestSupport.credentials)
        #expect(path.presignedGetURL(key: "a b/c.mp4", expires: 60).hasPrefix("http://127.0.0.1:9000/my-bucket/a%20b/c.mp4?X-Amz-Algorithm="))
    }
}
