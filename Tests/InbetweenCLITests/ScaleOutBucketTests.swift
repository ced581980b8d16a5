import AsyncHTTPClient
import Foundation
import InbetweenPostgres
import InbetweenS3
import InbetweenTestSupport
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Testing

/// API nodes and workers that share nothing but PostgreSQL and one S3 bucket (moto, started by
/// scripts/test.sh): each process has a data directory of its own.
@Suite("Scale out on PostgreSQL and a bucket", .serialized, .tags(.slow), .timeLimit(.minutes(15)))
struct ScaleOutBucketTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "AKIASCALEOUT", "AWS_SECRET_ACCESS_KEY": "scale/out+secret"]

    /// A fresh bucket on the test server; the `--results`/`--s3-*` flags for it and a client.
    static func freshBucket() async throws -> ([String], S3Client) {
        let text = try #require(
            ProcessInfo.processInfo.environment["INBETWEEN_TEST_S3_ENDPOINT"],
            "INBETWEEN_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts a moto S3 server for the tests")
        let endpoint = try #require(URL(string: text))
        let bucket = "scale-" + UUID().uuidString.lowercased().prefix(13)
        let client = S3Client(
            configuration: S3Configuration(bucket: bucket, region: "us-east-1", endpoint: endpoint, addressing: .path),
            credentials: try #require(AWSCredentials(environment: environment)))
        try await client.createBucket()
        return (["--results", "s3://\(bucket)/inbetween", "--s3-endpoint", text, "--s3-region", "us-east-1", "--s3-addressing", "path"], client)
    }

    /// GETs `url`: status and body length.
    static func download(_ url: String) async throws -> (Int, Int) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), body.readableBytes)
    }

    @Test(
        "2 API nodes and 3 workers with separate data directories, one bucket, 200 jobs, a worker SIGKILLed every 3 s: every job ends once and every result downloads from either node"
    )
    func chaos() async throws {
        let (flags, bucket) = try await Self.freshBucket()
        let database = try await ScaleOutTests.freshDatabase()
        let (key, _) = try await ServeCommandTests.createKey(GenerateCommandTests.temporary("keys-data"), extra: ["--database", database])
        var directories = [GenerateCommandTests.temporary("api0-data"), GenerateCommandTests.temporary("api1-data")]
        // Node 0 proxies results through its own /files/ routes; node 1 hands out presigned bucket URLs.
        let api = [
            try await ServeCommandTests.Server(
                dataDirectory: directories[0],
                extra: ["--database", database, "--workers", "0", "--max-attempts", "10", "--results-proxy"] + flags, environment: Self.environment),
            try await ServeCommandTests.Server(
                dataDirectory: directories[1], extra: ["--database", database, "--workers", "0", "--max-attempts", "10"] + flags,
                environment: Self.environment),
        ]
        func worker() throws -> ScaleOutTests.WorkerProcess {
            directories.append(GenerateCommandTests.temporary("worker-data"))
            return try ScaleOutTests.WorkerProcess(database: database, data: directories.last!, extra: flags, environment: Self.environment)
        }
        var workers = try (0..<3).map { _ in try worker() }
        var ids: [String] = []
        for index in 0..<200 { ids.append(try await ScaleOutTests.create(api[index % 2].base, key: key)) }

        let began = ContinuousClock.now
        var kills = 0
        var lastKill = ContinuousClock.now
        while ContinuousClock.now - began < .seconds(780) {
            let facts = try await ScaleOutTests.facts(database)
            if facts.count == 200 && facts.allSatisfy({ $0.status >= 2 }) { break }
            if ContinuousClock.now - lastKill >= .seconds(3) {
                let victim = Int.random(in: 0..<workers.count)
                await workers[victim].kill9()
                workers[victim] = try worker()
                kills += 1
                lastKill = .now
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let facts = try await ScaleOutTests.facts(database)
        let succeeded = facts.filter { $0.status == 2 }.count
        let duplicates = facts.map { max(0, $0.completions - 1) }.reduce(0, +)
        let rerun = facts.filter { $0.attempts > 1 }

        // Every result, from either node: node 0's proxied URL from node 0 and (same signed path,
        // the key is in the database) from node 1, and node 1's presigned URL from the bucket.
        var downloadable = 0
        var failures: [String] = []
        for id in ids {
            var sizes: [Int] = []
            var expected = -1
            for (index, node) in api.enumerated() {
                let data = try await ServeCommandTests.json(.GET, "\(node.base)/api/v1/job/query?id=\(id)", key: key)["data"] as? [String: Any] ?? [:]
                let video = ((data["result"] as? [String: Any])?["videos"] as? [[String: Any]])?.first ?? [:]
                guard let url = video["url"] as? String else { break }
                expected = video["bytes"] as? Int ?? -1
                if index == 0 {
                    #expect(url.hasPrefix(api[0].base + "/files/"), "\(url)")
                    let (status, size) = try await Self.download(url)
                    sizes.append(status == 200 ? size : -status)
                    let (other, otherSize) = try await Self.download(url.replacingOccurrences(of: api[0].base, with: api[1].base))
                    sizes.append(other == 200 ? otherSize : -other)
                } else {
                    #expect(url.contains("X-Amz-Signature="), "\(url)")
                    let (status, size) = try await Self.download(url)
                    sizes.append(status == 200 ? size : -status)
                }
            }
            if sizes.count == 3 && sizes.allSatisfy({ $0 == expected && $0 > 0 }) {
                downloadable += 1
            } else {
                failures.append("\(id): expected \(expected) bytes, got \(sizes)")
            }
        }
        let objects = try await bucket.list(prefix: "inbetween/job_")
        print(
            """
            scale-out run with a bucket: 2 API nodes, 3 workers, separate data directories, PostgreSQL + moto S3, engine dissolve, turbo 540p 1 s 8 fps
            | jobs | succeeded | worker kills | re-run after a kill | duplicate completions | downloadable from both nodes | objects in the bucket |
            | \(facts.count) | \(succeeded) | \(kills) | \(rerun.count) | \(duplicates) | \(downloadable) | \(objects.count) |
            """)
        #expect(facts.count == 200 && facts.allSatisfy { $0.status == 2 }, "lost: \(200 - succeeded)")
        #expect(duplicates == 0)
        #expect(facts.allSatisfy { $0.completions == ($0.status == 2 ? 1 : 0) })
        #expect(kills > 0)
        #expect(downloadable == 200, "\(failures.prefix(10).joined(separator: "\n"))")
        // Each job has its video and poster in the bucket, and nothing else: no half objects.
        #expect(objects.count == 400)
        #expect(try await bucket.multipartUploads(prefix: "inbetween/").isEmpty)
        // And none of it went through a shared directory: no node's data directory holds results.
        let stray = directories.flatMap { directory in
            ((try? FileManager.default.subpathsOfDirectory(atPath: directory)) ?? []).filter { $0.hasPrefix("results/") && $0.hasSuffix(".mp4") }
        }
        #expect(stray.isEmpty, "\(stray.prefix(5))")
    }

    @Test("--results and the --s3-* flags are checked before anything starts, and the secret key is never printed")
    func flags() async throws {
        let data = GenerateCommandTests.temporary("flags-data")
        let secret = "sup3r-secret-value-never-printed"
        let keys = ["AWS_ACCESS_KEY_ID": "AKIAFLAGS", "AWS_SECRET_ACCESS_KEY": secret]
        let cases: [([String], [String: String], String)] = [
            (["--results", "s3://AB/x"], keys, "--results must be s3://BUCKET/PREFIX"),
            (
                ["--results", "s3://bucket-x/p"], ["AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""],
                "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
            ),
            (["--results", "s3://bucket-x/p", "--s3-addressing", "dns"], keys, "--s3-addressing must be path or virtual"),
            (["--results", "s3://bucket-x/p", "--s3-endpoint", "ftp://x"], keys, "--s3-endpoint must be an http:// or https:// URL"),
            (["--results", "s3://bucket-x/p", "--url-ttl", "700000"], keys, "--url-ttl must be 1 to 604800 seconds"),
            (["--results-proxy"], keys, "need --results s3://BUCKET/PREFIX"),
            (["--results", "s3://bucket-x/a/../b"], keys, "without . or .. segments; got \"s3://bucket-x/a/../b\""),
        ]
        for (arguments, environment, message) in cases {
            let run = try await ServeCommandTests.inbetween(["serve", "--data-dir", data, "--port", "0"] + arguments, environment: environment)
            #expect(run.status != 0, "\(arguments)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
            #expect(!run.stderr.contains(secret) && !run.stdout.contains(secret))
        }
        // The bucket is checked at start: one that does not exist stops serve as an option error (64).
        let endpoint = try #require(ProcessInfo.processInfo.environment["INBETWEEN_TEST_S3_ENDPOINT"])
        let missing = try await ServeCommandTests.inbetween(
            ["serve", "--data-dir", data, "--port", "0", "--results", "s3://no-such-bucket-flags/p", "--s3-endpoint", endpoint], environment: keys)
        #expect(missing.status == 64, "\(missing.stderr)")
        #expect(
            missing.stderr.contains("--results s3://no-such-bucket-flags/p: the bucket \"no-such-bucket-flags\" does not exist at \(endpoint)."),
            "\(missing.stderr)")
        #expect(!missing.stderr.contains(secret) && !missing.stdout.contains(secret))
    }

    @Test(
        "one node on SQLite with a bucket: presigned result URLs, then (restarted with --results-proxy) the API's own URLs with Range and HEAD, DELETE emptying the bucket, then (the store unreachable) prompt 503s and a job failing with 50301"
    )
    func singleNode() async throws {
        let (flags, bucket) = try await Self.freshBucket()
        let data = GenerateCommandTests.temporary("bucket-data")
        let (key, _) = try await ServeCommandTests.createKey(data)
        var server: ServeCommandTests.Server? = try await ServeCommandTests.Server(
            dataDirectory: data, extra: ["--engine", "dissolve", "--url-ttl", "600"] + flags, environment: Self.environment)
        let job = try await ScaleOutTests.create(server!.base, key: key)
        let done = try await ServeCommandTests.waitForEnd(server!, key: key, job: job)
        #expect(done["status"] as? Int == 2, "\(done)")
        let video = try #require(((done["result"] as? [String: Any])?["videos"] as? [[String: Any]])?.first)
        let url = try #require(video["url"] as? String)
        #expect(url.hasPrefix(ProcessInfo.processInfo.environment["INBETWEEN_TEST_S3_ENDPOINT"] ?? "?") && url.contains("X-Amz-Expires="), "\(url)")
        #expect(try await ServeCommandTests.probe(url) == "h264,High,yuv420p,8")
        let cover = try #require(video["cover_url"] as? String)
        #expect(try await Self.download(cover).0 == 200)
        #expect(try await bucket.size(key: "inbetween/\(job)/video.mp4") == video["bytes"] as? Int)
        #expect(!FileManager.default.fileExists(atPath: "\(data)/results/\(job)/video.mp4"), "the result went to the bucket, not the directory")

        await server?.kill9()
        server = nil
        let proxy = try await ServeCommandTests.Server(dataDirectory: data, extra: ["--results-proxy"] + flags, environment: Self.environment)
        let again = try await ServeCommandTests.json(.GET, "\(proxy.base)/api/v1/job/query?id=\(job)", key: key)["data"] as? [String: Any] ?? [:]
        let proxied = try #require(((again["result"] as? [String: Any])?["videos"] as? [[String: Any]])?.first?["url"] as? String)
        #expect(proxied.hasPrefix("\(proxy.base)/files/\(job)/video.mp4?"), "\(proxied)")
        var range = HTTPClientRequest(url: proxied)
        range.headers.add(name: "Range", value: "bytes=0-99")
        let partial = try await HTTPClient.shared.execute(range, timeout: .seconds(30))
        #expect(partial.status == .partialContent)
        #expect(partial.headers.first(name: "content-range") == "bytes 0-99/\(video["bytes"] as? Int ?? -1)")
        #expect(try await partial.body.collect(upTo: 1 << 20).readableBytes == 100)
        var head = HTTPClientRequest(url: proxied)
        head.method = .HEAD
        let headed = try await HTTPClient.shared.execute(head, timeout: .seconds(30))
        #expect(headed.status == .ok)
        #expect(headed.headers.first(name: "content-length") == String(video["bytes"] as? Int ?? -1))
        #expect(try await ServeCommandTests.probe(proxied) == "h264,High,yuv420p,8")

        // DELETE removes the job's objects from the bucket: neither kind of URL serves them.
        let deleted = try await ServeCommandTests.json(.DELETE, "\(proxy.base)/api/v1/job?id=\(job)", key: key)
        #expect((deleted["data"] as? [String: Any])?["data_removed"] as? Bool == true, "\(deleted)")
        #expect(try await bucket.list(prefix: "inbetween/\(job)/").isEmpty)
        #expect(try await Self.download(proxied).0 == 404)
        #expect(try await Self.download(url).0 == 404)

        // The store goes away (the endpoint now names a port nothing listens on): serve still
        // starts, with a warning; /files/ answers 503 with Retry-After at once; a job fails within
        // seconds with 50301 in words, not "rendering failed".
        let port = try freeLoopbackPort()
        let downFlags = flags.map { $0.hasPrefix("http://") ? "http://127.0.0.1:\(port)" : $0 }
        let down = try await ServeCommandTests.Server(
            dataDirectory: data, extra: ["--engine", "dissolve", "--results-proxy"] + downFlags, environment: Self.environment)
        let log = try String(contentsOfFile: down.log, encoding: .utf8)
        #expect(log.contains("the result store could not be reached at start; starting anyway"), "\(log)")
        #expect(!log.contains(Self.environment["AWS_SECRET_ACCESS_KEY"]!))
        let downURL = proxied.replacingOccurrences(of: proxy.base, with: down.base)
        for method in [HTTPMethod.GET, .HEAD] {
            var request = HTTPClientRequest(url: downURL)
            request.method = method
            let clock = ContinuousClock()
            let start = clock.now
            let answer = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
            let body = try await answer.body.collect(upTo: 1 << 20)
            #expect(clock.now - start < .seconds(15), "\(method)")
            #expect(answer.status == .serviceUnavailable, "\(method)")
            #expect(answer.headers.first(name: "retry-after") == "5", "\(method)")
            if method == .GET {
                let envelope = try #require(try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any])
                #expect(envelope["code"] as? Int == 50301)
                #expect(
                    envelope["message"] as? String
                        == "the result store (S3 at http://127.0.0.1:\(port)) could not be reached: connection refused; try again shortly.",
                    "\(envelope)")
            }
        }
        let failing = try await ScaleOutTests.create(down.base, key: key)
        let failed = try await ServeCommandTests.waitForEnd(down, key: key, job: failing, seconds: 60)
        #expect(failed["status"] as? Int == 3, "\(failed)")
        let error = failed["error"] as? [String: Any] ?? [:]
        #expect(error["code"] as? Int == 50301, "\(failed)")
        #expect(
            error["message"] as? String
                == "the result store (S3 at http://127.0.0.1:\(port)) could not be reached: connection refused. Submit the job again later.",
            "\(failed)")
    }
}
