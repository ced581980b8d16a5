import AsyncHTTPClient
import Foundation
import Hummingbird
import HummingbirdTesting
import InbetweenAPI
import InbetweenClient
import InbetweenJobs
import InbetweenSQLite
import InbetweenServer
import InbetweenTestSupport
import Logging
import NIOCore
import NIOHTTP1
import Prometheus
import ServiceLifecycle
import Testing

@testable import InbetweenWorker

/// Server A routes jobs to server B (another Inbetween on loopback) as its upstream: real
/// servers, real renders, real HTTP between them.
@Suite("Upstream engines and the result cache", .serialized, .tags(.slow), .timeLimit(.minutes(5)))
struct UpstreamTests {
    static func arguments(_ extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        Fixture.sdkArguments(extra)
    }

    /// A gateway in front of `upstream`, routed by `route`.
    static func gateway(to upstream: String, key: String, route: String, grace: Duration = .seconds(1)) async throws -> Fixture {
        try await Fixture(workers: 1) { configuration in
            var b = UpstreamConfiguration(name: "b", baseURL: upstream, apiKey: key)
            b.unreachableGrace = grace
            b.pollDelays = (.milliseconds(100), .milliseconds(300))
            b.requestTimeout = .seconds(3)
            configuration.upstreams = [b]
            configuration.routes = EngineRoutes(rules: [try! EngineRoutes.parseRule(route)])
        }
    }

    /// `inbetween_engine_renders_total` for `engine` on the server at `base`.
    static func renders(_ base: String, engine: String) async throws -> Int {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/metrics"), timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        let line = text.split(separator: "\n").first { $0.hasPrefix("inbetween_engine_renders_total{engine=\"\(engine)\"}") }
        return line.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
    }

    static func download(_ view: JobView, _ client: InbetweenClient) async throws -> Data {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-upstream-\(UUID().uuidString).mp4")
        defer { try? FileManager.default.removeItem(at: file) }
        try await client.download(view, to: file)
        return try Data(contentsOf: file)
    }

    @Test("A → B: A's job ends with B's video, stored and served by A; a repeat is answered from A's cache without B")
    func chain() async throws {
        let b = try await Fixture(workers: 1)
        try await b.application().test(.live) { liveB in
            let baseB = "http://127.0.0.1:\(liveB.port!)"
            let a = try await Self.gateway(to: baseB, key: b.apiKey, route: "*=upstream:b")
            try await a.application().test(.live) { liveA in
                let baseA = "http://127.0.0.1:\(liveA.port!)"
                let clientA = InbetweenClient(baseURL: baseA, apiKey: a.apiKey)
                let clientB = InbetweenClient(baseURL: baseB, apiKey: b.apiKey)
                let created = try await clientA.createJob(Self.arguments(["seed": 7]))
                let done = try await clientA.waitUntilDone(created.jobID, timeout: .seconds(120))
                #expect(done.status == .succeeded, "\(String(describing: done.error))")
                let result = try #require(done.result)
                #expect(result.engine == "upstream:b" && result.cached == false)
                let upstream = try #require(result.upstream)
                #expect(upstream.name == "b" && upstream.amount == "0.03")
                // B made it: its job is A's upstream job, and the bytes are the same.
                let jobB = try await clientB.job(upstream.jobID)
                #expect(jobB.status == .succeeded)
                let videoURL = try #require(result.videos.first?.url)
                #expect(videoURL.hasPrefix(baseA + "/files/"))
                let fromA = try await Self.download(done, clientA)
                let fromB = try await Self.download(jobB, clientB)
                #expect(fromA == fromB && fromA.count == result.videos.first?.bytes)
                #expect(result.videos.first?.frames == 24 && result.videos.first?.width == 960)
                #expect(
                    FileManager.default.fileExists(atPath: a.configuration.resultsDirectory.appendingPathComponent("\(done.jobID)/video.mp4").path))

                // The same request again: A's cache answers; B is not asked, nothing renders.
                #expect(try await Self.renders(baseA, engine: "upstream:b") == 1)
                let again = try await clientA.waitUntilDone(try await clientA.createJob(Self.arguments(["seed": 7])).jobID, timeout: .seconds(60))
                #expect(again.status == .succeeded && again.result?.cached == true && again.result?.engine == "upstream:b")
                #expect(again.result?.upstream == nil)
                #expect(try await Self.download(again, clientA) == fromA)
                #expect(try await Self.renders(baseA, engine: "upstream:b") == 1)
                #expect(try await clientB.jobs(limit: 10).jobs.count == 1)

                // B's key is in no record A keeps.
                let database = try Data(contentsOf: URL(fileURLWithPath: a.configuration.databasePath))
                #expect(database.range(of: Data(b.apiKey.utf8)) == nil)
            }
        }
    }

    @Test("B stopped mid-job: with a fall back A's job succeeds on the local engine and says so; without, it fails naming B")
    func upstreamStops() async throws {
        let b = try await Fixture(workers: 2)
        let port = try freeLoopbackPort()
        var configuration = b.configuration
        configuration.port = port
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let appB = try buildFullApplication(configuration, store: b.store, logger: logger)
        let groupB = ServiceGroup(configuration: .init(services: [appB], logger: logger))
        let runningB = Task { try await groupB.run() }
        let baseB = "http://127.0.0.1:\(port)"
        try await waitUntilAnswering(baseB)

        let withFallback = try await Self.gateway(to: baseB, key: b.apiKey, route: "*=upstream:b,local")
        let without = try await Self.gateway(to: baseB, key: b.apiKey, route: "*=upstream:b")
        // Long enough at B (two at once on two cores) to be stopped in the middle.
        let slow = Self.arguments(["resolution": "720p", "duration": "4"])
        try await withFallback.application().test(.live) { liveA1 in
            try await without.application().test(.live) { liveA2 in
                let client1 = InbetweenClient(baseURL: "http://127.0.0.1:\(liveA1.port!)", apiKey: withFallback.apiKey)
                let client2 = InbetweenClient(baseURL: "http://127.0.0.1:\(liveA2.port!)", apiKey: without.apiKey)
                let job1 = try await client1.createJob(slow)
                let job2 = try await client2.createJob(slow)
                let deadline = ContinuousClock.now + .seconds(60)
                while try await b.store.countsByStatus()[.running] != 2, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                #expect(try await b.store.countsByStatus()[.running] == 2, "both jobs should be rendering at B")
                await groupB.triggerGracefulShutdown()
                try await runningB.value

                let rescued = try await client1.waitUntilDone(job1.jobID, timeout: .seconds(120))
                #expect(rescued.status == .succeeded, "\(String(describing: rescued.error))")
                #expect(rescued.result?.engine == "local:motion" && rescued.result?.upstream == nil)
                let fallback = try #require(rescued.result?.fallback)
                #expect(fallback.from == "upstream:b" && fallback.reason.contains("upstream b (\(baseB))"), "\(fallback.reason)")
                #expect(rescued.result?.videos.first?.frames == 96)

                let failed = try await client2.waitUntilDone(job2.jobID, timeout: .seconds(60))
                #expect(failed.status == .failed)
                let error = try #require(failed.error)
                #expect(error.code == APIError.Code.unavailable.rawValue)
                #expect(error.message.contains("upstream b (\(baseB))") && error.message.contains("unreachable"), "\(error.message)")
                #expect(!error.message.contains(b.apiKey))
            }
        }
    }

    @Test("B refuses A's key: A's job fails with B's status and words, and the key is in neither the error nor A's database")
    func upstreamRefuses() async throws {
        let b = try await Fixture(workers: 0)
        try await b.application().test(.live) { liveB in
            let baseB = "http://127.0.0.1:\(liveB.port!)"
            let wrongKey = "ib_" + Secrets.randomToken(24)
            let a = try await Self.gateway(to: baseB, key: wrongKey, route: "turbo=upstream:b")
            try await a.application().test(.live) { liveA in
                let clientA = InbetweenClient(baseURL: "http://127.0.0.1:\(liveA.port!)", apiKey: a.apiKey)
                let failed = try await clientA.waitUntilDone(try await clientA.createJob(Self.arguments()).jobID, timeout: .seconds(60))
                #expect(failed.status == .failed)
                let message = failed.error?.message ?? ""
                #expect(
                    message.contains("upstream b") && message.contains("HTTP 401") && message.contains("unknown or revoked API key"), "\(message)")
                #expect(!message.contains(wrongKey))
                let database = try Data(contentsOf: URL(fileURLWithPath: a.configuration.databasePath))
                #expect(database.range(of: Data(wrongKey.utf8)) == nil)
            }
        }
    }

    @Test("B fails the job (its own upstream is down): A's job fails with B's code and message, naming both")
    func upstreamFailsJob() async throws {
        let port = try freeLoopbackPort()
        let b = try await Self.gateway(to: "http://127.0.0.1:\(port)", key: "ib_none", route: "*=upstream:b")
        try await b.application().test(.live) { liveB in
            let baseB = "http://127.0.0.1:\(liveB.port!)"
            let a = try await Self.gateway(to: baseB, key: b.apiKey, route: "*=upstream:b")
            try await a.application().test(.live) { liveA in
                let clientA = InbetweenClient(baseURL: "http://127.0.0.1:\(liveA.port!)", apiKey: a.apiKey)
                let failed = try await clientA.waitUntilDone(try await clientA.createJob(Self.arguments()).jobID, timeout: .seconds(60))
                #expect(failed.status == .failed)
                #expect(failed.error?.code == APIError.Code.unavailable.rawValue)
                let message = failed.error?.message ?? ""
                #expect(message.hasPrefix("upstream b (\(baseB)) failed the job (job_"), "\(message)")
                #expect(
                    message.contains("upstream b (http://127.0.0.1:\(port)) stayed unreachable") && message.hasSuffix("(code 50301)."), "\(message)")
            }
        }
    }

    @Test("a cancel on A reaches B's job")
    func cancelForwarded() async throws {
        let b = try await Fixture(workers: 1)
        try await b.application().test(.live) { liveB in
            let baseB = "http://127.0.0.1:\(liveB.port!)"
            let a = try await Self.gateway(to: baseB, key: b.apiKey, route: "*=upstream:b")
            try await a.application().test(.live) { liveA in
                let clientA = InbetweenClient(baseURL: "http://127.0.0.1:\(liveA.port!)", apiKey: a.apiKey)
                let created = try await clientA.createJob(Self.arguments(["mode": "pro", "resolution": "1080p", "duration": "8"]))
                let deadline = ContinuousClock.now + .seconds(60)
                while try await b.store.countsByStatus()[.running] != 1, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                _ = try await clientA.cancel(created.jobID)
                #expect(try await clientA.waitUntilDone(created.jobID, timeout: .seconds(30)).status == .canceled)
                let ended = ContinuousClock.now + .seconds(30)
                while try await b.store.countsByStatus()[.canceled] != 1, ContinuousClock.now < ended {
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(try await b.store.countsByStatus()[.canceled] == 1, "B's job should be canceled too")
            }
        }
    }

    @Test("the local cache is content-addressed: the same image by URL hits what a data URI made; another seed renders anew")
    func localCache() async throws {
        let a = try await Fixture(workers: 1) { $0.allowPrivateNetworks = true }
        let start = Fixture.startJPEG
        let routes: (Router<BasicRequestContext>) -> Void = { router in
            router.get("start.jpg") { _, _ in Response(status: .ok, body: .init(byteBuffer: ByteBuffer(bytes: start))) }
        }
        try await LoopbackServer.run(routes) { port in
            try await a.application().test(.live) { live in
                let base = "http://127.0.0.1:\(live.port!)"
                let client = InbetweenClient(baseURL: base, apiKey: a.apiKey)
                let first = try await client.waitUntilDone(try await client.createJob(Self.arguments()).jobID, timeout: .seconds(60))
                #expect(first.status == .succeeded && first.result?.cached == false && first.result?.engine == "local:motion")
                #expect(try await Self.renders(base, engine: "local:motion") == 1)
                let byURL = Self.arguments(["image": .string("http://127.0.0.1:\(port)/start.jpg"), "duration": 1])
                let second = try await client.waitUntilDone(try await client.createJob(byURL).jobID, timeout: .seconds(60))
                #expect(second.status == .succeeded && second.result?.cached == true, "\(String(describing: second.error))")
                #expect(try await Self.download(second, client) == (try await Self.download(first, client)))
                #expect(try await Self.renders(base, engine: "local:motion") == 1)
                let reseeded = try await client.waitUntilDone(try await client.createJob(Self.arguments(["seed": 99])).jobID, timeout: .seconds(60))
                #expect(reseeded.result?.cached == false)
                #expect(try await Self.renders(base, engine: "local:motion") == 2)
            }
        }
    }
}

/// Polls `/healthz` until the server answers.
func waitUntilAnswering(_ base: String) async throws {
    let deadline = ContinuousClock.now + .seconds(30)
    while ContinuousClock.now < deadline {
        if let response = try? await HTTPClient.shared.execute(HTTPClientRequest(url: base + "/healthz"), timeout: .seconds(2)),
            response.status.code == 200
        {
            return
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("\(base) did not answer within 30 s")
}
