import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import InbetweenAPI
import InbetweenClient
import InbetweenJobs
import InbetweenServer
import InbetweenTestSupport
import NIOCore
import Testing

/// `GET /api/v1/job/stream` on one node (SQLite): the live view of a job as Server-Sent Events.
@Suite("Live stream", .serialized, .timeLimit(.minutes(5)))
struct StreamTests {
    @Test("a queued job: its state at once, heartbeat comments while nothing changes, the cancel, then the stream closes; 404 for another key")
    func queuedThenCanceled() async throws {
        let fixture = try await Fixture { $0.streamHeartbeat = .milliseconds(200) }
        let other = try await Fixture.makeKey(fixture.store)
        try await fixture.application().test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let created = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
            let id = try #require(created.data["job_id"] as? String)
            let (first, firstArrived) = AsyncStream.makeStream(of: String.self)
            async let streamed = EventStreamReader(base: base, key: fixture.apiKey).read(id, limit: .seconds(30)) { firstArrived.yield($0) }
            var ids = first.makeAsyncIterator()
            #expect(await ids.next() == "0.q0")
            try await Task.sleep(for: .milliseconds(1200))
            let canceled = try await client.call("/api/v1/job/cancel?id=\(id)", .post, headers: fixture.headers())
            #expect(canceled.data["status"] as? Int == 4)
            let outcome = try await streamed
            #expect(outcome.httpStatus == 200 && outcome.contentType == "text/event-stream")
            #expect(outcome.events.map(\.status) == [0, 4], "\(outcome.events.map(\.id))")
            #expect(outcome.events.first?.data["queue_position"] as? Int == 0 && outcome.events.first?.id == "0.q0")
            #expect(outcome.events.allSatisfy { $0.data["job_id"] as? String == id })
            #expect(outcome.comments >= 3, "heartbeats every 200 ms for 1.2 s")
            #expect(outcome.closedByServer)
            let foreign = try await EventStreamReader(base: base, key: other.0).read(id, limit: .seconds(5))
            #expect(foreign.httpStatus == 404 && foreign.events.isEmpty)
        }
    }

    @Test(
        "a rendered job through the SDK's events(): every status in order, progress rising at most every 250 ms, the result at the end; Last-Event-ID resumes without a loss; 204 after the end",
        .tags(.slow))
    func rendered() async throws {
        let fixture = try await Fixture(workers: 1)
        try await fixture.application().test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let sdk = InbetweenClient(baseURL: base, apiKey: fixture.apiKey)
            let created = try await sdk.createJob(Fixture.sdkArguments(["mode": "pro", "resolution": "720p", "duration": "4"]))
            var views: [(view: JobView, at: ContinuousClock.Instant)] = []
            for try await view in sdk.events(created.jobID) { views.append((view, .now)) }
            let statuses = views.map(\.view.status.rawValue)
            #expect(statuses.last == 2 && statuses == statuses.sorted() && statuses.contains(1), "\(statuses)")
            let running = views.filter { $0.view.status == .running }
            let progress = running.compactMap(\.view.progress)
            #expect(progress == progress.sorted(), "\(progress)")
            #expect(progress.count >= 2 && Set(progress).count == progress.count, "an event only when something changed: \(progress)")
            // At most one progress event every 250 ms: counted over the whole run, as the client's
            // clock sees single gaps squeezed or stretched by a busy machine.
            if let first = running.first, let last = running.last {
                let span = Double((last.at - first.at).components.attoseconds) * 1e-18 + Double((last.at - first.at).components.seconds)
                #expect(Double(running.count - 1) <= span / 0.25 + 1, "\(running.count) running events in \(span) s")
            }
            #expect(views.last?.view.result?.videos.first?.url.contains("/files/") == true)

            // A client that saw only the queued state reconnects after the end: it gets the start and the end.
            let reader = EventStreamReader(base: base, key: fixture.apiKey)
            let resumed = try await reader.read(created.jobID, lastEventID: "0.q0")
            #expect(resumed.events.map(\.status) == [1, 2], "\(resumed.events.map(\.id))")
            let final = try #require(resumed.events.last?.id)
            #expect(try await reader.read(created.jobID, lastEventID: final).httpStatus == 204)
        }
    }
}
