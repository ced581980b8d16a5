import ArgumentParser
import Foundation
import InbetweenSQLite

/// Where the data lives: the options `serve` and `keys` share.
struct StoreOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Directory for the database, result files and the URL-signing key.")
    var dataDirectory: String = "./inbetween-data"

    @Option(help: "The database: a SQLite file path (default <data-dir>/inbetween.sqlite).")
    var database: String?

    var dataDirectoryURL: URL { URL(fileURLWithPath: dataDirectory, isDirectory: true).standardizedFileURL }

    /// Opens the SQLite store, creating the data directory (mode 0700) if needed.
    func openStore() throws -> SQLiteJobStore {
        if let database, database.hasPrefix("postgres") {
            throw ValidationError("--database: PostgreSQL is not available in this build yet; give a SQLite file path or leave it out.")
        }
        try FileManager.default.createDirectory(at: dataDirectoryURL, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let path =
            database.map { $0.hasPrefix("sqlite://") ? String($0.dropFirst(9)) : $0 }
            ?? dataDirectoryURL.appendingPathComponent("inbetween.sqlite").path
        return try SQLiteJobStore(path: path)
    }
}
