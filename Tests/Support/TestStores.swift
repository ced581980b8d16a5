import Foundation
import InbetweenJobs
public import InbetweenPostgres
public import InbetweenSQLite
import Logging
import PostgresNIO
public import Testing

/// A fresh SQLite store in a directory of its own.
public enum TestSQLite {
    /// A new, empty store.
    public static func store() throws -> SQLiteJobStore {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return try SQLiteJobStore(path: directory.appendingPathComponent("test.sqlite").path)
    }
}

/// A fresh database per test on the server `scripts/test.sh` starts.
public enum TestPostgres {
    /// The server's URL (its `postgres` database), when one is running.
    public static var url: String? { ProcessInfo.processInfo.environment["INBETWEEN_TEST_DATABASE_URL"] }
    /// Why a test that needs PostgreSQL did not run.
    public static let missing: Comment =
        "needs a PostgreSQL server: INBETWEEN_TEST_DATABASE_URL, which scripts/test.sh (and so CI) sets after starting one"

    /// Runs `body` on a store over a fresh database of its own, migrated.
    public static func withStore(_ body: @Sendable (PostgresJobStore) async throws -> Void) async throws {
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
