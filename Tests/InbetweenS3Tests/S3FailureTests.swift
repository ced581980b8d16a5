import Foundation
import InbetweenJobs
import InbetweenS3
import InbetweenTestSupport
import InbetweenWorker
import NIOCore
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// A store that is down or stalls: calls end within their bounds, honour a cancel at once, and
/// fail in words a user can act on (50301 and "again later" only when it is transient).
@Suite("S3 store down or stalled")
struct S3FailureTests {
    /// A moto S3 server of this test's own (the binary scripts/moto-test-server.sh runs), so it can
    /// be stopped with SIGSTOP without stalling the other tests' server.
    final class PrivateMoto {
        let process: Process
        let endpoint: URL

        init() async throws {
            let binary = URL(fileURLWithPath: S3TestSupport.python).deletingLastPathComponent().appendingPathComponent("moto_server")
            try #require(FileManager.default.isExecutableFile(atPath: binary.path), "\(binary.path) is missing: run scripts/install-deps.sh")
            let port = try freeLoopbackPort()
            let process = Process()
            process.executableURL = binary
            process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            self.process = process
            endpoint = URL(string: "http://127.0.0.1:\(port)")!
            for _ in 0..<200 {
                if let answer = try? await S3TestSupport.fetch("\(endpoint)/moto-api/"), answer.0 == 200 { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "moto did not start on port \(port)"])
        }

        func stop() { kill(process.processIdentifier, SIGSTOP) }
        func resume() { kill(process.processIdentifier, SIGCONT) }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// The attempts a client's `onRetry` saw.
    final class Retries: Sendable {
        let attempts = Mutex<[Int]>([])
        var seen: [Int] { attempts.withLock { $0 } }
    }

    static func elapsed(_ body: () async throws -> Void) async rethrows -> Duration {
        let clock = ContinuousClock()
        let start = clock.now
        try await body()
        return clock.now - start
    }

    @Test("nothing listening: a call fails within seconds, after two logged retries, as 50301 in words without keys or library text")
    func refused() async throws {
        let port = try freeLoopbackPort()
        var client = S3Client(
            configuration: S3Configuration(bucket: "refused-bucket", region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:\(port)")!),
            credentials: S3TestSupport.credentials)
        let retries = Retries()
        client.onRetry = { _, attempt, _ in retries.attempts.withLock { $0.append(attempt) } }
        let store = S3ResultStore(client: client, prefix: "p")
        var failure: JobFailure?
        let took = await Self.elapsed {
            do {
                _ = try await store.contents(job: "cache-0123", name: "output.json", maxBytes: 100)
            } catch {
                failure = JobFailure.describing(error)
            }
        }
        #expect(took < .seconds(15), "\(took)")
        #expect(retries.seen == [2, 3])
        #expect(failure?.code == 50301)
        #expect(
            failure?.message
                == "the result store (S3 at http://127.0.0.1:\(port)) could not be reached: connection refused. Submit the job again later.",
            "\(failure?.message ?? "no failure")")
        // The files route's words: no job to submit again.
        do {
            _ = try await store.size(job: "job_a", name: "video.mp4")
            Issue.record("size should fail")
        } catch {
            let download = JobFailure.describing(error)
            #expect(download.code == 50301)
            #expect(download.message.hasSuffix("could not be reached: connection refused; try again shortly."), "\(download.message)")
        }
    }

    @Test("a cancel during the backoff between attempts ends the call at once")
    func cancelDuringBackoff() async throws {
        let port = try freeLoopbackPort()
        var configuration = S3Configuration(bucket: "refused-bucket", region: "us-east-1", endpoint: URL(string: "http://127.0.0.1:\(port)")!)
        configuration.backoff = .seconds(60)
        let store = S3ResultStore(client: S3Client(configuration: configuration, credentials: S3TestSupport.credentials), prefix: "")
        let call = Task { try await store.copy(from: "cache-1", to: "job_b", name: "video.mp4") }
        try await Task.sleep(for: .milliseconds(500))
        let took = await Self.elapsed {
            call.cancel()
            let result = await call.result
            if case .success = result { Issue.record("the call should not succeed") }
        }
        #expect(took < .seconds(2), "\(took)")
    }

    @Test(
        "a stalled store (moto under SIGSTOP): a put ends within its deadline as 50301, a cancel ends a call at once, remove and size give up in time"
    )
    func stalled() async throws {
        let moto = try await PrivateMoto()
        var configuration = S3Configuration(bucket: "stalled-bucket", region: "us-east-1", endpoint: moto.endpoint)
        configuration.timeout = .seconds(2)
        configuration.attempts = 2
        configuration.backoff = .milliseconds(100)
        var client = S3Client(configuration: configuration, credentials: S3TestSupport.credentials)
        let retries = Retries()
        client.onRetry = { _, attempt, _ in retries.attempts.withLock { $0.append(attempt) } }
        try await client.createBucket()
        let store = S3ResultStore(client: client, prefix: "")
        let file = try S3TestSupport.file(S3TestSupport.randomBytes(1000))
        defer { try? FileManager.default.removeItem(at: file) }
        try await store.put(job: "job_s", name: "cover.jpg", from: file)

        moto.stop()
        defer { moto.resume() }
        var failure: JobFailure?
        let took = await Self.elapsed {
            do {
                try await store.put(job: "job_s", name: "video.mp4", from: file)
            } catch {
                failure = JobFailure.describing(error)
            }
        }
        #expect(took < .seconds(8), "\(took)")  // 2 attempts of 2 s and a 100 ms backoff
        #expect(retries.seen == [2])
        #expect(failure?.code == 50301)
        #expect(
            failure?.message
                == "the result store (S3 at \(moto.endpoint.absoluteString)) could not be reached: no answer within 2 s. Submit the job again later.",
            "\(failure?.message ?? "no failure")")

        // The defaults (20 s a request, 3 attempts): a cancel does not wait for them.
        let patient = S3ResultStore(
            client: S3Client(
                configuration: S3Configuration(bucket: "stalled-bucket", region: "us-east-1", endpoint: moto.endpoint),
                credentials: S3TestSupport.credentials), prefix: "")
        let call = Task { try await patient.put(job: "job_t", name: "video.mp4", from: file) }
        try await Task.sleep(for: .milliseconds(500))
        let cancelled = await Self.elapsed {
            call.cancel()
            if case .success = await call.result { Issue.record("the put should not succeed") }
        }
        #expect(cancelled < .seconds(2), "\(cancelled)")

        // What the API's proxy and a canceled job's clean-up call give up within their deadlines.
        let bounded = {
            var store = patient
            store.interactiveDeadline = .seconds(2)
            store.removeDeadline = .seconds(2)
            return store
        }()
        let proxied = await Self.elapsed {
            do {
                _ = try await bounded.size(job: "job_s", name: "cover.jpg")
                Issue.record("size should fail")
            } catch {
                let answer = JobFailure.describing(error)
                #expect(answer.code == 50301)
                #expect(answer.message.hasSuffix("did not answer within 2 s; try again shortly."), "\(answer.message)")
            }
            await #expect(throws: (any Error).self) { try await bounded.remove(job: "job_s") }
        }
        #expect(proxied < .seconds(6), "\(proxied)")

        moto.resume()
        #expect(try await store.size(job: "job_s", name: "cover.jpg") == 1000, "the store answers again once resumed")
    }

    @Test("a bucket that does not exist: HEAD bucket says so, and a job's calls fail for good (50001, no 'again later')")
    func missingBucket() async throws {
        let endpoint = try S3TestSupport.endpoint()
        let client = S3Client(
            configuration: S3Configuration(
                bucket: "no-such-bucket-\(UUID().uuidString.lowercased().prefix(8))", region: "us-east-1", endpoint: endpoint),
            credentials: S3TestSupport.credentials)
        do {
            try await client.checkBucket()
            Issue.record("the check should fail")
        } catch let error as S3Error {
            #expect(error.status == 404 && error.code == "NoSuchBucket" && !error.isTransient)
        }
        try await S3TestSupport.freshBucket().checkBucket()  // one that exists passes

        let store = S3ResultStore(client: client, prefix: "x")
        for call in ["contents", "copy"] {
            do {
                if call == "contents" {
                    _ = try await store.contents(job: "cache-1", name: "output.json", maxBytes: 10)
                } else {
                    _ = try await store.copy(from: "cache-1", to: "job_c", name: "video.mp4")
                }
                Issue.record("\(call) should fail on a missing bucket")
            } catch {
                let failure = JobFailure.describing(error)
                #expect(failure.code == 50001, "\(call)")
                #expect(failure.message.contains("has no bucket \"\(client.configuration.bucket)\""), "\(failure.message)")
                #expect(!failure.message.contains("again later"), "\(failure.message)")
            }
        }
    }
}
