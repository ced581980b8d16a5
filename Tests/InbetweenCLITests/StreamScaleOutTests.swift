import Foundation
import InbetweenPostgres
import InbetweenTestSupport
import NIOHTTP1
import PostgresNIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The live stream across nodes: `inbetween serve` API nodes and an `inbetween worker` on one
/// PostgreSQL, changes carried by `NOTIFY inbetween_changes`.
@Suite(
    "Live stream across nodes on PostgreSQL", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["INBETWEEN_TEST_DATABASE_URL"] != nil,
        "needs a PostgreSQL server: INBETWEEN_TEST_DATABASE_URL, which scripts/test.sh (and so CI) sets after starting one"),
    .tags(.slow), .timeLimit(.minutes(5)))
struct StreamScaleOutTests {
    @Test(
        "2 API nodes and 1 worker: a client on node A sees every status change of a job created on node B, in order, within 200 ms of the store's change; a reconnect with Last-Event-ID loses none"
    )
    func acrossNodes() async throws {
        let database = try await ScaleOutTests.freshDatabase()
        let data = GenerateCommandTests.temporary("stream-data")
        let (key, _) = try await ServeCommandTests.createKey(data, extra: ["--database", database])
        let nodeA = try await ServeCommandTests.Server(dataDirectory: data, extra: ["--database", database, "--workers", "0"])
        let nodeB = try await ServeCommandTests.Server(dataDirectory: data, extra: ["--database", database, "--workers", "0"])
        let readerA = EventStreamReader(base: nodeA.base, key: key)

        // One worker, warmed up by a first job; held (SIGSTOP) while each job is created and the
        // client starts listening, then let go (SIGCONT): its connections stay open meanwhile.
        let worker = try ScaleOutTests.WorkerProcess(database: database, data: data)
        defer { kill(worker.process.processIdentifier, SIGKILL) }
        let warmUp = try await StreamScaleOutTests.create(nodeB.base, key: key)
        #expect(try await readerA.read(warmUp, limit: .seconds(120)).events.last?.status == 2)

        var lags: [Int64] = []
        for round in 0..<3 {
            kill(worker.process.processIdentifier, SIGSTOP)
            let id = try await StreamScaleOutTests.create(nodeB.base, key: key)
            // A first client on node A sees the queued state, then leaves.
            let left = try await readerA.read(id, stopAfter: 1, limit: .seconds(30))
            let seen = try #require(left.events.first, "no first event")
            #expect(seen.status == 0 && seen.id.hasPrefix("0."))
            // The second follows it to the end; the worker goes on only once it listens.
            async let followed = readerA.read(id, limit: .seconds(120))
            try await Task.sleep(for: .milliseconds(500))
            kill(worker.process.processIdentifier, SIGCONT)
            let resumedAt = Int64((Date().timeIntervalSince1970 * 1000).rounded())
            let outcome = try await followed
            #expect(outcome.closedByServer)
            let statuses = outcome.events.map(\.status)
            #expect(statuses.first == 0 && statuses.last == 2 && statuses.contains(1) && statuses == statuses.sorted(), "\(statuses)")

            let facts = try #require(try await ScaleOutTests.facts(database, id: id))
            let started = try #require(facts.started)
            let finished = try #require(facts.finished)
            let running = try #require(outcome.events.first { $0.status == 1 })
            let ended = try #require(outcome.events.last)
            for (event, storeTime) in [(running, started), (ended, finished)] {
                // A worker stopped by the test between reading the clock and writing the claim
                // stamps a start from before it was let go: nothing could be seen before then.
                let lag = Int64((event.arrived.timeIntervalSince1970 * 1000).rounded()) - max(storeTime, resumedAt)
                lags.append(lag)
                #expect(lag <= 200, "round \(round): status \(event.status) arrived \(lag) ms after the store's change")
            }

            // The first client comes back with the last id it saw: it gets the start and the end, nothing lost.
            let resumed = try await readerA.read(id, lastEventID: seen.id, limit: .seconds(30))
            #expect(resumed.events.map(\.status) == [1, 2], "\(resumed.events.map(\.id))")
            #expect(resumed.events.last?.id == ended.id)
            #expect(try await readerA.read(id, lastEventID: ended.id).httpStatus == 204)
        }
        print(
            "live stream across nodes (job created on node B, streamed from node A, worker apart), store change → event at the client, ms: \(lags.map(String.init).joined(separator: ", ")); max \(lags.max() ?? 0)"
        )
    }
}

extension StreamScaleOutTests {
    /// The sample photos as data URIs, read as they are: no ffmpeg here, as a blocking
    /// `Process` in a shared initializer can starve the cooperative pool when several suites
    /// reach it at once.
    static let images: (String, String) = {
        let samples = try? ServeCommandTests.sampleBase64()
        return ("data:image/jpeg;base64," + (samples?.start ?? ""), "data:image/jpeg;base64," + (samples?.end ?? ""))
    }()

    /// Creates a job that must render, from the sample photos (see `ScaleOutTests.create`).
    static func create(_ base: String, key: String) async throws -> String {
        try await ScaleOutTests.create(base, key: key, images: images)
    }
}

extension ScaleOutTests {
    /// One job's status and times (ms), straight from the database; nil when there is none.
    static func facts(_ database: String, id: String) async throws -> (status: Int, started: Int64?, finished: Int64?)? {
        try await PostgresJobStore.withStore(url: database, logger: logger, migrate: false) { store in
            let rows = try await store.client.query("SELECT status, started_at, finished_at FROM jobs WHERE id = \(id)", logger: Self.logger)
            for try await row in rows.decode((Int, Int64?, Int64?).self) { return (row.0, row.1, row.2) }
            return nil
        }
    }
}

@Suite("keys create --retention")
struct RetentionFlagTests {
    @Test("--retention takes s, m, h or d and is shown by keys list; anything else is refused naming the flag")
    func retention() async throws {
        let data = GenerateCommandTests.temporary("retention-data")
        _ = try await ServeCommandTests.createKey(data, extra: ["--retention", "7d"])
        let list = try await ServeCommandTests.inbetween(["keys", "list", "--data-dir", data])
        #expect(list.stdout.contains("RETENTION") && list.stdout.contains("\t604800s\t"), "\(list.stdout)")
        for bad in ["7w", "0d", "-1h", "soon"] {
            let run = try await ServeCommandTests.inbetween(["keys", "create", "--data-dir", data, "--name", "x", "--retention", bad])
            #expect(run.status != 0 && run.stderr.contains("--retention"), "\(bad): \(run.stderr)")
        }
    }
}

@Suite("Live stream and shutdown", .tags(.slow), .timeLimit(.minutes(3)))
struct StreamShutdownTests {
    @Test("SIGTERM with streams open on a queued job: the streams are closed and serve exits 0 promptly")
    func sigtermClosesStreams() async throws {
        let data = GenerateCommandTests.temporary("stream-stop")
        let (key, _) = try await ServeCommandTests.createKey(data)
        let server = try await ServeCommandTests.Server(dataDirectory: data, extra: ["--workers", "0"])
        let id = try await StreamScaleOutTests.create(server.base, key: key)
        let reader = EventStreamReader(base: server.base, key: key)
        let (first, opened) = AsyncStream.makeStream(of: String.self)
        async let streamed = reader.read(id, limit: .seconds(60)) { opened.yield($0) }
        var ids = first.makeAsyncIterator()
        #expect(await ids.next() == "0.q0")
        let stopping = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        while server.process.isRunning, ContinuousClock.now - stopping < .seconds(30) { try await Task.sleep(for: .milliseconds(50)) }
        let took = ContinuousClock.now - stopping
        #expect(!server.process.isRunning && server.process.terminationStatus == 0, "serve should exit 0 within 30 s of SIGTERM")
        #expect(took < .seconds(10), "took \(took)")
        let outcome = try await streamed
        #expect(outcome.closedByServer && outcome.events.map(\.status) == [0])
    }
}
