import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InbetweenAPI
import InbetweenClient
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import InbetweenWebhooks
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Testing

@testable import InbetweenServer
@testable import InbetweenWorker

/// The server over a real socket with its workers rendering: `.live`.
@Suite("Live server", .serialized, .tags(.slow), .timeLimit(.minutes(5)))
struct LiveTests {
    /// Polls the job until it ends.
    static func waitForEnd(_ client: some TestClientProtocol, _ fixture: Fixture, _ id: String, seconds: Int = 120) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let reply = try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers())
            if let status = reply.data["status"] as? Int, status >= 2 { return reply.data }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("job \(id) did not end within \(seconds) s")
        return [:]
    }

    /// The path and query of a URL we handed out, for the test client.
    static func path(_ url: String) throws -> String {
        let components = try #require(URLComponents(string: url))
        return components.percentEncodedPath + (components.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    @Test("create with Prefer: wait → status 2 with the seed's result shape; the video is a playable MP4 served with ranges, the poster a JPEG")
    func renderAndServe() async throws {
        let fixture = try await Fixture(workers: 1)
        try await fixture.application().test(.live) { client in
            // The server may hold this answer up to 60 s on a busy machine, longer than the test
            // client's fixed 20 s: this one call goes through a client that waits for it.
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(client.port!)/api/v1/job/create")
            request.method = .POST
            for field in fixture.headers([.prefer: "wait=60"]) { request.headers.add(name: field.name.canonicalName, value: field.value) }
            request.body = .bytes(Fixture.body(Fixture.args()))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
            #expect(response.headers["Preference-Applied"].first == "wait=60")
            let created = try JSONSerialization.jsonObject(with: Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
            let job = try #require(((created as? [String: Any])?["data"] as? [String: Any])?["job"] as? [String: Any])
            #expect(job["status"] as? Int == 2, "\(job)")
            #expect(job["progress"] as? Int == 100 && job["attempts"] as? Int == 1)
            let result = try #require(job["result"] as? [String: Any])
            let video = try #require((result["videos"] as? [[String: Any]])?.first)
            let image = try #require((result["images"] as? [[String: Any]])?.first)
            let url = try #require(video["url"] as? String)
            #expect(image["url"] as? String == url)
            #expect(url.hasPrefix("http://127.0.0.1:\(client.port ?? 0)/files/"))
            #expect(video["width"] as? Int == 960 && video["height"] as? Int == 540)
            #expect(video["fps"] as? Int == 24 && video["frames"] as? Int == 24 && video["duration"] as? Int == 1)
            let size = try #require(video["bytes"] as? Int)

            let whole = try await client.execute(uri: try Self.path(url), method: .get)
            #expect(whole.status == .ok && whole.headers[.contentType] == "video/mp4" && whole.headers[.acceptRanges] == "bytes")
            #expect(whole.body.readableBytes == size)
            let mp4 = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-live-\(UUID().uuidString).mp4")
            try Data(whole.body.readableBytesView).write(to: mp4)
            let probe = Process()
            probe.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
            probe.arguments = [
                "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,profile,nb_read_frames,pix_fmt", "-of",
                "csv=p=0", mp4.path,
            ]
            let pipe = Pipe()
            probe.standardOutput = pipe
            try probe.run()
            // Poll rather than block: the cooperative pool has two threads here.
            while probe.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            let facts = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(facts.trimmingCharacters(in: .whitespacesAndNewlines) == "h264,High,yuv420p,24")

            let part = try await client.execute(uri: try Self.path(url), method: .get, headers: [.range: "bytes=100-199"])
            #expect(part.status == .partialContent && part.headers[.contentRange] == "bytes 100-199/\(size)")
            let wholeBytes = [UInt8](whole.body.readableBytesView)
            #expect([UInt8](part.body.readableBytesView) == Array(wholeBytes[100...199]))
            let tail = try await client.execute(uri: try Self.path(url), method: .get, headers: [.range: "bytes=-10"])
            #expect(tail.status == .partialContent && tail.body.readableBytes == 10)
            let beyond = try await client.execute(uri: try Self.path(url), method: .get, headers: [.range: "bytes=\(size)-"])
            #expect(beyond.status == .rangeNotSatisfiable && beyond.headers[.contentRange] == "bytes */\(size)")
            // A unit we do not know is ignored: the whole file (RFC 9110 §14.2).
            let otherUnit = try await client.execute(uri: try Self.path(url), method: .get, headers: [.range: "items=0-1"])
            #expect(otherUnit.status == .ok && otherUnit.body.readableBytes == size)
            let head = try await client.execute(uri: try Self.path(url), method: .head)
            #expect(head.status == .ok && head.headers[.contentLength] == String(size) && head.body.readableBytes == 0)

            let cover = try await client.execute(uri: try Self.path(try #require(video["cover_url"] as? String)), method: .get)
            #expect(cover.headers[.contentType] == "image/jpeg" && Array(cover.body.readableBytesView.prefix(2)) == [0xFF, 0xD8])

            // The URL only works for its own file and only while signed.
            let tampered = try Self.path(url).replacingOccurrences(of: "signature=", with: "signature=x")
            try await client.call(tampered).expectFailure(.forbidden, mentioning: ["expired"])
            let otherFile = try Self.path(url).replacingOccurrences(of: "video.mp4", with: "cover.jpg")
            try await client.call(otherFile).expectFailure(.forbidden)
        }
    }

    @Test("image URLs are fetched by the worker; a missing or forbidden image fails the job naming which image and why")
    func urlImages() async throws {
        let start = Fixture.startJPEG
        let end = Fixture.endJPEG
        let routes: (Router<BasicRequestContext>) -> Void = { router in
            router.get("start.jpg") { _, _ in
                Response(status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: ByteBuffer(bytes: start)))
            }
            router.get("end.jpg") { _, _ in
                Response(status: .ok, headers: [.contentType: "image/jpeg"], body: .init(byteBuffer: ByteBuffer(bytes: end)))
            }
        }
        try await LoopbackServer.run(routes) { port in
            let base = "http://127.0.0.1:\(port)"
            let open = try await Fixture(workers: 1) { $0.allowPrivateNetworks = true }
            try await open.application().test(.router) { client in
                let good = try await client.call(
                    "/api/v1/job/create", .post, headers: open.headers(),
                    body: Fixture.body(Fixture.args(image: "\(base)/start.jpg", tail: "\(base)/end.jpg")))
                let missing = try await client.call(
                    "/api/v1/job/create", .post, headers: open.headers(),
                    body: Fixture.body(Fixture.args(image: "\(base)/start.jpg", tail: "\(base)/nope.jpg")))
                let done = try await Self.waitForEnd(client, open, try #require(good.data["job_id"] as? String))
                #expect(done["status"] as? Int == 2, "\(done)")
                let failed = try await Self.waitForEnd(client, open, try #require(missing.data["job_id"] as? String))
                #expect(failed["status"] as? Int == 3)
                let error = try #require(failed["error"] as? [String: Any])
                #expect(error["code"] as? Int == APIError.Code.invalidImage.rawValue)
                #expect(
                    (error["message"] as? String)?.contains("`image_tail`") == true && (error["message"] as? String)?.contains("HTTP 404") == true)
            }
            let closed = try await Fixture(workers: 1)
            try await closed.application().test(.router) { client in
                let reply = try await client.call(
                    "/api/v1/job/create", .post, headers: closed.headers(), body: Fixture.body(Fixture.args(image: "\(base)/start.jpg")))
                let failed = try await Self.waitForEnd(client, closed, try #require(reply.data["job_id"] as? String))
                let message = (failed["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(failed["status"] as? Int == 3 && message.contains("`image`") && message.contains("loopback"), "\(message)")
            }
        }
    }

    @Test(
        "callbacks: signed per Standard Webhooks, 500, 500, 200 → three attempts with one webhook-id; 410 stops; 3xx is not followed; a slow receiver is cut off"
    )
    func webhooks() async throws {
        let recorder = Recorder()
        let script = Script([500, 500, 200])
        let routes: (Router<BasicRequestContext>) -> Void = { router in
            router.post("hook") { request, _ -> Response in
                try await recorder.record(request)
                return Response(status: .init(code: script.next()))
            }
            router.post("gone") { request, _ -> Response in
                try await recorder.record(request)
                return Response(status: .gone)
            }
            router.post("moved") { request, _ -> Response in
                try await recorder.record(request)
                return Response(status: .found, headers: [.location: "/elsewhere"])
            }
            router.post("elsewhere") { request, _ -> Response in
                try await recorder.record(request)
                return Response(status: .ok)
            }
            router.post("slow") { request, _ -> Response in
                try await recorder.record(request)
                try await Task.sleep(for: .seconds(6))
                return Response(status: .ok)
            }
        }
        try await LoopbackServer.run(routes) { port in
            let fixture = try await Fixture(workers: 1) { $0.allowPrivateNetworks = true }
            try await fixture.application().test(.router) { client in
                var ids: [String: String] = [:]
                for path in ["hook", "gone", "moved", "slow"] {
                    let reply = try await client.call(
                        "/api/v1/job/create", .post, headers: fixture.headers(),
                        body: Fixture.body(Fixture.args(), callback: "http://127.0.0.1:\(port)/\(path)"))
                    ids[path] = try #require(reply.data["job_id"] as? String)
                }
                // Wait until every callback has settled.
                let deadline = ContinuousClock.now + .seconds(120)
                var states: [String: String] = [:]
                while ContinuousClock.now < deadline {
                    for (path, id) in ids {
                        let job = try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers()).data
                        states[path] = (job["webhook"] as? [String: Any])?["state"] as? String
                    }
                    if states == ["hook": "delivered", "gone": "failed", "moved": "failed", "slow": "failed"] { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(states == ["hook": "delivered", "gone": "failed", "moved": "failed", "slow": "failed"])
                if states.count < 4 {
                    for (path, id) in ids {
                        let job = try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers()).data
                        Issue.record(
                            "\(path): status \(job["status"] ?? "-") progress \(job["progress"] ?? "-") error \(job["error"] ?? "-") webhook \(job["webhook"] ?? "-")"
                        )
                    }
                }

                let hooks = recorder.all.filter { $0.path == "/hook" }
                #expect(hooks.count == 3)
                let signer = try WebhookSigner(secret: fixture.key.webhookSecret)
                let webhookID = hooks.first?.headers[HTTPField.Name("webhook-id")!]
                #expect(webhookID?.hasPrefix("msg_") == true)
                for hook in hooks {
                    #expect(hook.headers[HTTPField.Name("webhook-id")!] == webhookID)
                    let verified = signer.verify(
                        id: hook.headers[HTTPField.Name("webhook-id")!] ?? "", timestamp: hook.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                        signatures: hook.headers[HTTPField.Name("webhook-signature")!] ?? "", body: hook.body)
                    #expect(verified)
                    // The SDK's helper for receivers agrees, and hands back the job.
                    let viaSDK = InbetweenClient.verifyWebhook(
                        secret: fixture.key.webhookSecret, id: hook.headers[HTTPField.Name("webhook-id")!] ?? "",
                        timestamp: hook.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                        signature: hook.headers[HTTPField.Name("webhook-signature")!] ?? "",
                        body: hook.body)
                    #expect(viaSDK?.jobID == ids["hook"] && viaSDK?.status == .succeeded)
                    #expect(
                        InbetweenClient.verifyWebhook(
                            secret: Secrets.newWebhookSecret(), id: hook.headers[HTTPField.Name("webhook-id")!] ?? "",
                            timestamp: hook.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                            signature: hook.headers[HTTPField.Name("webhook-signature")!] ?? "", body: hook.body) == nil)
                    let envelope = try #require(try JSONSerialization.jsonObject(with: Data(hook.body)) as? [String: Any])
                    let data = try #require(envelope["data"] as? [String: Any])
                    #expect(envelope["code"] as? Int == 0 && data["job_id"] as? String == ids["hook"] && data["status"] as? Int == 2)
                }
                let hookJob = try await client.call("/api/v1/job/query?id=\(ids["hook"]!)", headers: fixture.headers()).data
                #expect((hookJob["webhook"] as? [String: Any])?["attempts"] as? Int == 3)
                #expect(recorder.count("/gone") == 1)
                #expect(recorder.count("/moved") == 4)
                #expect(recorder.count("/elsewhere") == 0)
                // The receiver that takes 6 s is cut off after the 2 s timeout, on every attempt.
                #expect(recorder.count("/slow") == 4)
                let slow = try await client.call("/api/v1/job/query?id=\(ids["slow"]!)", headers: fixture.headers()).data
                #expect(((slow["webhook"] as? [String: Any])?["last_error"] as? String)?.contains("did not answer within 2 s") == true, "\(slow)")
                let moved = try await client.call("/api/v1/job/query?id=\(ids["moved"]!)", headers: fixture.headers()).data
                #expect(((moved["webhook"] as? [String: Any])?["last_error"] as? String)?.contains("redirects are not followed") == true)
            }
        }
    }

    @Test("cancel reaches a running render: the job ends canceled and the worker goes on with the next")
    func cancelRunning() async throws {
        let fixture = try await Fixture(workers: 1)
        try await fixture.application().test(.router) { client in
            let long = Fixture.args(extra: ["mode": "pro", "resolution": "1080p", "duration": 8])
            let reply = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(long))
            let id = try #require(reply.data["job_id"] as? String)
            let next = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
            let nextID = try #require(next.data["job_id"] as? String)
            // Behind the long job: 1 while that one is queued, 0 once it runs.
            let position = try await client.call("/api/v1/job/query?id=\(nextID)", headers: fixture.headers()).data["queue_position"] as? Int
            #expect(position == 0 || position == 1)
            var status = 0
            while status == 0 {
                try await Task.sleep(for: .milliseconds(100))
                status = try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers()).data["status"] as? Int ?? -1
            }
            #expect(status == 1)
            let canceled = try await client.call("/api/v1/job/cancel?id=\(id)", .post, headers: fixture.headers())
            #expect(canceled.data["status"] as? Int == 4)
            let ended = try await Self.waitForEnd(client, fixture, id, seconds: 30)
            #expect(ended["status"] as? Int == 4)
            let after = try await Self.waitForEnd(client, fixture, nextID)
            #expect(after["status"] as? Int == 2)
        }
    }

    @Test("graceful shutdown gives the running job back to the queue, its attempt refunded, and the server exits")
    func gracefulShutdown() async throws {
        let fixture = try await Fixture(workers: 1)
        let args = Fixture.args(extra: ["mode": "pro", "resolution": "1080p", "duration": 8])
        let json = String(decoding: try JSONSerialization.data(withJSONObject: args), as: UTF8.self)
        let job = try await fixture.store.create(
            NewJob(
                id: Secrets.newJobID(), keyID: fixture.key.id, model: modelID, arguments: json, amount: 800, callbackURL: nil, maxAttempts: 3,
                createdAt: Date())
        ).job
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        let group = ServiceGroup(configuration: .init(services: [try fixture.application()], logger: logger))
        let running = Task { try await group.run() }
        let deadline = ContinuousClock.now + .seconds(30)
        while try await fixture.store.job(id: job.id, keyID: nil)?.status != .running, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(try await fixture.store.job(id: job.id, keyID: nil)?.status == .running)
        await group.triggerGracefulShutdown()
        try await running.value
        let released = try #require(try await fixture.store.job(id: job.id, keyID: nil))
        #expect(released.status == .queued && released.lifecycle.attempts == 0 && released.leaseExpiresAt == nil)
    }
}
