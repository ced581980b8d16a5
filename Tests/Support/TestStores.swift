import Foundation
public import InbetweenJobs
public import InbetweenPostgres
public import InbetweenSQLite
import Logging
import PostgresNIO
public import Testing

/// A fresh SQLite store in a directory of its own.
public enum TestSQLite {
    /// Runs `body` on a new, empty store; its directory is removed afterwards.
    public static func withStore<T>(_ body: (SQLiteJobStore) async throws -> T) async throws -> T {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        return try await body(try SQLiteJobStore(path: directory.appendingPathComponent("test.sqlite").path))
    }
}

/// A fresh, empty store for each test, set up before it and taken down after it (an SQLite
/// store's directory removed, a PostgreSQL database dropped): a `TestScoping` trait, so a
/// test says which store it needs, `@Test(.freshStore(.sqlite))`, and reads it from
/// `FreshStore.store()`. On a suite it gives every test in it a store of its own.
public struct FreshStore: TestTrait, SuiteTrait, TestScoping {
    /// Which store.
    public enum Kind: String, Sendable, CaseIterable {
        case memory, sqlite, postgres
    }

    public var kind: Kind
    public var isRecursive: Bool { true }

    @TaskLocal static var current: (any JobStore)?

    /// The store of the test that is running.
    public static func store() throws -> any JobStore {
        try #require(current, "the test has no .freshStore trait")
    }

    public func scopeProvider(for test: Test, testCase: Test.Case?) -> Self? {
        // Each test case gets its own; the suite itself needs none.
        testCase == nil ? nil : self
    }

    public func provideScope(for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void) async throws {
        switch kind {
        case .memory: try await Self.$current.withValue(InMemoryJobStore()) { try await function() }
        case .sqlite: try await TestSQLite.withStore { store in try await Self.$current.withValue(store) { try await function() } }
        case .postgres: try await TestPostgres.withStore { store in try await Self.$current.withValue(store) { try await function() } }
        }
    }
}

extension Trait where Self == FreshStore {
    /// A fresh store of `kind` for each test (see `FreshStore`).
    public static func freshStore(_ kind: FreshStore.Kind) -> Self { FreshStore(kind: kind) }
}

/// A fresh database per test on the server `scripts/test.sh` starts.
public enum TestPostgres {
    /// The server's URL (its `postgres` database), when one is running.
    public static var url: String? { ProcessInfo.processInfo.environment["INBETWEEN_TEST_DATABASE_URL"] }
    /// Why a test that needs PostgreSQL did not run.
    public static let missing: Comment =
        "needs a PostgreSQL server: INBETWEEN_TEST_DATABASE_URL, which scripts/test.sh (and so CI) sets after starting one"

    /// Runs `body` on a store over a fresh database of its own, migrated; the database is
    /// dropped afterwards.
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
        var failure: (any Error)?
        do {
            try await PostgresJobStore.withStore(url: databaseURL, logger: logger) { store in try await body(store) }
        } catch {
            failure = error
        }
        try await PostgresJobStore.withStore(url: url, logger: logger, migrate: false) { admin in
            try await admin.client.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: logger)
        }
        if let failure { throw failure }
    }
}
