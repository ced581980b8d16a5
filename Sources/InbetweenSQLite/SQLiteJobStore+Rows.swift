import Foundation
import GRDB
import InbetweenAPI
import InbetweenJobs

extension SQLiteJobStore {
    /// The schema, changed only by appending migrations.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: keys, jobs, idempotency keys") { db in
            try db.execute(
                sql: """
                    CREATE TABLE api_keys (
                        id TEXT PRIMARY KEY,
                        name TEXT NOT NULL,
                        prefix TEXT NOT NULL,
                        hash TEXT NOT NULL UNIQUE,
                        webhook_secret TEXT NOT NULL,
                        budget INTEGER,
                        created_at INTEGER NOT NULL,
                        revoked_at INTEGER
                    );
                    CREATE TABLE jobs (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT,
                        id TEXT NOT NULL UNIQUE,
                        key_id TEXT NOT NULL REFERENCES api_keys(id),
                        model TEXT NOT NULL,
                        amount INTEGER NOT NULL,
                        callback_url TEXT,
                        status INTEGER NOT NULL CHECK (status BETWEEN 0 AND 4),
                        attempts INTEGER NOT NULL DEFAULT 0,
                        max_attempts INTEGER NOT NULL,
                        cancel_requested INTEGER NOT NULL DEFAULT 0,
                        lease_token INTEGER NOT NULL DEFAULT 0,
                        lease_expires_at INTEGER,
                        progress INTEGER NOT NULL DEFAULT 0,
                        created_at INTEGER NOT NULL,
                        started_at INTEGER,
                        finished_at INTEGER,
                        error_code INTEGER,
                        error_message TEXT,
                        output TEXT,
                        completions INTEGER NOT NULL DEFAULT 0,
                        webhook_id TEXT,
                        webhook_state TEXT,
                        webhook_attempts INTEGER NOT NULL DEFAULT 0,
                        webhook_last_status INTEGER,
                        webhook_last_error TEXT,
                        webhook_next_at INTEGER
                    );
                    CREATE INDEX jobs_by_status ON jobs(status, seq);
                    CREATE INDEX jobs_by_key ON jobs(key_id, seq);
                    CREATE INDEX jobs_by_webhook ON jobs(webhook_next_at) WHERE webhook_state IN ('pending', 'retrying');
                    CREATE TABLE job_arguments (
                        job_id TEXT PRIMARY KEY REFERENCES jobs(id),
                        arguments TEXT NOT NULL
                    );
                    CREATE TABLE idempotency_keys (
                        key_id TEXT NOT NULL REFERENCES api_keys(id),
                        idempotency_key TEXT NOT NULL,
                        body_hash TEXT NOT NULL,
                        job_id TEXT NOT NULL REFERENCES jobs(id),
                        created_at INTEGER NOT NULL,
                        PRIMARY KEY (key_id, idempotency_key)
                    );
                    """)
        }
        migrator.registerMigration("v2: per-key request budgets") { db in
            try db.execute(sql: "ALTER TABLE api_keys ADD COLUMN creates_per_minute INTEGER")
            try db.execute(sql: "ALTER TABLE api_keys ADD COLUMN reads_per_minute INTEGER")
        }
        migrator.registerMigration("v3: payload, deadlines, data removal, retention") { db in
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN payload TEXT")
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN deadline_at INTEGER")
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN data_removed_at INTEGER")
            try db.execute(sql: "ALTER TABLE api_keys ADD COLUMN retention_seconds INTEGER")
            try db.execute(sql: "CREATE INDEX jobs_by_deadline ON jobs(deadline_at) WHERE deadline_at IS NOT NULL AND status IN (0, 1)")
            try db.execute(sql: "CREATE INDEX jobs_by_finish ON jobs(finished_at) WHERE data_removed_at IS NULL AND finished_at IS NOT NULL")
        }
        migrator.registerMigration("v4: off-peak jobs") { db in
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN off_peak INTEGER NOT NULL DEFAULT 0")
            try db.execute(sql: "CREATE INDEX jobs_queue ON jobs(off_peak, seq) WHERE status = 0")
        }
        migrator.registerMigration("v5: callback events") { db in
            try db.execute(sql: "ALTER TABLE jobs ADD COLUMN callback_events TEXT")
            try db.execute(
                sql: """
                    CREATE TABLE webhook_events (
                        id TEXT PRIMARY KEY,
                        job_id TEXT NOT NULL REFERENCES jobs(id),
                        event TEXT NOT NULL,
                        progress INTEGER NOT NULL,
                        created_at INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        attempts INTEGER NOT NULL DEFAULT 0,
                        last_status INTEGER,
                        last_error TEXT,
                        next_at INTEGER
                    );
                    CREATE INDEX webhook_events_due ON webhook_events(next_at) WHERE state IN ('pending', 'retrying');
                    CREATE INDEX webhook_events_by_job ON webhook_events(job_id, event, created_at);
                    """)
        }
        return migrator
    }

    /// Records `delivery`; a progress one supersedes its job's progress deliveries not yet made.
    static func enqueue(_ db: Database, _ delivery: EventDelivery) throws {
        if delivery.event == .progress {
            try db.execute(
                sql: """
                    UPDATE webhook_events SET state = 'failed', last_error = ?, next_at = NULL
                    WHERE job_id = ? AND event = 'progress' AND state IN ('pending', 'retrying')
                    """,
                arguments: [EventDelivery.superseded, delivery.jobID])
        }
        try db.execute(
            sql: "INSERT INTO webhook_events (id, job_id, event, progress, created_at, state, next_at) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
            arguments: [
                delivery.webhook.id, delivery.jobID, delivery.event.rawValue, delivery.progress, delivery.createdAt.milliseconds,
                delivery.webhook.nextAttemptAt?.milliseconds,
            ])
    }

    static func delivery(from row: Row) -> EventDelivery? {
        guard let event = CallbackEvent(rawValue: row["event"]), let state = WebhookState.State(rawValue: row["state"]) else { return nil }
        return EventDelivery(
            jobID: row["job_id"], event: event, progress: row["progress"], createdAt: Date(milliseconds: row["created_at"]) ?? Date(),
            webhook: WebhookState(
                state: state, id: row["id"], attempts: row["attempts"], lastStatus: row["last_status"], lastError: row["last_error"],
                nextAttemptAt: Date(milliseconds: row["next_at"])))
    }

    static func job(_ db: Database, id: String, keyID: String?) throws -> JobRecord? {
        let row: Row?
        if let keyID {
            row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ? AND key_id = ?", arguments: [id, keyID])
        } else {
            row = try Row.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id])
        }
        return try row.map(job(from:))
    }

    static func job(from row: Row) throws -> JobRecord {
        let lifecycle = JobLifecycle(
            status: JobStatus(rawValue: row["status"]) ?? .failed,
            attempts: row["attempts"],
            maxAttempts: row["max_attempts"],
            cancelRequested: row["cancel_requested"],
            leaseToken: row["lease_token"]
        )
        var failure: JobFailure?
        if let code = row["error_code"] as Int?, let message = row["error_message"] as String? {
            failure = JobFailure(code: code, message: message)
        }
        var output: JobOutput?
        if let text = row["output"] as String? {
            output = try JSONDecoder().decode(JobOutput.self, from: Data(text.utf8))
        }
        var webhook: WebhookState?
        if let id = row["webhook_id"] as String?, let state = (row["webhook_state"] as String?).flatMap(WebhookState.State.init(rawValue:)) {
            webhook = WebhookState(
                state: state, id: id, attempts: row["webhook_attempts"], lastStatus: row["webhook_last_status"],
                lastError: row["webhook_last_error"], nextAttemptAt: Date(milliseconds: row["webhook_next_at"]))
        }
        var record = JobRecord(
            id: row["id"], keyID: row["key_id"], model: row["model"], arguments: row["arguments"] as String?, amount: row["amount"],
            callbackURL: row["callback_url"], lifecycle: lifecycle, progress: row["progress"],
            createdAt: Date(milliseconds: row["created_at"]) ?? Date(),
            startedAt: Date(milliseconds: row["started_at"]), finishedAt: Date(milliseconds: row["finished_at"]), failure: failure, output: output,
            leaseExpiresAt: Date(milliseconds: row["lease_expires_at"]), webhook: webhook, payload: row["payload"],
            deadline: Date(milliseconds: row["deadline_at"]), dataRemovedAt: Date(milliseconds: row["data_removed_at"]))
        record.offPeak = row["off_peak"]
        record.callbackEvents = EventDelivery.decode(row["callback_events"])
        return record
    }

    static func key(from row: Row) -> APIKeyRecord {
        APIKeyRecord(
            id: row["id"], name: row["name"], prefix: row["prefix"], hash: row["hash"], webhookSecret: row["webhook_secret"],
            budget: row["budget"], createdAt: Date(milliseconds: row["created_at"]) ?? Date(), revokedAt: Date(milliseconds: row["revoked_at"]),
            rateLimits: KeyRateLimits(creates: row["creates_per_minute"], reads: row["reads_per_minute"]),
            retentionSeconds: row["retention_seconds"])
    }

    /// Writes `job` after `transition`, doing what the transition asks: a terminal one
    /// records the end, releases the lease and schedules the callback.
    static func save(_ db: Database, _ job: inout JobRecord, transition: JobLifecycle.Transition, now: Date) throws {
        let completed = job.settle(after: transition, now: now)
        if case .rejected = transition { return }
        let output = try job.output.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try db.execute(
            sql: """
                UPDATE jobs SET status = ?, attempts = ?, cancel_requested = ?, lease_token = ?, lease_expires_at = ?, progress = ?,
                    started_at = ?, finished_at = ?, error_code = ?, error_message = ?, output = ?, completions = completions + ?,
                    webhook_id = ?, webhook_state = ?, webhook_attempts = ?, webhook_next_at = ?
                WHERE id = ?
                """,
            arguments: [
                job.status.rawValue, job.lifecycle.attempts, job.lifecycle.cancelRequested, job.lifecycle.leaseToken,
                job.leaseExpiresAt?.milliseconds, job.progress, job.startedAt?.milliseconds, job.finishedAt?.milliseconds, job.failure?.code,
                job.failure?.message, output, completed, job.webhook?.id, job.webhook?.state.rawValue, job.webhook?.attempts ?? 0,
                job.webhook?.nextAttemptAt?.milliseconds, job.id,
            ])
    }
}
