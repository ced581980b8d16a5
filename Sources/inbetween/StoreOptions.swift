import ArgumentParser
import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenPostgres
import InbetweenSQLite
import Logging
import PostgresNIO

/// Where the data lives: the options `serve`, `worker` and `keys` share.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help:
            "Directory for result files (unless --results s3://...), the SQLite database and its URL-signing key, and scratch files; shared by every node unless results go to a bucket (on PostgreSQL the key is in the database)."
    )
    var dataDirectory: String = "./inbetween-data"

    @Option(help: "The database: a SQLite file path (default <data-dir>/inbetween.sqlite) or postgres://user:password@host:port/database.")
    var database: String?

    var dataDirectoryURL: URL { URL(fileURLWithPath: dataDirectory, isDirectory: true).standardizedFileURL }

    var postgresURL: String? { database.flatMap { $0.hasPrefix("postgres://") || $0.hasPrefix("postgresql://") ? $0 : nil } }

    /// Creates the data directory (mode 0700) if needed.
    func prepareDirectory() throws {
        try FileManager.default.createDirectory(at: dataDirectoryURL, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Opens the SQLite store.
    func openSQLite() throws -> SQLiteJobStore {
        try prepareDirectory()
        let path =
            database.map { $0.hasPrefix("sqlite://") ? String($0.dropFirst(9)) : $0 }
            ?? dataDirectoryURL.appendingPathComponent("inbetween.sqlite").path
        return try SQLiteJobStore(path: path)
    }

    /// Throws, naming `--database`, when `url` is not a PostgreSQL URL the store can use.
    static func checkPostgresURL(_ url: String) throws {
        do {
            _ = try PostgresJobStore.configuration(url: url)
        } catch let error as JobStoreError where error.code == .invalidConfiguration {
            throw APIError(.invalidArgument, "--database must be a URL like postgres://user:password@host:5432/database; got \"\(url)\".")
        }
    }

    /// Runs `body` against whichever store `--database` names.
    func withStore<T: Sendable>(_ body: @Sendable (any JobStore) async throws -> T) async throws -> T {
        if let url = postgresURL {
            try Self.checkPostgresURL(url)
            return try await PostgresJobStore.withStore(url: url, logger: Logger(label: "inbetween")) { try await body($0) }
        }
        return try await body(try openSQLite())
    }
}
