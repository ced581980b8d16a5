public import Foundation
public import GRDB
public import InbetweenAPI
public import InbetweenJobs
import Synchronization

/// The embedded store: one SQLite file in WAL mode, through GRDB. Every commit is synced
/// (`synchronous = FULL`), so a 2xx from create survives a crash or a power cut.
public final class SQLiteJobStore: JobStore {
    public let pool: DatabasePool
    /// Token buckets live in memory: one `serve` process owns a SQLite file.
    private let buckets = Mutex<[String: RateBucket]>([:])
    /// Cancels recorded by this process (one `serve` process owns a SQLite file).
    public let cancellations = CancelSignal()
    /// Changes recorded by this process, for its live streams.
    public let changes = JobChanges()

    /// Tells the streams what changed (after the commit).
    private func changed(_ ids: [String], queue: Bool) {
        for id in ids { changes.notify(jobID: id) }
        if queue { changes.notifyQueue() }
    }

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        // Several processes may share the file (`inbetween keys` beside `serve`); GRDB's pool
        // writes in IMMEDIATE transactions and waits up to the busy timeout for the lock.
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        pool = try DatabasePool(path: path, configuration: configuration)
        try Self.migrator.migrate(pool)
    }

    // MARK: Keys

    /// `pool.write`, with a full (or unwritable) disk turned into an error that says so; the
    /// transaction is rolled back, so nothing half-written stays.
    private func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        do {
            return try await pool.write(updates)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_FULL || error.resultCode == .SQLITE_IOERR {
            throw JobStoreError(
                .unwritable,
                "the database could not be written (\(error.resultCode == .SQLITE_FULL ? "its disk is full" : "disk I/O error")); nothing was changed. Try again once space is freed."
            )
        }
    }

    public func createKey(_ key: APIKeyRecord) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, name, prefix, hash, webhook_secret, budget, created_at, revoked_at, creates_per_minute, reads_per_minute,
                        retention_seconds)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    key.id, key.name, key.prefix, key.hash, key.webhookSecret, key.budget, key.createdAt.milliseconds,
                    key.revokedAt?.milliseconds, key.rateLimits.creates, key.rateLimits.reads, key.retentionSeconds,
                ])
        }
    }

    public func keys() async throws -> [(key: APIKeyRecord, spent: Int)] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT k.*, (SELECT COALESCE(SUM(amount), 0) FROM jobs j WHERE j.key_id = k.id AND j.status IN (\(CreateRules.chargedStatusList))) AS spent
                    FROM api_keys k ORDER BY k.created_at DESC, k.id
                    """
            ).map { (Self.key(from: $0), $0["spent"] as Int) }
        }
    }

    public func revokeKey(_ reference: String, at date: Date) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_keys SET revoked_at = ? WHERE (id = ? OR prefix = ?) AND revoked_at IS NULL",
                arguments: [date.milliseconds, reference, reference])
            return db.changesCount > 0
        }
    }

    public func setRateLimits(_ reference: String, _ limits: KeyRateLimits) async throws -> Bool {
        try await write { db in
            try db.execute(
                sql: "UPDATE api_keys SET creates_per_minute = ?, reads_per_minute = ? WHERE id = ? OR prefix = ?",
                arguments: [limits.creates, limits.reads, reference, reference])
            return db.changesCount > 0
        }
    }

    public func key(hash: String) async throws -> APIKeyRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE hash = ? AND revoked_at IS NULL", arguments: [hash]).map(Self.key(from:))
        }
    }

    public func key(id: String) async throws -> APIKeyRecord? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM api_keys WHERE id = ?", arguments: [id]).map(Self.key(from:))
        }
    }

    // MARK: Jobs

    public func create(_ job: NewJob) async throws -> (job: JobRecord, replayed: Bool) {
        let result: (job: JobRecord, replayed: Bool) = try await write { db in
            if let key = job.idempotencyKey {
                if let row = try Row.fetchOne(
                    db, sql: "SELECT body_hash, job_id FROM idempotency_keys WHERE key_id = ? AND idempotency_key = ?",
                    arguments: [job.keyID, key])
                {
                    try CreateRules.checkReplay(key: key, recordedHash: row["body_hash"], bodyHash: job.idempotencyBodyHash)
                    guard let earlier = try Self.job(db, id: row["job_id"], keyID: job.keyID) else { throw CreateRules.replayedJobMissing }
                    return (earlier, true)
                }
            }
            if let budget = try Int.fetchOne(db, sql: "SELECT budget FROM api_keys WHERE id = ?", arguments: [job.keyID]) {
                let spent =
                    try Int.fetchOne(
                        db, sql: "SELECT COALESCE(SUM(amount), 0) FROM jobs WHERE key_id = ? AND status IN (\(CreateRules.chargedStatusList))",
                        arguments: [job.keyID]) ?? 0
                try CreateRules.checkBudget(amount: job.amount, budget: budget, spent: spent)
            }
            try db.execute(
                sql: """
                    INSERT INTO jobs (id, key_id, model, amount, callback_url, status, max_attempts, created_at, payload, deadline_at, off_peak,
                        callback_events)
                    VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    job.id, job.keyID, job.model, job.amount, job.callbackURL, job.maxAttempts, job.createdAt.milliseconds, job.payload,
                    job.deadline?.milliseconds, job.offPeak, EventDelivery.encode(job.callbackEvents),
                ])
            try db.execute(sql: "INSERT INTO job_arguments (job_id, arguments) VALUES (?, ?)", arguments: [job.id, job.arguments])
            if let key = job.idempotencyKey {
                try db.execute(
                    sql: "INSERT INTO idempotency_keys (key_id, idempotency_key, body_hash, job_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [job.keyID, key, job.idempotencyBodyHash ?? "", job.id, job.createdAt.milliseconds])
            }
            guard let created = try Self.job(db, id: job.id, keyID: nil) else { throw CreateRules.createdJobMissing }
            return (created, false)
        }
        if !result.replayed { changed([result.job.id], queue: true) }
        return result
    }

    public func job(id: String, keyID: String?) async throws -> JobRecord? {
        try await pool.read { db in try Self.job(db, id: id, keyID: keyID) }
    }

    public func jobs(keyID: String, limit: Int, after: String?) async throws -> [JobRecord] {
        try await pool.read { db in
            let rows: [Row]
            if let after {
                rows = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT * FROM jobs WHERE key_id = ? AND seq < COALESCE((SELECT seq FROM jobs WHERE id = ? AND key_id = ?), -1)
                        ORDER BY seq DESC LIMIT ?
                        """,
                    arguments: [keyID, after, keyID, limit])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE key_id = ? ORDER BY seq DESC LIMIT ?", arguments: [keyID, limit])
            }
            return try rows.map(Self.job(from:))
        }
    }

    public func queuePosition(jobID: String) async throws -> Int? {
        try await pool.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT (SELECT COUNT(*) FROM jobs q WHERE q.status = 0 AND (q.off_peak < j.off_peak OR (q.off_peak = j.off_peak AND q.seq < j.seq)))
                    FROM jobs j WHERE j.id = ? AND j.status = 0
                    """,
                arguments: [jobID])
        }
    }

    public func cancel(id: String, keyID: String, at date: Date) async throws -> (job: JobRecord, transition: JobLifecycle.Transition)? {
        let result = try await write { db -> (job: JobRecord, transition: JobLifecycle.Transition)? in
            guard var job = try Self.job(db, id: id, keyID: keyID) else { return nil }
            let transition = job.lifecycle.apply(.cancel)
            try Self.save(db, &job, transition: transition, now: date)
            return (job, transition)
        }
        // Committed: a worker rendering the job stops now.
        if case .finished? = result?.transition { cancellations.notify(jobID: id) }
        if case .finished? = result?.transition { changed([id], queue: true) }
        return result
    }

    public func expireDeadlines(now: Date) async throws -> [String] {
        let expired = try await write { db -> [(id: String, wasRunning: Bool)] in
            let rows = try Row.fetchAll(
                db, sql: "SELECT * FROM jobs WHERE status IN (0, 1) AND deadline_at IS NOT NULL AND deadline_at <= ? ORDER BY seq",
                arguments: [now.milliseconds])
            var expired: [(id: String, wasRunning: Bool)] = []
            for row in rows {
                var job = try Self.job(from: row)
                let wasRunning = job.status == .running
                guard let transition = job.expireDeadline(now: now) else { continue }
                try Self.save(db, &job, transition: transition, now: now)
                if case .finished = transition { expired.append((job.id, wasRunning)) }
            }
            return expired
        }
        // Committed: a worker rendering one of them stops now.
        for job in expired where job.wasRunning { cancellations.notify(jobID: job.id) }
        changed(expired.map(\.id), queue: !expired.isEmpty)
        return expired.map(\.id)
    }

    public func markDataRemoved(id: String, keyID: String?, at date: Date) async throws -> JobRecord? {
        let result: JobRecord? = try await write { db in
            guard try Self.job(db, id: id, keyID: keyID) != nil else { return nil }
            try db.execute(sql: "UPDATE jobs SET data_removed_at = COALESCE(data_removed_at, ?) WHERE id = ?", arguments: [date.milliseconds, id])
            try db.execute(sql: "DELETE FROM job_arguments WHERE job_id = ?", arguments: [id])
            return try Self.job(db, id: id, keyID: keyID)
        }
        if result != nil { changed([id], queue: false) }
        return result
    }

    public func jobsPastRetention(now: Date, limit: Int) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT j.id FROM jobs j JOIN api_keys k ON k.id = j.key_id
                    WHERE j.data_removed_at IS NULL AND j.finished_at IS NOT NULL AND k.retention_seconds IS NOT NULL
                        AND j.finished_at + k.retention_seconds * 1000 <= ?
                    ORDER BY j.finished_at LIMIT ?
                    """,
                arguments: [now.milliseconds, limit])
        }
    }

    // MARK: Workers

    public func claim(now: Date, lease: Duration) async throws -> JobRecord? {
        let result: JobRecord? = try await write { db in
            let sql =
                "SELECT j.*, a.arguments FROM jobs j LEFT JOIN job_arguments a ON a.job_id = j.id WHERE j.status = 0 ORDER BY j.off_peak, j.seq LIMIT 1"
            while let row = try Row.fetchOne(db, sql: sql) {
                var job = try Self.job(from: row)
                // Past its deadline: canceled, never started.
                if let expired = job.expireDeadline(now: now) {
                    try Self.save(db, &job, transition: expired, now: now)
                    continue
                }
                let transition = job.lifecycle.apply(.claim)
                if case .claimed = transition {
                    job.leaseExpiresAt = now.adding(lease)
                    job.startedAt = job.startedAt ?? now
                }
                try Self.save(db, &job, transition: transition, now: now)
                if case .claimed = transition {
                    if job.callbackURL != nil, job.callbackEvents.contains(.start) {
                        try Self.enqueue(db, EventDelivery.new(jobID: job.id, event: .start, progress: 0, now: now))
                    }
                    return job
                }
                // Exhausted: it is failed now; take the next one.
            }
            return nil
        }
        if let result { changed([result.id], queue: true) }
        return result
    }

    public func heartbeat(id: String, token: Int64, progress: Int, now: Date, lease: Duration) async throws -> Bool? {
        let result: Bool? = try await write { db in
            let before = try Row.fetchOne(
                db, sql: "SELECT progress, callback_url, callback_events FROM jobs WHERE id = ? AND status = 1 AND lease_token = ?",
                arguments: [id, token])
            try db.execute(
                sql: """
                    UPDATE jobs SET lease_expires_at = ?, progress = MAX(progress, ?)
                    WHERE id = ? AND status = 1 AND lease_token = ?
                    """,
                arguments: [now.adding(lease).milliseconds, JobLifecycle.heartbeatProgress(progress), id, token])
            if db.changesCount == 1 {
                if let before, (before["callback_url"] as String?) != nil {
                    let old: Int = before["progress"]
                    let new = max(old, JobLifecycle.heartbeatProgress(progress))
                    let last = try Int64.fetchOne(
                        db, sql: "SELECT MAX(created_at) FROM webhook_events WHERE job_id = ? AND event = 'progress'", arguments: [id])
                    let events = EventDelivery.decode(before["callback_events"])
                    if EventDelivery.progressDue(events: events, old: old, new: new, last: Date(milliseconds: last), now: now) {
                        try Self.enqueue(db, EventDelivery.new(jobID: id, event: .progress, progress: new, now: now))
                    }
                }
                return try Bool.fetchOne(db, sql: "SELECT cancel_requested FROM jobs WHERE id = ?", arguments: [id]) ?? false
            }
            // Not running under this token: canceled under it (stop), or the lease is lost.
            let canceled = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM jobs WHERE id = ? AND lease_token = ? AND status = 4 AND cancel_requested", arguments: [id, token])
            return canceled == true ? true : nil
        }
        changed([id], queue: false)
        return result
    }

    public func finish(id: String, token: Int64, event: JobLifecycle.Event, output: JobOutput?, failure: JobFailure?, now: Date) async throws -> Bool
    {
        let result = try await write { db in
            guard var job = try Self.job(db, id: id, keyID: nil) else { return false }
            let transition = job.lifecycle.apply(event)
            if case .rejected = transition { return false }
            job.output = output ?? job.output
            job.failure = failure ?? job.failure
            if case .succeed = event { job.progress = 100 }
            try Self.save(db, &job, transition: transition, now: now)
            return true
        }
        if result { changed([id], queue: true) }
        return result
    }

    public func expireLeases(now: Date) async throws -> [String] {
        let result = try await write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM jobs WHERE status = 1 AND lease_expires_at < ?", arguments: [now.milliseconds])
            var ids: [String] = []
            for row in rows {
                var job = try Self.job(from: row)
                let transition = job.lifecycle.apply(.leaseExpired)
                try Self.save(db, &job, transition: transition, now: now)
                ids.append(job.id)
            }
            return ids
        }
        changed(result, queue: !result.isEmpty)
        return result
    }

    // MARK: Callbacks

    public func claimWebhooks(now: Date, lock: Duration, limit: Int) async throws -> [JobRecord] {
        try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM jobs WHERE webhook_state IN ('pending', 'retrying') AND webhook_next_at <= ?
                    ORDER BY webhook_next_at LIMIT ?
                    """,
                arguments: [now.milliseconds, limit])
            let jobs = try rows.map(Self.job(from:))
            for job in jobs {
                try db.execute(sql: "UPDATE jobs SET webhook_next_at = ? WHERE id = ?", arguments: [now.adding(lock).milliseconds, job.id])
            }
            return jobs
        }
    }

    public func recordWebhook(jobID: String, state: WebhookState) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET webhook_state = ?, webhook_attempts = ?, webhook_last_status = ?, webhook_last_error = ?, webhook_next_at = ?
                    WHERE id = ?
                    """,
                arguments: [state.state.rawValue, state.attempts, state.lastStatus, state.lastError, state.nextAttemptAt?.milliseconds, jobID])
        }
    }

    public func claimEventWebhooks(now: Date, lock: Duration, limit: Int) async throws -> [EventDelivery] {
        try await write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM webhook_events WHERE state IN ('pending', 'retrying') AND next_at <= ?
                    ORDER BY next_at, created_at LIMIT ?
                    """,
                arguments: [now.milliseconds, limit])
            let deliveries = rows.compactMap(Self.delivery(from:))
            for delivery in deliveries {
                try db.execute(
                    sql: "UPDATE webhook_events SET next_at = ? WHERE id = ?", arguments: [now.adding(lock).milliseconds, delivery.webhook.id])
            }
            return deliveries
        }
    }

    public func recordEventWebhook(state: WebhookState) async throws {
        try await write { db in
            // A superseded delivery stays so.
            try db.execute(
                sql: """
                    UPDATE webhook_events SET state = ?, attempts = ?, last_status = ?, last_error = ?, next_at = ?
                    WHERE id = ? AND COALESCE(last_error, '') <> ?
                    """,
                arguments: [
                    state.state.rawValue, state.attempts, state.lastStatus, state.lastError, state.nextAttemptAt?.milliseconds, state.id,
                    EventDelivery.superseded,
                ])
        }
    }

    // MARK: Rate limits

    public func takeRateToken(bucket name: String, policy: RateLimitPolicy, now: Date) async throws -> RateBucket.Decision {
        buckets.withLock { buckets in
            var bucket = buckets[name] ?? .full(policy, now: now)
            let decision = bucket.take(policy: policy, now: now)
            buckets[name] = bucket
            return decision
        }
    }

    // MARK: Operations

    public func countsByStatus() async throws -> [JobStatus: Int] {
        try await pool.read { db in
            var counts: [JobStatus: Int] = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) AS n FROM jobs GROUP BY status") {
                if let status = JobStatus(rawValue: row["status"]) { counts[status] = row["n"] }
            }
            return counts
        }
    }

    public func ping() async throws {
        _ = try await pool.read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    /// How many times each job was recorded as succeeded (for crash tests: never above 1).
    public func completions() async throws -> [String: Int] {
        try await pool.read { db in
            Dictionary(uniqueKeysWithValues: try Row.fetchAll(db, sql: "SELECT id, completions FROM jobs").map { ($0["id"], $0["completions"]) })
        }
    }
}
