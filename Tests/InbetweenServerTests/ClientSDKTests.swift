import AsyncHTTPClient
import Foundation
import HummingbirdTesting
import InbetweenAPI
import InbetweenClient
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import Testing

/// The Swift SDK against a live server on loopback (no mock): the whole path and every error.
@Suite("Swift SDK", .serialized, .tags(.slow), .timeLimit(.minutes(5)))
struct ClientSDKTests {
    static func arguments(_ extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        Fixture.sdkArguments(extra)
    }

    @Test("create → wait (with progress) → download a playable MP4; list and idempotent retries")
    func wholePath() async throws {
        let fixture = try await Fixture(workers: 1)
        try await fixture.application().test(.live) { live in
            let client = InbetweenClient(baseURL: "http://127.0.0.1:\(live.port!)", apiKey: fixture.apiKey)
            let created = try await client.createJob(Self.arguments(), idempotencyKey: "sdk-1")
            #expect(created.amount == "0.03")
            #expect(try await client.createJob(Self.arguments(), idempotencyKey: "sdk-1").jobID == created.jobID)
            let seen = Seen()
            let done = try await client.waitUntilDone(created.jobID) { seen.add($0.status) }
            #expect(done.status == .succeeded && done.result?.videos.first?.frames == 24)
            #expect(seen.statuses.last == .succeeded)
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-sdk-\(UUID().uuidString).mp4")
            try await client.download(done, to: file)
            let bytes = try Data(contentsOf: file)
            #expect(bytes.count == done.result?.videos.first?.bytes)
            #expect(bytes.count > 8 && String(decoding: bytes[4..<8], as: UTF8.self) == "ftyp")
            let page = try await client.jobs(limit: 10)
            #expect(page.jobs.map(\.jobID) == [created.jobID])
        }
    }

    @Test("the extensions through the SDK: payload, off-peak, Cancel-After, callback events, delete")
    func extensions() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.live) { live in
            let client = InbetweenClient(baseURL: "http://127.0.0.1:\(live.port!)", apiKey: fixture.apiKey)
            let created = try await client.createJob(
                Self.arguments(["mode": "pro", "resolution": "720p", "duration": "5"]), callbackURL: "https://example.com/hook",
                payload: "order-9", callbackEvents: [.start, .completed], offPeak: true, cancelAfter: 600)
            #expect(created.amount == "0.137")
            let view = try await client.job(created.jobID)
            #expect(view.payload == "order-9" && view.offPeak == true && view.status == .queued)
            let job = try #require(try await fixture.store.job(id: created.jobID, keyID: nil))
            #expect(job.callbackEvents == [.start, .completed])
            #expect(job.deadline.map { abs($0.timeIntervalSince(job.createdAt) - 600) < 0.01 } == true)
            let deleted = try await client.delete(created.jobID)
            #expect(deleted.dataRemoved == true && deleted.status == .canceled && deleted.payload == "order-9")
        }
    }

    @Test("errors carry the server's code and message; SDK-side failures are typed")
    func errors() async throws {
        let fixture = try await Fixture(budget: 40)
        try await fixture.application().test(.live) { live in
            let base = "http://127.0.0.1:\(live.port!)"
            let client = InbetweenClient(baseURL: base, apiKey: fixture.apiKey)
            await #expect(throws: APIError(.unauthorized, "unknown or revoked API key.")) {
                _ = try await InbetweenClient(baseURL: base, apiKey: "ib_wrong").job("job_x")
            }
            await #expect { _ = try await client.job("job_nope") } throws: { ($0 as? APIError)?.code == .notFound }
            await #expect {
                _ = try await client.createJob(Self.arguments(["mode": "fast"]))
            } throws: { error in
                guard let error = error as? APIError else { return false }
                return error.code == .invalidArgument && error.message.contains("`mode`")
            }
            await #expect { _ = try await client.createJob(Self.arguments(["style": "x"])) } throws: { ($0 as? APIError)?.code == .unknownArgument }
            let queued = try await client.createJob(Self.arguments())
            await #expect { _ = try await client.createJob(Self.arguments()) } throws: { ($0 as? APIError)?.code == .budgetExceeded }
            let canceled = try await client.cancel(queued.jobID)
            #expect(canceled.status == .canceled)
            await #expect { _ = try await client.cancel(queued.jobID) } throws: { ($0 as? APIError)?.code == .conflict }
            await #expect(throws: InbetweenClientError.noResult(jobID: queued.jobID, status: .canceled)) {
                try await client.download(canceled, to: URL(fileURLWithPath: "/tmp/never.mp4"))
            }
            await #expect {
                _ = try await client.waitUntilDone(try await client.createJob(Self.arguments()).jobID, timeout: .seconds(1))
            } throws: { ($0 as? InbetweenClientError) != nil || ($0 as? APIError)?.code == .budgetExceeded }
            let notOurs = InbetweenClient(baseURL: base + "/nothing-here", apiKey: fixture.apiKey)
            await #expect { _ = try await notOurs.job("x") } throws: { ($0 as? APIError)?.code == .notFound }
        }
    }
}

/// Statuses a progress callback saw.
final class Seen: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [JobStatus] = []

    func add(_ status: JobStatus) { lock.withLock { list.append(status) } }
    var statuses: [JobStatus] { lock.withLock { list } }
}
