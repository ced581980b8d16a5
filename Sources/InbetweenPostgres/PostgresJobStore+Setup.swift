import Foundation
import InbetweenJobs
public import Logging
import NIOSSL
public import PostgresNIO

/// Opening a store: the URL, the client, the versioned schema.
extension PostgresJobStore {
    /// Parses `postgres://user:password@host:port/database` (TLS off; `?sslmode=require` on).
    public static func configuration(url text: String) throws -> PostgresClient.Configuration {
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? ""), let host = url.host, !host.isEmpty else {
            throw JobStoreError(
                .invalidConfiguration, "the database URL must be like postgres://user:password@host:5432/database; got \"\(text)\".")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let tls: PostgresClient.Configuration.TLS =
            url.queryItems?.first { $0.name == "sslmode" }?.value == "require" ? .require(TLSConfiguration.makeClientConfiguration()) : .disable
        var configuration = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password, database: database.isEmpty ? nil : database,
            tls: tls)
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.maximumConnections = 20
        return configuration
    }

    /// Applies the pending migrations, one node at a time (an advisory lock).
    public func migrate() async throws {
        try await transaction { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(727274)", logger: logger)
            try await connection.query(
                "CREATE TABLE IF NOT EXISTS inbetween_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)", logger: logger)
            var applied = Set<Int>()
            for try await version in try await connection.query("SELECT version FROM inbetween_migrations", logger: logger).decode(Int.self) {
                applied.insert(version)
            }
            for (version, statements) in Self.migrations.enumerated() where !applied.contains(version + 1) {
                for statement in statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                let now = Date().milliseconds
                try await connection.query("INSERT INTO inbetween_migrations (version, applied_at) VALUES (\(version + 1), \(now))", logger: logger)
            }
        }
    }

    /// The schema, changed only by appending a migration.
    static let migrations: [[String]] = [
        [
            """
            CREATE TABLE api_keys (
                id TEXT PRIMARY KEY, name TEXT NOT NULL, prefix TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, webhook_secret TEXT NOT NULL,
                budget BIGINT, created_at BIGINT NOT NULL, revoked_at BIGINT)
            """,
            """
            CREATE TABLE jobs (
                seq BIGSERIAL PRIMARY KEY, id TEXT NOT NULL UNIQUE, key_id TEXT NOT NULL REFERENCES api_keys(id), model TEXT NOT NULL,
                amount BIGINT NOT NULL, callback_url TEXT, status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4),
                attempts INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL, cancel_requested BOOLEAN NOT NULL DEFAULT FALSE,
                lease_token BIGINT NOT NULL DEFAULT 0, lease_expires_at BIGINT, progress INTEGER NOT NULL DEFAULT 0, created_at BIGINT NOT NULL,
                started_at BIGINT, finished_at BIGINT, error_code INTEGER, error_message TEXT, output TEXT, completions INTEGER NOT NULL DEFAULT 0,
                webhook_id TEXT, webhook_state TEXT, webhook_attempts INTEGER NOT NULL DEFAULT 0, webhook_last_status INTEGER,
                webhook_last_error TEXT, webhook_next_at BIGINT)
            """,
            "CREATE INDEX jobs_queued ON jobs (seq) WHERE status = 0",
            "CREATE INDEX jobs_running ON jobs (lease_expires_at) WHERE status = 1",
            "CREATE INDEX jobs_by_key ON jobs (key_id, seq)",
            "CREATE INDEX jobs_by_webhook ON jobs (webhook_next_at) WHERE webhook_state IN ('pending', 'retrying')",
            "CREATE TABLE job_arguments (job_id TEXT PRIMARY KEY REFERENCES jobs(id), arguments TEXT NOT NULL)",
            """
            CREATE TABLE idempotency_keys (
                key_id TEXT NOT NULL REFERENCES api_keys(id), idempotency_key TEXT NOT NULL, body_hash TEXT NOT NULL,
                job_id TEXT NOT NULL REFERENCES jobs(id), created_at BIGINT NOT NULL, PRIMARY KEY (key_id, idempotency_key))
            """,
        ],
        ["CREATE TABLE rate_limits (key_id TEXT PRIMARY KEY REFERENCES api_keys(id), tokens DOUBLE PRECISION NOT NULL, updated_at BIGINT NOT NULL)"],
        [
            // A key has a bucket for creates and one for everything else: `key_x/create`, `key_x/read`.
            "ALTER TABLE rate_limits DROP CONSTRAINT IF EXISTS rate_limits_key_id_fkey",
            "ALTER TABLE api_keys ADD COLUMN creates_per_minute INTEGER",
            "ALTER TABLE api_keys ADD COLUMN reads_per_minute INTEGER",
        ],
        // Secrets every node shares (the URL-signing key), so nodes share nothing but the database and the result store.
        ["CREATE TABLE shared_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL, created_at BIGINT NOT NULL)"],
        [
            "ALTER TABLE jobs ADD COLUMN payload TEXT",
            "ALTER TABLE jobs ADD COLUMN deadline_at BIGINT",
            "ALTER TABLE jobs ADD COLUMN data_removed_at BIGINT",
            "ALTER TABLE api_keys ADD COLUMN retention_seconds BIGINT",
            "CREATE INDEX jobs_by_deadline ON jobs (deadline_at) WHERE deadline_at IS NOT NULL AND status IN (0, 1)",
            "CREATE INDEX jobs_by_finish ON jobs (finished_at) WHERE data_removed_at IS NULL AND finished_at IS NOT NULL",
        ],
        [
            "ALTER TABLE jobs ADD COLUMN off_peak BOOLEAN NOT NULL DEFAULT FALSE",
            "CREATE INDEX jobs_queue ON jobs (off_peak, seq) WHERE status = 0",
        ],
        [
            "ALTER TABLE jobs ADD COLUMN callback_events TEXT",
            """
            CREATE TABLE webhook_events (
                id TEXT PRIMARY KEY, job_id TEXT NOT NULL REFERENCES jobs(id), event TEXT NOT NULL, progress INTEGER NOT NULL,
                created_at BIGINT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, last_status INTEGER, last_error TEXT,
                next_at BIGINT)
            """,
            "CREATE INDEX webhook_events_due ON webhook_events (next_at) WHERE state IN ('pending', 'retrying')",
            "CREATE INDEX webhook_events_by_job ON webhook_events (job_id, event, created_at)",
        ],
    ]

    /// Runs `body` with a store on a client of its own that runs only meanwhile (for short
    /// commands such as `inbetween keys`, and for migrations before serving).
    @discardableResult
    public static func withStore<T: Sendable>(
        url: String, logger: Logger, migrate: Bool = true, _ body: @Sendable (PostgresJobStore) async throws -> T
    ) async throws -> T {
        let client = PostgresClient(configuration: try configuration(url: url), backgroundLogger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await client.run()
                return nil
            }
            defer { group.cancelAll() }
            let store = PostgresJobStore(client: client, logger: logger)
            if migrate { try await store.migrate() }
            return try await body(store)
        }
    }
}
