import Foundation
import InbetweenJobs
import InbetweenS3
import InbetweenWorker
import Testing

/// The `ResultStore` seam over a bucket on moto: what the worker and the API call.
@Suite("S3 result store against moto")
struct S3ResultStoreTests {
    static func collect(_ stream: AsyncThrowingStream<[UInt8], any Error>) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in stream { bytes += chunk }
        return bytes
    }

    @Test("put, size, contents, range reads, copy, presigned link and remove, under a prefix")
    func seam() async throws {
        let client = try await S3TestSupport.freshBucket()
        let store = S3ResultStore(client: client, prefix: "/deploy/a")
        #expect(store.prefix == "deploy/a/")
        let video = S3TestSupport.randomBytes(6 * 1024 * 1024 + 3)  // over the 5 MiB threshold: multipart
        let file = try S3TestSupport.file(video)
        defer { try? FileManager.default.removeItem(at: file) }
        try await store.put(job: "job_a", name: "video.mp4", from: file)
        let json = try S3TestSupport.file(Array("{\"ok\":true}".utf8))
        defer { try? FileManager.default.removeItem(at: json) }
        try await store.put(job: "job_a", name: "output.json", from: json)

        #expect(try await store.size(job: "job_a", name: "video.mp4") == video.count)
        #expect(try await store.size(job: "job_a", name: "cover.jpg") == nil)
        #expect(try await store.contents(job: "job_a", name: "output.json", maxBytes: 64 * 1024) == Array("{\"ok\":true}".utf8))
        #expect(try await store.contents(job: "job_a", name: "output.json", maxBytes: 4) == Array("{\"ok".utf8))
        #expect(try await store.contents(job: "job_a", name: "missing.json", maxBytes: 10) == nil)
        #expect(try await Self.collect(store.read(job: "job_a", name: "video.mp4", range: 0...(video.count - 1))) == video)
        #expect(
            try await Self.collect(store.read(job: "job_a", name: "video.mp4", range: 5_242_870...5_242_889)) == Array(video[5_242_870...5_242_889]))
        await #expect(throws: (any Error).self) { _ = try await store.read(job: "job_none", name: "video.mp4", range: 0...1) }

        #expect(try await store.copy(from: "job_a", to: "job_b", name: "video.mp4"))
        #expect(try await store.copy(from: "job_a", to: "job_b", name: "cover.jpg") == false)
        #expect(try await store.size(job: "job_b", name: "video.mp4") == video.count)

        let now = Date()
        let link = store.link(job: "job_a", name: "video.mp4", expires: Int(now.timeIntervalSince1970) + 300, now: now)
        #expect(link.contains("/deploy/a/job_a/video.mp4?") && link.contains("X-Amz-Expires=300"))
        let (status, body) = try await S3TestSupport.fetch(link)
        #expect(status == 200)
        #expect(body.count == video.count)

        try await store.remove(job: "job_a")
        #expect(try await store.size(job: "job_a", name: "video.mp4") == nil)
        #expect(try await store.contents(job: "job_a", name: "output.json", maxBytes: 10) == nil)
        #expect(try await store.size(job: "job_b", name: "video.mp4") == video.count, "another job's files stay")
        try await store.remove(job: "job_a")  // nothing left: no error
    }

    @Test("a store that cannot take a file (no such bucket) fails the job for good, in words with no key or secret")
    func failure() async throws {
        var configuration = S3Configuration(bucket: "no-such-bucket-here", region: "us-east-1", endpoint: try S3TestSupport.endpoint())
        configuration.attempts = 1
        let store = S3ResultStore(client: S3Client(configuration: configuration, credentials: S3TestSupport.credentials), prefix: "")
        let file = try S3TestSupport.file([1, 2, 3])
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try await store.put(job: "job_x", name: "video.mp4", from: file)
            Issue.record("the put should fail")
        } catch {
            let failure = JobFailure.describing(error)
            #expect(failure.code == 50001)
            #expect(
                failure.message
                    == "the result store (S3 at \(try S3TestSupport.endpoint().absoluteString)) has no bucket \"no-such-bucket-here\": the server's --results setting must be corrected.",
                "\(failure.message)")
            #expect(!failure.message.contains(S3TestSupport.credentials.secretAccessKey) && !failure.message.contains("job_x/video.mp4"))
        }
    }

    @Test("s3://bucket/prefix is parsed; other forms are refused")
    func parse() {
        let parsed = S3ResultStore.parse("s3://my-bucket/results/")
        #expect(parsed?.bucket == "my-bucket" && parsed?.prefix == "/results/")
        let bare = S3ResultStore.parse("s3://my-bucket")
        #expect(bare?.bucket == "my-bucket" && bare?.prefix == "")
        #expect(S3ResultStore.parse("s3://My_Bucket/x") == nil)
        #expect(S3ResultStore.parse("https://my-bucket/x") == nil)
        #expect(S3ResultStore.parse("s3://ab") == nil)
        #expect(S3ResultStore.parse("s3://my-bucket/a/../b") == nil)
        #expect(S3ResultStore.parse("s3://my-bucket/./b") == nil)
        #expect(S3ResultStore.parse("s3://my-bucket/..") == nil)
        #expect(S3ResultStore.parse("s3://my-bucket/a..b/c.d/")?.prefix == "/a..b/c.d/")
    }
}
