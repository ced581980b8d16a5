import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenPostgres
import Logging
import PostgresNIO
import Testing

/// A fresh database per test on the server `scripts/test.sh` starts.
enum TestPostgres {
    static var url: String? { ProcessInfo.processInfo.environment["INBETWEEN_TEST_DATABASE_URL"] }

    static func withStore(_ body: @Sendable (PostgresJobStore) async throws -> Void) async throws {
        let url = try #require(url, "INBETWEEN_TEST_DATABASE_URL is not set: run scripts/test.sh, which starts a PostgreSQL server for the tests")
        let logger = {
            var logger = Logger(label: "test")
            logger.logLevel = .error
            return logger
        }()
        let name = "inbetween_" + Secrets.randomToken(12)
        try await PostgresJobStore.withStore(url: url, logger: logger, migrate: false) { admin in
            try await admin.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        }
        let databaseURL = url.replacingOccurrences(of: "/postgres", with: "/\(name)")
        try await PostgresJobStore.withStore(url: databaseURL, logger: logger) { store in try await body(store) }
    }
}

@Suite(
    "PostgreSQL store",
    .enabled(
        if: TestPostgres.url != nil,
        "needs a PostgreSQL server: INBETWEEN_TEST_DATABASE_URL, which scripts/test.sh (and so CI) sets after starting one"))
struct PostgresStoreTests {
    @Test("keys are found by hash, jobs only by their own key, revocation takes effect")
    func keys() async throws { try await TestPostgres.withStore { try await StoreConformance.keysAndOwnership($0) } }

    @Test("idempotency replays and refuses; budgets refuse with the amounts named")
    func idempotency() async throws { try await TestPostgres.withStore { try await StoreConformance.idempotencyAndBudget($0) } }

    @Test("claims are FIFO and fenced; heartbeats carry progress and cancels")
    func claims() async throws { try await TestPostgres.withStore { try await StoreConformance.claimHeartbeatFinish($0) } }

    @Test("expired leases requeue, then fail past the attempts")
    func leases() async throws { try await TestPostgres.withStore { try await StoreConformance.expiredLeases($0) } }

    @Test("callbacks are scheduled at the end and locked while sent; pages are newest first")
    func callbacks() async throws { try await TestPostgres.withStore { try await StoreConformance.callbacksAndPages($0) } }

    @Test("rate limits: one token bucket per key in the database, shared by every node")
    func rateLimits() async throws { try await TestPostgres.withStore { try await StoreConformance.rateLimits($0) } }

    @Test("concurrent claimers take every job exactly once")
    func concurrentClaims() async throws { try await TestPostgres.withStore { try await StoreConformance.concurrentClaims($0) } }

    @Test("migrations are recorded and applying them again changes nothing")
    func migrations() async throws {
        try await TestPostgres.withStore { store in
            try await store.migrate()
            var versions: [Int] = []
            for try await version in try await store.client.query("SELECT version FROM inbetween_migrations ORDER BY version").decode(Int.self) {
                versions.append(version)
            }
            #expect(versions == [1, 2])
        }
    }

    @Test("a create on one client wakes a listener on another through LISTEN/NOTIFY")
    func notifyWakes() async throws {
        try await TestPostgres.withStore { store in
            let signal = JobSignal()
            let listener = JobNotificationListener(client: store.client, signal: signal, logger: Logger(label: "test"))
            let key = try await StoreConformance.key(store)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                // Let LISTEN take effect, and drain what that start-up may have signalled.
                try await Task.sleep(for: .milliseconds(500))
                await signal.wait(upTo: .milliseconds(10))
                let began = ContinuousClock.now
                _ = try await store.create(StoreConformance.newJob(key))
                await signal.wait(upTo: .seconds(120))
                // Generous: without the notification this waits the full 120 s.
                #expect(ContinuousClock.now - began < .seconds(30))
                group.cancelAll()
            }
        }
    }
}
