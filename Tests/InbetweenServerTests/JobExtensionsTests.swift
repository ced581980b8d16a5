import AsyncHTTPClient
import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import InbetweenWebhooks
import InbetweenWorker
import Logging
import NIOCore
import NIOHTTP1
import Testing

@testable import InbetweenServer

/// The API's extensions over HTTP: `payload`, `Cancel-After` and `DELETE /api/v1/job`.
@Suite("Job API extensions")
struct JobExtensionsTests {
    static func body(_ extra: [String: Any]) -> ByteBuffer {
        var object: [String: Any] = ["model": modelID, "args": Fixture.args()]
        for (name, value) in extra { object[name] = value }
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    @Test("payload is echoed by query and list; one over 1 MiB or not a string is refused with 422 naming it; absent, nothing changes")
    func payload() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.router) { client in
            let payload = #"{"order":"A-17","note":"ünïcode"}"#
            let created = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Self.body(["payload": payload]))
            let id = try #require(created.data["job_id"] as? String, "\(created.message)")
            let query = try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers())
            #expect(query.data["payload"] as? String == payload)
            let plain = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
            let plainID = try #require(plain.data["job_id"] as? String)
            let list = try await client.call("/api/v1/jobs", headers: fixture.headers())
            let jobs = try #require(list.data["jobs"] as? [[String: Any]])
            #expect(jobs.map { $0["job_id"] as? String } == [plainID, id])
            #expect(jobs[1]["payload"] as? String == payload && jobs[0].keys.contains("payload") == false)
            #expect(jobs[0]["data_removed"] == nil)

            let tooBig = String(repeating: "x", count: 1024 * 1024 + 1)
            try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Self.body(["payload": tooBig]))
                .expectFailure(.invalidArgument, mentioning: ["`payload`", "1 MiB", "1048577"])
            try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Self.body(["payload": ["a": 1]]))
                .expectFailure(.invalidArgument, mentioning: ["`payload`", "string"])
        }
    }

    @Test("Cancel-After: whole seconds are kept as the job's deadline; anything else is refused with 422 naming the header")
    func cancelAfter() async throws {
        let fixture = try await Fixture()
        let header = HTTPField.Name("Cancel-After")!
        try await fixture.application().test(.router) { client in
            let created = try await client.call(
                "/api/v1/job/create", .post, headers: fixture.headers([header: "90"]), body: Fixture.body(Fixture.args()))
            let id = try #require(created.data["job_id"] as? String, "\(created.message)")
            let job = try #require(try await fixture.store.job(id: id, keyID: nil))
            let deadline = try #require(job.deadline)
            #expect(abs(deadline.timeIntervalSince(job.createdAt) - 90) < 0.01)
            for bad in ["0", "-5", "soon", "2592001", "1.5"] {
                try await client.call("/api/v1/job/create", .post, headers: fixture.headers([header: bad]), body: Fixture.body(Fixture.args()))
                    .expectFailure(.invalidArgument, mentioning: ["Cancel-After"])
            }
            // The sweep cancels it at the deadline with an error naming it (the clock is the store's `now`).
            #expect(try await fixture.store.expireDeadlines(now: deadline) == [id])
            let query = try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers())
            let error = try #require(query.data["error"] as? [String: Any])
            #expect(query.data["status"] as? Int == 4 && error["code"] as? Int == APIError.Code.deadlinePassed.rawValue)
            #expect((error["message"] as? String)?.contains("Cancel-After") == true)
        }
    }

    @Test("DELETE of a queued job cancels it first (refunded), is idempotent, and answers 404 for another key's job")
    func deleteQueued() async throws {
        let fixture = try await Fixture(budget: 1000)
        let other = try await Fixture.makeKey(fixture.store)
        try await fixture.application().test(.router) { client in
            let created = try await client.call(
                "/api/v1/job/create", .post, headers: fixture.headers(), body: Self.body(["payload": "keep me"]))
            let id = try #require(created.data["job_id"] as? String)
            try await client.call("/api/v1/job?id=\(id)", .delete, headers: fixture.headers(key: other.0)).expectFailure(.notFound, mentioning: [id])
            let deleted = try await client.call("/api/v1/job?id=\(id)", .delete, headers: fixture.headers())
            #expect(deleted.status == .ok && deleted.data["status"] as? Int == 4 && deleted.data["data_removed"] as? Bool == true)
            #expect(deleted.data["payload"] as? String == "keep me")
            let again = try await client.call("/api/v1/job?id=\(id)", .delete, headers: fixture.headers())
            #expect(again.status == .ok && again.data["data_removed"] as? Bool == true && again.data["status"] as? Int == 4)
            try await client.call("/api/v1/job", .delete, headers: fixture.headers()).expectFailure(.invalidArgument, mentioning: ["`id`"])
            #expect(try await fixture.store.keys().first { $0.key.id == fixture.key.id }?.spent == 0)
        }
    }

    @Test(
        "DELETE of a rendered job: its files leave the disk, their URLs answer 404, the query says data_removed with no URLs, the spend stays",
        .tags(.slow), .timeLimit(.minutes(5)))
    func deleteRendered() async throws {
        let fixture = try await Fixture(workers: 1)
        try await fixture.application().test(.live) { client in
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(client.port!)/api/v1/job/create")
            request.method = .POST
            for field in fixture.headers([.prefer: "wait=60"]) { request.headers.add(name: field.name.canonicalName, value: field.value) }
            request.body = .bytes(Fixture.body(Fixture.args()))
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(90))
            let created = try JSONSerialization.jsonObject(with: Data(try await response.body.collect(upTo: 1 << 20).readableBytesView))
            let job = try #require(((created as? [String: Any])?["data"] as? [String: Any])?["job"] as? [String: Any])
            #expect(job["status"] as? Int == 2, "\(job)")
            let id = try #require(job["job_id"] as? String)
            let video = try #require(((job["result"] as? [String: Any])?["videos"] as? [[String: Any]])?.first)
            let urls = [try #require(video["url"] as? String), try #require(video["cover_url"] as? String)]
            let directory = fixture.configuration.resultsDirectory.appendingPathComponent(id)
            #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("video.mp4").path))
            for url in urls { #expect(try await client.execute(uri: try LiveTests.path(url), method: .get).status == .ok) }
            let spent = try await fixture.store.keys().first { $0.key.id == fixture.key.id }?.spent
            #expect(spent == 30)

            let deleted = try await client.call("/api/v1/job?id=\(id)", .delete, headers: fixture.headers())
            #expect(deleted.status == .ok && deleted.data["data_removed"] as? Bool == true && deleted.data["status"] as? Int == 2)
            #expect(deleted.data["result"] == nil)
            #expect(!FileManager.default.fileExists(atPath: directory.path))
            for url in urls {
                try await client.call(try LiveTests.path(url)).expectFailure(.notFound, mentioning: ["removed"])
            }
            let query = try await client.call("/api/v1/job?id=\(id)".replacingOccurrences(of: "job?", with: "job/query?"), headers: fixture.headers())
            #expect(query.data["data_removed"] as? Bool == true && query.data["result"] == nil && query.data["status"] as? Int == 2)
            #expect(try await fixture.store.keys().first { $0.key.id == fixture.key.id }?.spent == spent)
            // The stored input copies (the images' data URIs) are gone too.
            let arguments = try await fixture.store.pool.read { db in
                try String.fetchOne(db, sql: "SELECT arguments FROM job_arguments WHERE job_id = ?", arguments: [id])
            }
            #expect(arguments == nil)
        }
    }

    @Test("retention: the sweeper removes an ended job's files once its key's retention ran out, not before, and marks it")
    func retention() async throws {
        let fixture = try await Fixture()
        let results = try DirectoryResultStore(root: fixture.configuration.resultsDirectory)
        let key = try await StoreConformance.key(fixture.store, retention: 60)
        let start = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))
        let job = try await fixture.store.create(StoreConformance.newJob(key)).job
        let claimed = try #require(try await fixture.store.claim(now: start, lease: .seconds(60)))
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-retention-\(UUID().uuidString)")
        try Data("video".utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await results.put(job: job.id, name: "video.mp4", from: file)
        let token = claimed.lifecycle.leaseToken
        let output = JobOutput(
            video: "\(job.id)/video.mp4", cover: "c", width: 2, height: 2, fps: 24, frames: 24, duration: 1, bytes: 5, engine: "motion")
        #expect(try await fixture.store.finish(id: job.id, token: token, event: .succeed(token: token), output: output, failure: nil, now: start))
        let sweeper = JobSweeper(store: fixture.store, results: results, logger: Logger(label: "test"))
        #expect(try await sweeper.sweepRetention(now: start.addingTimeInterval(59)) == 0)
        #expect(try await results.size(job: job.id, name: "video.mp4") == 5)
        #expect(try await sweeper.sweepRetention(now: start.addingTimeInterval(60)) == 1)
        #expect(try await results.size(job: job.id, name: "video.mp4") == nil)
        #expect(try await fixture.store.job(id: job.id, keyID: nil)?.dataRemovedAt != nil)
        #expect(try await sweeper.sweepRetention(now: start.addingTimeInterval(600)) == 0)
    }

    @Test("off_peak: half the table's amount (rounded down to the thousandth), shown in the view, a 48 h deadline; not a boolean: 422")
    func offPeak() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.router) { client in
            let args = Fixture.args(extra: ["mode": "pro", "resolution": "720p", "duration": "5"])
            let normal = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(args))
            #expect(normal.data["amount"] as? String == "0.275")
            let body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: ["model": modelID, "args": args, "off_peak": true]))
            let cheap = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: body)
            #expect(cheap.data["amount"] as? String == "0.137", "\(cheap.message)")
            let id = try #require(cheap.data["job_id"] as? String)
            let query = try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers())
            #expect(query.data["off_peak"] as? Bool == true && query.data["queue_position"] as? Int == 1)
            let job = try #require(try await fixture.store.job(id: id, keyID: nil))
            #expect(job.offPeak && job.deadline.map { abs($0.timeIntervalSince(job.createdAt) - 48 * 3600) < 0.01 } == true)
            #expect(
                (try await client.call("/api/v1/job/query?id=\(try #require(normal.data["job_id"] as? String))", headers: fixture.headers()))
                    .data["off_peak"] == nil)
            try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Self.body(["off_peak": "yes"]))
                .expectFailure(.invalidArgument, mentioning: ["`off_peak`", "true or false"])
        }
    }

    @Test(
        "callback_events [start, progress, completed]: a start, at least two progress events and one completion, each signed and verified, ids distinct",
        .tags(.slow), .timeLimit(.minutes(5)))
    func callbackEvents() async throws {
        let recorder = Recorder()
        let routes: (Router<BasicRequestContext>) -> Void = { router in
            router.post("hook") { request, _ -> Response in
                try await recorder.record(request)
                return Response(status: .ok)
            }
        }
        try await LoopbackServer.run(routes) { port in
            let fixture = try await Fixture(workers: 1) { $0.allowPrivateNetworks = true }
            try await fixture.application().test(.router) { client in
                let callback = "http://127.0.0.1:\(port)/hook"
                try await client.call(
                    "/api/v1/job/create", .post, headers: fixture.headers(),
                    body: Self.body(["callback_events": ["start", "finish"], "callback_url": callback])
                ).expectFailure(.invalidArgument, mentioning: ["`callback_events`", "\"progress\""])
                try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Self.body(["callback_events": ["start"]]))
                    .expectFailure(.invalidArgument, mentioning: ["`callback_events`", "`callback_url`"])
                // Long enough (8 s of 720p) for progress to move over several seconds.
                let args = Fixture.args(extra: ["mode": "pro", "resolution": "720p", "duration": "8"])
                let body = ByteBuffer(
                    bytes: try JSONSerialization.data(withJSONObject: [
                        "model": modelID, "args": args, "callback_url": callback, "callback_events": ["start", "progress", "completed"],
                        "payload": "order-7",
                    ]))
                let created = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: body)
                let id = try #require(created.data["job_id"] as? String, "\(created.message)")
                let deadline = ContinuousClock.now + .seconds(180)
                while ContinuousClock.now < deadline, !recorder.all.contains(where: { $0.headers[HTTPField.Name("inbetween-event")!] == "completed" })
                {
                    try await Task.sleep(for: .milliseconds(200))
                }
                let hooks = recorder.all
                let signer = try WebhookSigner(secret: fixture.key.webhookSecret)
                var seen: [(event: String, id: String, status: Int, progress: Int)] = []
                for hook in hooks {
                    let webhookID = hook.headers[HTTPField.Name("webhook-id")!] ?? ""
                    #expect(
                        signer.verify(
                            id: webhookID, timestamp: hook.headers[HTTPField.Name("webhook-timestamp")!] ?? "",
                            signatures: hook.headers[HTTPField.Name("webhook-signature")!] ?? "", body: hook.body))
                    let envelope = try #require(try JSONSerialization.jsonObject(with: Data(hook.body)) as? [String: Any])
                    let data = try #require(envelope["data"] as? [String: Any])
                    #expect(data["job_id"] as? String == id && data["payload"] as? String == "order-7")
                    seen.append(
                        (
                            hook.headers[HTTPField.Name("inbetween-event")!] ?? "", webhookID, data["status"] as? Int ?? -1,
                            data["progress"] as? Int ?? -1
                        ))
                }
                let starts = seen.filter { $0.event == "start" }
                let progress = seen.filter { $0.event == "progress" }
                let completions = seen.filter { $0.event == "completed" }
                #expect(starts.count == 1 && starts.first?.status == 1 && starts.first?.progress == 0, "\(seen)")
                #expect(progress.count >= 2, "\(seen)")
                #expect(progress.allSatisfy { $0.status == 1 && (1...99).contains($0.progress) }, "\(seen)")
                #expect(completions.count == 1 && completions.first?.status == 2, "\(seen)")
                #expect(Set(seen.map(\.id)).count == seen.count, "every delivery has its own webhook-id (all answered 200, so none was retried)")
            }
        }
    }

    @Test(
        "Cancel-After on a job still rendering at its deadline: the sweeper stops it, status 4 with 40801, not charged, the worker takes the next job",
        .tags(.slow))
    func deadlineStopsRender() async throws {
        let fixture = try await Fixture(workers: 1)
        try await fixture.application().test(.live) { client in
            let long = Fixture.args(extra: ["mode": "pro", "resolution": "1080p", "duration": "8"])
            let created = try await client.call(
                "/api/v1/job/create", .post, headers: fixture.headers([HTTPField.Name("Cancel-After")!: "2"]), body: Fixture.body(long))
            let id = try #require(created.data["job_id"] as? String)
            let ended = try await LiveTests.waitForEnd(client, fixture, id, seconds: 60)
            let error = try #require(ended["error"] as? [String: Any])
            #expect(ended["status"] as? Int == 4 && error["code"] as? Int == APIError.Code.deadlinePassed.rawValue, "\(ended)")
            #expect((error["message"] as? String)?.contains("still running") == true && ended["started_at"] != nil)
            #expect(try await fixture.store.keys().first { $0.key.id == fixture.key.id }?.spent == 0)
            // The render stopped: the worker is free for the next job, which succeeds.
            let next = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
            let done = try await LiveTests.waitForEnd(client, fixture, try #require(next.data["job_id"] as? String), seconds: 60)
            #expect(done["status"] as? Int == 2)
            #expect(!FileManager.default.fileExists(atPath: fixture.configuration.resultsDirectory.appendingPathComponent(id).path))
        }
    }
}
