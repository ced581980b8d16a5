import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import NIOCore
import Testing

@testable import InbetweenServer

/// Every route, status and error code through `app.test(.router)` (no workers: jobs stay queued).
@Suite("API routes")
struct RouterTests {
    @Test("a request without a valid key gets 401 in the envelope")
    func authentication() async throws {
        let fixture = try await Fixture()
        let revoked = try await Fixture.makeKey(fixture.store)
        _ = try await fixture.store.revokeKey(revoked.1.id, at: Date())
        try await fixture.application().test(.router) { client in
            try await client.call("/api/v1/job/query?id=x").expectFailure(.unauthorized, mentioning: ["Authorization: Bearer"])
            try await client.call("/api/v1/job/query?id=x", headers: [.authorization: "Basic abc"]).expectFailure(
                .unauthorized, mentioning: ["Bearer"])
            try await client.call("/api/v1/job/query?id=x", headers: [.authorization: "Bearer ib_nope"]).expectFailure(
                .unauthorized, mentioning: ["unknown"])
            try await client.call("/api/v1/models", headers: fixture.headers(key: revoked.0)).expectFailure(.unauthorized, mentioning: ["revoked"])
            #expect(try await client.call("/api/v1/models", headers: fixture.headers()).code == 0)
        }
    }

    @Test("create refuses what breaks the contract with the status and a message naming the field")
    func createErrors() async throws {
        let fixture = try await Fixture { $0.maxBodyBytes = 256 * 1024 }
        try await fixture.application().test(.router) { client in
            let create = "/api/v1/job/create"
            let good = Fixture.body(Fixture.args())
            try await client.call(create, .post, headers: fixture.headers([.contentType: "text/plain"]), body: good)
                .expectFailure(.unsupportedMediaType, mentioning: ["Content-Type: application/json"])
            try await client.call(create, .post, headers: fixture.headers(), body: ByteBuffer(string: "{\"model\": "))
                .expectFailure(.badJSON, mentioning: ["not valid JSON"])
            try await client.call(create, .post, headers: fixture.headers(), body: ByteBuffer(string: "[1, 2]"))
                .expectFailure(.badJSON, mentioning: ["JSON object"])
            let huge = Fixture.body(Fixture.args(prompt: String(repeating: "a", count: 300 * 1024)))
            try await client.call(create, .post, headers: fixture.headers(), body: huge).expectFailure(.payloadTooLarge, mentioning: ["256 KiB"])
            // Only a create may carry a large body: 100 KiB to any other route is refused unread.
            let bulky = ByteBuffer(string: String(repeating: "a", count: 100 * 1024))
            try await client.call("/api/v1/job/cancel?id=x", .post, headers: fixture.headers(), body: bulky)
                .expectFailure(.payloadTooLarge, mentioning: ["64 KiB"])
            try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(), model: "acme/other"))
                .expectFailure(.unknownModel, mentioning: ["acme/other", modelID])
            try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(extra: ["style": "anime"])))
                .expectFailure(.unknownArgument, mentioning: ["`style`"])
            try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(extra: ["mode": "fast"])))
                .expectFailure(.invalidArgument, mentioning: ["`mode`", "turbo, pro, pro-fast"])
            try await client.call(
                create, .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(extra: ["mode": "pro-fast", "resolution": "540p"]))
            )
            .expectFailure(.invalidArgument, mentioning: ["540p", "pro-fast"])
            try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(prompt: "")))
                .expectFailure(.invalidArgument, mentioning: ["`prompt`"])
            try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(tail: "data:image/png;base64,")))
                .expectFailure(.invalidImage, mentioning: ["`image_tail`", "empty"])
            try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(image: "ftp://x/y.png")))
                .expectFailure(.invalidArgument, mentioning: ["`image`"])
            try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(), callback: "not a url"))
                .expectFailure(.invalidArgument, mentioning: ["`callback_url`"])
            try await client.call(create, .post, headers: fixture.headers([.prefer: "wait=soon"]), body: good)
                .expectFailure(.invalidArgument, mentioning: ["Prefer"])
            try await client.call(create, .post, headers: fixture.headers([.idempotencyKey: String(repeating: "k", count: 300)]), body: good)
                .expectFailure(.invalidArgument, mentioning: ["Idempotency-Key"])
            // Nothing above made a job.
            #expect(try await fixture.store.jobs(keyID: fixture.key.id, limit: 10, after: nil).isEmpty)
            try await client.call("/no/such/route").expectFailure(.notFound, mentioning: ["/no/such/route"])
        }
    }

    @Test("create → query → cancel → list: the seed's shape, job_id echoed at the top, a key sees only its own")
    func lifecycle() async throws {
        let fixture = try await Fixture()
        let other = try await Fixture.makeKey(fixture.store)
        try await fixture.application().test(.router) { client in
            let created = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
            #expect(created.status == .ok && created.code == 0 && created.message == "ok")
            let id = try #require(created.data["job_id"] as? String)
            #expect(created.json["job_id"] as? String == id)
            #expect(created.data["amount"] as? String == "0.03")

            let query = try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers())
            #expect(query.data["status"] as? Int == 0 && query.data["queue_position"] as? Int == 0 && query.data["progress"] as? Int == 0)
            #expect(query.data["model"] as? String == modelID && query.data["amount"] as? String == "0.03")
            #expect((query.data["created_at"] as? String)?.hasSuffix("Z") == true)
            #expect(query.data["result"] == nil && query.data["error"] == nil)

            try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers(key: other.0)).expectFailure(.notFound, mentioning: [id])
            try await client.call("/api/v1/job/query", headers: fixture.headers()).expectFailure(.invalidArgument, mentioning: ["`id`"])
            try await client.call("/api/v1/job/cancel?id=\(id)", .post, headers: fixture.headers(key: other.0)).expectFailure(.notFound)

            let canceled = try await client.call("/api/v1/job/cancel?id=\(id)", .post, headers: fixture.headers())
            #expect(canceled.data["status"] as? Int == 4 && canceled.data["finished_at"] != nil)
            try await client.call("/api/v1/job/cancel?id=\(id)", .post, headers: fixture.headers()).expectFailure(
                .conflict, mentioning: ["already ended"])

            var ids = [id]
            for _ in 0..<4 {
                let reply = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
                ids.append(try #require(reply.data["job_id"] as? String))
            }
            let page1 = try await client.call("/api/v1/jobs?limit=3", headers: fixture.headers())
            let jobs1 = try #require(page1.data["jobs"] as? [[String: Any]])
            #expect(jobs1.compactMap { $0["job_id"] as? String } == [ids[4], ids[3], ids[2]])
            let cursor = try #require(page1.data["next_cursor"] as? String)
            let page2 = try await client.call("/api/v1/jobs?limit=3&after=\(cursor)", headers: fixture.headers())
            let jobs2 = try #require(page2.data["jobs"] as? [[String: Any]])
            #expect(jobs2.compactMap { $0["job_id"] as? String } == [ids[1], ids[0]])
            #expect(page2.data["next_cursor"] == nil)
            #expect(jobs2.last?["queue_position"] == nil && jobs2.first?["queue_position"] as? Int == 0)
            try await client.call("/api/v1/jobs?limit=0", headers: fixture.headers()).expectFailure(.invalidArgument, mentioning: ["`limit`"])
            let empty = try await client.call("/api/v1/jobs", headers: fixture.headers(key: other.0))
            #expect((empty.data["jobs"] as? [Any])?.isEmpty == true)
        }
    }

    /// CONTRACT.md's table, typed out here independently of `Pricing`.
    static let table: [(mode: String, resolution: String, amounts: [String])] = [
        ("turbo", "540p", ["0.03", "0.04", "0.05", "0.06", "0.07", "0.08", "0.09", "0.10"]),
        ("turbo", "720p", ["0.04", "0.05", "0.10", "0.15", "0.20", "0.25", "0.30", "0.35"]),
        ("turbo", "1080p", ["0.175", "0.225", "0.275", "0.325", "0.375", "0.425", "0.475", "0.525"]),
        ("pro", "540p", ["0.04", "0.05", "0.075", "0.10", "0.125", "0.15", "0.175", "0.20"]),
        ("pro", "720p", ["0.075", "0.125", "0.175", "0.225", "0.275", "0.325", "0.375", "0.425"]),
        ("pro", "1080p", ["0.275", "0.35", "0.425", "0.50", "0.575", "0.65", "0.725", "0.80"]),
        ("pro-fast", "720p", ["0.04", "0.05", "0.06", "0.07", "0.08", "0.09", "0.10", "0.11"]),
        ("pro-fast", "1080p", ["0.08", "0.10", "0.12", "0.14", "0.16", "0.18", "0.20", "0.22"]),
    ]

    @Test("amount equals CONTRACT.md's table in all 8 × 8 cells, and /models says the same")
    func pricing() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.router) { client in
            for row in Self.table {
                for (index, expected) in row.amounts.enumerated() {
                    let args = Fixture.args(extra: ["mode": row.mode, "resolution": row.resolution, "duration": index + 1])
                    let reply = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(args))
                    #expect(reply.data["amount"] as? String == expected, "\(row.mode) \(row.resolution) \(index + 1)s")
                }
            }
            let models = try await client.call("/api/v1/models", headers: fixture.headers())
            let model = try #require((models.data["models"] as? [[String: Any]])?.first)
            #expect(model["id"] as? String == modelID)
            let prices = try #require(model["pricing"] as? [[String: Any]])
            #expect(prices.count == 8)
            for row in Self.table {
                #expect(
                    prices.contains {
                        $0["mode"] as? String == row.mode && $0["resolution"] as? String == row.resolution
                            && $0["amounts"] as? [String] == row.amounts
                            && $0["off_peak_amounts"] as? [String]
                                == row.amounts.map { Pricing.format(thousandths: Int((Double($0)! * 1000).rounded()) / 2) }
                    })
            }
            let names = (model["arguments"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names == GenerationArguments.keys)
        }
    }

    @Test("Idempotency-Key: same body → same job, other body → 422, 20 concurrent creates → one job")
    func idempotency() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.router) { client in
            let body = Fixture.body(Fixture.args())
            let first = try await client.call("/api/v1/job/create", .post, headers: fixture.headers([.idempotencyKey: "order-1"]), body: body)
            let again = try await client.call("/api/v1/job/create", .post, headers: fixture.headers([.idempotencyKey: "order-1"]), body: body)
            #expect(first.data["job_id"] as? String != nil && again.data["job_id"] as? String == first.data["job_id"] as? String)
            #expect(again.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            // The same request with its keys in another order and other spacing is the same request.
            let reordered = ByteBuffer(
                string: "{ \"args\": "
                    + String(decoding: try JSONSerialization.data(withJSONObject: Fixture.args(), options: [.sortedKeys]), as: UTF8.self)
                    + ", \"model\": \"\(modelID)\" }")
            let replayed = try await client.call("/api/v1/job/create", .post, headers: fixture.headers([.idempotencyKey: "order-1"]), body: reordered)
            #expect(replayed.data["job_id"] as? String == first.data["job_id"] as? String, "\(replayed.message)")
            try await client.call(
                "/api/v1/job/create", .post, headers: fixture.headers([.idempotencyKey: "order-1"]), body: Fixture.body(Fixture.args(prompt: "other"))
            ).expectFailure(.invalidArgument, mentioning: ["Idempotency-Key", "different request body"])

            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        try await client.call("/api/v1/job/create", .post, headers: fixture.headers([.idempotencyKey: "burst"]), body: body)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let ids = Set(replies.filter { $0.status == .ok }.compactMap { $0.data["job_id"] as? String })
            #expect(ids.count == 1)
            #expect(replies.allSatisfy { $0.status == .ok || $0.code == APIError.Code.conflict.rawValue })
            #expect(try await fixture.store.jobs(keyID: fixture.key.id, limit: 100, after: nil).count == 2)
        }
    }

    @Test("a key over its budget gets 402; over its rate 429 with RateLimit and Retry-After; creates and reads have budgets apart")
    func limits() async throws {
        let fixture = try await Fixture(budget: 50) {
            $0.createRateLimit = RateLimitPolicy(limit: 3, window: .seconds(60))
            $0.readRateLimit = RateLimitPolicy(limit: 2, window: .seconds(60))
        }
        let policy = HTTPField.Name("RateLimit-Policy")!
        let state = HTTPField.Name("RateLimit")!
        try await fixture.application().test(.router) { client in
            let first = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
            #expect(first.status == .ok)
            #expect(first.headers[policy] == "3;w=60")
            #expect(first.headers[state]?.hasPrefix("limit=3, remaining=2") == true)
            try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
                .expectFailure(.budgetExceeded, mentioning: ["$0.03", "$0.02", "$0.05"])
            // Reads draw from their own bucket.
            let read = try await client.call("/api/v1/models", headers: fixture.headers())
            #expect(read.status == .ok && read.headers[policy] == "2;w=60" && read.headers[state]?.hasPrefix("limit=2, remaining=1") == true)
            _ = try await client.call("/api/v1/models", headers: fixture.headers())
            let limited = try await client.call("/api/v1/models", headers: fixture.headers())
            limited.expectFailure(.rateLimited, mentioning: ["2 per 60 s"])
            #expect(Int(limited.headers[.retryAfter] ?? "") ?? 0 >= 1)
            #expect(limited.headers[state]?.contains("remaining=0") == true)
            // Spent reads leave the creates alone: this one gets as far as the budget (402), the next is over the creates' rate.
            try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
                .expectFailure(.budgetExceeded)
            let overCreates = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
            overCreates.expectFailure(.rateLimited, mentioning: ["creates", "3 per 60 s"])
            // A key's own budget (`inbetween keys limits`) replaces the default.
            let (plain, other) = try await Fixture.makeKey(fixture.store)
            #expect(try await fixture.store.setRateLimits(other.id, KeyRateLimits(creates: nil, reads: 50)))
            let own = try await client.call("/api/v1/models", headers: fixture.headers(key: plain))
            #expect(own.status == .ok && own.headers[policy] == "50;w=60")
        }
    }

    @Test("health, readiness, metrics and the OpenAPI document, which names every route we serve")
    func operations() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.router) { client in
            #expect(try await client.call("/healthz").data["status"] as? String == "ok")
            #expect(try await client.call("/readyz").data["status"] as? String == "ready")
            _ = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            let text = String(buffer: metrics.body)
            #expect(metrics.headers[.contentType]?.hasPrefix("text/plain") == true)
            #expect(text.contains(#"inbetween_jobs{status="queued"} 1"#))
            #expect(text.contains("inbetween_queue_depth 1"))
            let document = try await client.execute(uri: "/openapi.json", method: .get)
            let openAPI = try #require(try JSONSerialization.jsonObject(with: Data(document.body.readableBytesView)) as? [String: Any])
            let paths = try #require(openAPI["paths"] as? [String: Any])
            for path in [
                "/api/v1/job/create", "/api/v1/job/query", "/api/v1/job/cancel", "/api/v1/jobs", "/api/v1/models", "/files/{job_id}/{name}",
                "/healthz", "/readyz", "/metrics", "/openapi.json",
            ] {
                #expect(paths[path] != nil, "\(path) missing from /openapi.json")
            }
        }
    }

    @Test("when the database stops answering: 503 in the envelope, not a hang or a 500, and health still answers")
    func databaseDown() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.router) { client in
            #expect(try await client.call("/readyz").status == .ok)
            try fixture.store.pool.close()
            try await client.call("/readyz").expectFailure(.unavailable, mentioning: ["database"])
            try await client.call("/api/v1/job/query?id=job_x", headers: fixture.headers()).expectFailure(.unavailable, mentioning: ["database"])
            #expect(try await client.call("/healthz").status == .ok)
        }
    }

    struct Leaky: Error, CustomStringConvertible {
        var description: String { "stack trace at /secret/path.swift:42" }
    }

    @Test("an unexpected error becomes a 500 envelope that says nothing of the inside")
    func internalError() async throws {
        let router = Router(context: InbetweenRequestContext.self)
        router.middlewares.add(EnvelopeErrorMiddleware())
        router.get("boom") { _, _ -> Response in throw Leaky() }
        try await Application(router: router).test(.router) { client in
            let reply = try await client.call("/boom")
            reply.expectFailure(.internalError, mentioning: ["logged"])
            #expect(!reply.message.contains("secret"))
        }
    }

    @Test("the playground is served at / with its script and style, under a strict content security policy")
    func playground() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.router) { client in
            let page = try await client.execute(uri: "/", method: .get)
            let html = String(buffer: page.body)
            #expect(page.status == .ok && page.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.contains("default-src 'self'") == true)
            for id in ["id=\"key\"", "id=\"image\"", "id=\"image_tail\"", "id=\"prompt\"", "id=\"price\"", "id=\"video\"", "/playground/app.js"] {
                #expect(html.contains(id), "\(id) missing")
            }
            let script = try await client.execute(uri: "/playground/app.js", method: .get)
            #expect(script.status == .ok && String(buffer: script.body).contains("/api/v1/job/create"))
            #expect(try await client.execute(uri: "/playground/style.css", method: .get).status == .ok)
            try await client.call("/playground/../openapi.json").expectFailure(.notFound)
            try await client.call("/playground/secret.txt").expectFailure(.notFound)
        }
    }
}
