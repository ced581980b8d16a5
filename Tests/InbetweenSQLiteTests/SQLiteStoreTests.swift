import Foundation
import GRDB
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import Testing

@Suite("SQLite store")
struct SQLiteStoreTests {
    @Test("the database is in WAL mode with full sync, and reopening keeps every job")
    func durable() async throws {
        try await TestSQLite.withStore { store in
            let key = try await StoreConformance.key(store)
            let job = try await store.create(StoreConformance.newJob(key)).job
            let mode = try await store.pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") }
            #expect(mode == "wal")
            let sync = try await store.pool.read { db in try Int.fetchOne(db, sql: "PRAGMA synchronous") }
            #expect(sync == 2)
            let reopened = try SQLiteJobStore(path: store.pool.path)
            #expect(try await reopened.job(id: job.id, keyID: key.id)?.status == .queued)
        }
    }
}
