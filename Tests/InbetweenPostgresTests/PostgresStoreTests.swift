import Foundation
import InbetweenJobs
import InbetweenPostgres
import InbetweenTestSupport
import Logging
import PostgresNIO
import Testing

/// What only the PostgreSQL store does: versioned migrations, LISTEN/NOTIFY.
@Suite("PostgreSQL store", .enabled(if: TestPostgres.url != nil, TestPostgres.missing))
struct PostgresStoreTests {
    @Test("migrations are recorded and applying them again changes nothing")
    func migrations() async throws {
        try await TestPostgres.withStore { store in
            try await store.migrate()
            var versions: [Int] = []
            for try await version in try await store.client.query("SELECT version FROM inbetween_migrations ORDER BY version").decode(Int.self) {
                versions.append(version)
            }
            #expect(versions == [1, 2, 3, 4, 5, 6, 7])
        }
    }

    @Test("a shared secret is made once and every node reads the same one from the database")
    func sharedSecret() async throws {
        try await TestPostgres.withStore { store in
            // Nodes that start at once all get the one that was written first.
            let concurrent = try await withThrowingTaskGroup(of: [UInt8].self) { group in
                for _ in 0..<8 { group.addTask { try await store.sharedSecret("url-signing") } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let first = try await store.sharedSecret("url-signing")
            #expect(first.count == 32)
            #expect(concurrent.count == 8 && concurrent.allSatisfy { $0 == first })
            let other = try await store.sharedSecret("another")
            #expect(other.count == 32 && other != first)
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

    @Test("a cancel recorded by one node reaches the workers of another through NOTIFY inbetween_cancels")
    func cancelReachesOtherNodes() async throws {
        try await TestPostgres.withStore { store in
            // Another node: a store of its own (its own cancel signal) hearing the database through its listener.
            let other = PostgresJobStore(client: store.client, logger: Logger(label: "test"))
            let listener = JobNotificationListener(
                client: store.client, signal: JobSignal(), cancellations: other.cancellations, logger: Logger(label: "test"))
            let key = try await StoreConformance.key(store)
            let job = try await store.create(StoreConformance.newJob(key)).job
            _ = try #require(try await store.claim(now: Date(), lease: .seconds(30)))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await listener.run() }
                try await Task.sleep(for: .milliseconds(500))
                let heard = Task { await other.cancellations.wait(jobID: job.id) }
                let began = ContinuousClock.now
                _ = try await store.cancel(id: job.id, keyID: key.id, at: Date())
                await heard.value
                // Generous: without the notification this waits until the test's time limit.
                #expect(ContinuousClock.now - began < .seconds(30))
                group.cancelAll()
            }
        }
    }
}
