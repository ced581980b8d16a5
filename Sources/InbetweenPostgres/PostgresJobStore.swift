public import Foundation
public import InbetweenAPI
public import InbetweenJobs
public import Logging
public import PostgresNIO

/// The multi-node store on PostgreSQL through PostgresNIO. Claims take the oldest queued job
/// with `FOR UPDATE SKIP LOCKED`, so any number of workers on any number of machines claim
/// without blocking each other or taking a job twice; the lifecycle rules are the same
/// `JobLifecycle` the SQLite store applies. Creates `NOTIFY` the `inbetween_jobs` channel.
///
/// `client` must be running (it is a `Service`: put it first in the service group).
public final class PostgresJobStore: JobStore {
    public let client: PostgresClient
    let logger: Logger
    /// Set to false to cut `NOTIFY` (to measure pickup by polling alone).
    public let notifies: Bool

    /// The channel creates are announced on.
    public static let channel = "inbetween_jobs"
    /// The channel cancels are announced on, the job's id as the payload.
    public static let cancelChannel = "inbetween_cancels"
    /// Cancels recorded by any node, as this node heard them (its `JobNotificationListener`
    /// forwards `inbetween_cancels`; this node's own are signalled at once too).
    public let cancellations = CancelSignal()
    /// The channel changes to jobs are announced on, for live streams on every node: a job id,
    /// `<job id> <progress>` for a render's progress between heartbeats, or `*` (the queue moved).
    public static let changesChannel = "inbetween_changes"
    /// Changes to jobs made by any node, as this node heard them (its `JobNotificationListener`
    /// forwards `inbetween_changes`; this node's own are signalled at once too).
    public let changes = JobChanges()

    /// Tells this node's streams at once what changed; the transaction that changed it told
    /// every node's (`announce`, delivered at its commit).
    func changed(_ ids: [String], queue: Bool) {
        for id in ids { changes.notify(jobID: id) }
        if queue { changes.notifyQueue() }
    }

    /// `NOTIFY inbetween_changes` with `id` (and `*` when the queue moved), sent when the
    /// transaction commits.
    static func announce(_ connection: PostgresConnection, _ id: String, queue: Bool, logger: Logger) async throws {
        try await connection.query("SELECT pg_notify(\(changesChannel), \(id))", logger: logger)
        if queue { try await connection.query("SELECT pg_notify(\(changesChannel), '*')", logger: logger) }
    }

    /// Every node's streams hear it, through `NOTIFY inbetween_changes`.
    public func publishProgress(jobID: String, progress: Int) async throws {
        changes.notify(jobID: jobID, progress: progress)
        try await client.query("SELECT pg_notify(\(Self.changesChannel), \(jobID + " " + String(progress)))", logger: logger)
    }

    public init(client: PostgresClient, logger: Logger, notifies: Bool = true) {
        self.client = client
        self.logger = logger
        self.notifies = notifies
    }

    /// A transaction; a rule the closure threw (`JobStoreError`) comes out as itself, not wrapped.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        do {
            return try await client.withTransaction(logger: logger) { connection in try await body(connection) }
        } catch let error as PostgresTransactionError {
            if let rule = error.closureError as? JobStoreError, error.rollbackError == nil { throw rule }
            throw error
        }
    }

    // MARK: Keys

    public func createKey(_ key: APIKeyRecord) async throws {
        try await client.query(
            """
            INSERT INTO api_keys (id, name, prefix, hash, webhook_secret, budget, created_at, revoked_at, creates_per_minute, reads_per_minute,
                retention_seconds)
            VALUES (\(key.id), \(key.name), \(key.prefix), \(key.hash), \(key.webhookSecret), \(key.budget), \(key.createdAt.milliseconds),
                \(key.revokedAt?.milliseconds), \(key.rateLimits.creates), \(key.rateLimits.reads), \(key.retentionSeconds))
            """, logger: logger)
    }

    public func keys() async throws -> [(key: APIKeyRecord, spent: Int)] {
        var keys: [(key: APIKeyRecord, spent: Int)] = []
        let rows = try await client.query(
            """
            SELECT k.*, (SELECT COALESCE(SUM(amount), 0) FROM jobs j WHERE j.key_id = k.id
            AND j.status IN (\(unescaped: CreateRules.chargedStatusList)))::BIGINT AS spent
            FROM api_keys k ORDER BY k.created_at DESC, k.id
            """, logger: logger)
        for try await row in rows {
            let columns = row.makeRandomAccess()
            keys.append((try Self.key(columns), try columns["spent"].decode(Int.self)))
        }
        return keys
    }

    public func revokeKey(_ reference: String, at date: Date) async throws -> Bool {
        let rows = try await client.query(
            "UPDATE api_keys SET revoked_at = \(date.milliseconds) WHERE (id = \(reference) OR prefix = \(reference)) AND revoked_at IS NULL RETURNING id",
            logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count > 0
    }

    public func setRateLimits(_ reference: String, _ limits: KeyRateLimits) async throws -> Bool {
        let rows = try await client.query(
            """
            UPDATE api_keys SET creates_per_minute = \(limits.creates), reads_per_minute = \(limits.reads)
            WHERE id = \(reference) OR prefix = \(reference) RETURNING id
            """, logger: logger)
        var count = 0
        for try await _ in rows { count += 1 }
        return count > 0
    }

    /// The shared secret `name`: 32 random bytes, made by whichever node asks first and kept
    /// in the database, so every node signs and checks with the same one (the URL-signing
    /// key lives here on PostgreSQL, not in a shared directory).
    public func sharedSecret(_ name: String) async throws -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        let fresh = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }).base64EncodedString()
        let now = Date().milliseconds
        try await client.query(
            "INSERT INTO shared_secrets (name, value, created_at) VALUES (\(name), \(fresh), \(now)) ON CONFLICT (name) DO NOTHING", logger: logger)
        for try await value in try await client.query("SELECT value FROM shared_secrets WHERE name = \(name)", logger: logger).decode(String.self) {
            guard let bytes = Data(base64Encoded: value), bytes.count == 32 else { break }
            return Array(bytes)
        }
        throw JobStoreError(.invalidConfiguration, "the shared secret \(name) in the database is not 32 bytes of base64")
    }

    public func key(hash: String) async throws -> APIKeyRecord? {
        try await firstKey(client.query("SELECT * FROM api_keys WHERE hash = \(hash) AND revoked_at IS NULL", logger: logger))
    }

    public func key(id: String) async throws -> APIKeyRecord? {
        try await firstKey(client.query("SELECT * FROM api_keys WHERE id = \(id)", logger: logger))
    }

    private func firstKey(_ rows: PostgresRowSequence) async throws -> APIKeyRecord? {
        for try await row in rows { return try Self.key(row.makeRandomAccess()) }
        return nil
    }

    // MARK: Jobs

    public func create(_ job: NewJob) async throws -> (job: JobRecord, replayed: Bool) {
        let logger = logger
        let result: (job: JobRecord, replayed: Bool) = try await transaction { connection in
            // One create per key at a time: the budget check and the idempotency lookup see
            // every earlier create of the key, on whichever node it ran.
            try await connection.query("SELECT id FROM api_keys WHERE id = \(job.keyID) FOR UPDATE", logger: logger)
            if let key = job.idempotencyKey {
                let rows = try await connection.query(
                    "SELECT body_hash, job_id FROM idempotency_keys WHERE key_id = \(job.keyID) AND idempotency_key = \(key)", logger: logger)
                for try await (hash, jobID) in rows.decode((String, String).self) {
                    try CreateRules.checkReplay(key: key, recordedHash: hash, bodyHash: job.idempotencyBodyHash)
                    guard let earlier = try await Self.job(connection, id: jobID, keyID: job.keyID, logger: logger) else {
                        throw CreateRules.replayedJobMissing
                    }
                    return (earlier, true)
                }
            }
            let budgets = try await connection.query(
                """
                SELECT budget, (SELECT COALESCE(SUM(amount), 0) FROM jobs WHERE key_id = \(job.keyID)
                AND status IN (\(unescaped: CreateRules.chargedStatusList)))::BIGINT
                FROM api_keys WHERE id = \(job.keyID)
                """, logger: logger)
            for try await (budget, spent) in budgets.decode((Int?, Int).self) {
                try CreateRules.checkBudget(amount: job.amount, budget: budget, spent: spent)
            }
            try await connection.query(
                """
                INSERT INTO jobs (id, key_id, model, amount, callback_url, status, max_attempts, created_at, payload, deadline_at, off_peak, callback_events)
                VALUES (\(job.id), \(job.keyID), \(job.model), \(job.amount), \(job.callbackURL), 0, \(job.maxAttempts), \(job.createdAt.milliseconds),
                    \(job.payload), \(job.deadline?.milliseconds), \(job.offPeak), \(EventDelivery.encode(job.callbackEvents)))
                """, logger: logger)
            try await connection.query("INSERT INTO job_arguments (job_id, arguments) VALUES (\(job.id), \(job.arguments))", logger: logger)
            if let key = job.idempotencyKey {
                try await connection.query(
                    """
                    INSERT INTO idempotency_keys (key_id, idempotency_key, body_hash, job_id, created_at)
                    VALUES (\(job.keyID), \(key), \(job.idempotencyBodyHash ?? ""), \(job.id), \(job.createdAt.milliseconds))
                    """, logger: logger)
            }
            if self.notifies {
                try await connection.query("SELECT pg_notify(\(Self.channel), \(job.id))", logger: logger)
            }
            try await Self.announce(connection, job.id, queue: true, logger: logger)
            guard let created = try await Self.job(connection, id: job.id, keyID: nil, logger: logger) else { throw CreateRules.createdJobMissing }
            return (created, false)
        }
        if !result.replayed { changed([result.job.id], queue: true) }
        return result
    }

    public func job(id: String, keyID: String?) async throws -> JobRecord? {
        try await client.withConnection { connection in try await Self.job(connection, id: id, keyID: keyID, logger: self.logger) }
    }

    public func jobs(keyID: String, limit: Int, after: String?) async throws -> [JobRecord] {
        let rows: PostgresRowSequence
        if let after {
            rows = try await client.query(
                """
                SELECT * FROM jobs WHERE key_id = \(keyID) AND seq < COALESCE((SELECT seq FROM jobs WHERE id = \(after) AND key_id = \(keyID)), -1)
                ORDER BY seq DESC LIMIT \(limit)
                """, logger: logger)
        } else {
            rows = try await client.query("SELECT * FROM jobs WHERE key_id = \(keyID) ORDER BY seq DESC LIMIT \(limit)", logger: logger)
        }
        return try await Self.jobs(rows)
    }

    public func queuePosition(jobID: String) async throws -> Int? {
        let rows = try await client.query(
            """
            SELECT (SELECT COUNT(*) FROM jobs q WHERE q.status = 0 AND (q.off_peak < j.off_peak OR (q.off_peak = j.off_peak AND q.seq < j.seq)))::BIGINT
            FROM jobs j WHERE j.id = \(jobID) AND j.status = 0
            """,
            logger: logger)
        for try await position in rows.decode(Int.self) { return position }
        return nil
    }

    public func cancel(id: String, keyID: String, at date: Date) async throws -> (job: JobRecord, transition: JobLifecycle.Transition)? {
        let logger = logger
        let result: (job: JobRecord, transition: JobLifecycle.Transition)? = try await transaction { connection in
            let rows = try await connection.query("SELECT * FROM jobs WHERE id = \(id) AND key_id = \(keyID) FOR UPDATE", logger: logger)
            guard var job = try await Self.jobs(rows).first else { return nil }
            let transition = job.lifecycle.apply(.cancel)
            try await Self.save(connection, &job, transition: transition, now: date, logger: logger)
            if case .finished = transition {
                // Sent at commit, to every node's listener: the worker rendering it stops.
                try await connection.query("SELECT pg_notify(\(Self.cancelChannel), \(id))", logger: logger)
            }
            return (job, transition)
        }
        if case .finished? = result?.transition { cancellations.notify(jobID: id) }
        if case .finished? = result?.transition { changed([id], queue: true) }
        return result
    }

    public func expireDeadlines(now: Date) async throws -> [String] {
        let logger = logger
        let expired: [(id: String, wasRunning: Bool)] = try await transaction { connection in
            let rows = try await connection.query(
                """
                SELECT * FROM jobs WHERE status IN (0, 1) AND deadline_at IS NOT NULL AND deadline_at <= \(now.milliseconds)
                ORDER BY seq FOR UPDATE SKIP LOCKED
                """, logger: logger)
            var expired: [(id: String, wasRunning: Bool)] = []
            for var job in try await Self.jobs(rows) {
                let wasRunning = job.status == .running
                guard let transition = job.expireDeadline(now: now) else { continue }
                try await Self.save(connection, &job, transition: transition, now: now, logger: logger)
                guard case .finished = transition else { continue }
                expired.append((job.id, wasRunning))
                if wasRunning {
                    // Sent at commit, to every node's listener: the worker rendering it stops.
                    try await connection.query("SELECT pg_notify(\(Self.cancelChannel), \(job.id))", logger: logger)
                }
            }
            return expired
        }
        for job in expired where job.wasRunning { cancellations.notify(jobID: job.id) }
        changed(expired.map(\.id), queue: !expired.isEmpty)
        return expired.map(\.id)
    }

    public func markDataRemoved(id: String, keyID: String?, at date: Date) async throws -> JobRecord? {
        let logger = logger
        let result: JobRecord? = try await transaction { connection in
            guard try await Self.job(connection, id: id, keyID: keyID, logger: logger) != nil else { return nil }
            try await connection.query(
                "UPDATE jobs SET data_removed_at = COALESCE(data_removed_at, \(date.milliseconds)) WHERE id = \(id)", logger: logger)
            try await connection.query("DELETE FROM job_arguments WHERE job_id = \(id)", logger: logger)
            try await Self.announce(connection, id, queue: false, logger: logger)
            return try await Self.job(connection, id: id, keyID: keyID, logger: logger)
        }
        if result != nil { changed([id], queue: false) }
        return result
    }

    public func jobsPastRetention(now: Date, limit: Int) async throws -> [String] {
        let rows = try await client.query(
            """
            SELECT j.id FROM jobs j JOIN api_keys k ON k.id = j.key_id
            WHERE j.data_removed_at IS NULL AND j.finished_at IS NOT NULL AND k.retention_seconds IS NOT NULL
                AND j.finished_at + k.retention_seconds * 1000 <= \(now.milliseconds)
            ORDER BY j.finished_at LIMIT \(limit)
            """, logger: logger)
        var ids: [String] = []
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }

    // MARK: Workers

    public func claim(now: Date, lease: Duration) async throws -> JobRecord? {
        let logger = logger
        let claimed: JobRecord? = try await transaction { connection in
            while true {
                let rows = try await connection.query(
                    """
                    SELECT j.*, a.arguments FROM jobs j LEFT JOIN job_arguments a ON a.job_id = j.id
                    WHERE j.id = (SELECT id FROM jobs WHERE status = 0 ORDER BY off_peak, seq LIMIT 1 FOR UPDATE SKIP LOCKED)
                    """, logger: logger)
                guard var job = try await Self.jobs(rows).first else { return nil }
                // Past its deadline: canceled, never started.
                if let expired = job.expireDeadline(now: now) {
                    try await Self.save(connection, &job, transition: expired, now: now, logger: logger)
                    continue
                }
                let transition = job.lifecycle.apply(.claim)
                if case .claimed = transition {
                    job.leaseExpiresAt = now.adding(lease)
                    job.startedAt = job.startedAt ?? now
                }
                try await Self.save(connection, &job, transition: transition, now: now, logger: logger)
                if case .claimed = transition {
                    if job.callbackURL != nil, job.callbackEvents.contains(.start) {
                        try await Self.enqueue(connection, EventDelivery.new(jobID: job.id, event: .start, progress: 0, now: now), logger: logger)
                    }
                    return job
                }
            }
        }
        if let claimed { changed([claimed.id], queue: true) }
        return claimed
    }

    public func heartbeat(id: String, token: Int64, progress: Int, now: Date, lease: Duration) async throws -> Bool? {
        let logger = logger
        let renewed: Bool? = try await transaction { connection in
            let rows = try await connection.query(
                """
                WITH old AS (SELECT id, progress FROM jobs WHERE id = \(id))
                UPDATE jobs j SET lease_expires_at = \(now.adding(lease).milliseconds),
                    progress = GREATEST(j.progress, \(JobLifecycle.heartbeatProgress(progress)))
                FROM old WHERE j.id = old.id AND j.status = 1 AND j.lease_token = \(token)
                RETURNING j.cancel_requested, old.progress, j.progress, j.callback_url, j.callback_events
                """, logger: logger)
            var answer: Bool?
            var change: (old: Int, new: Int, events: Set<CallbackEvent>)?
            for try await (cancel, old, new, url, events) in rows.decode((Bool, Int, Int, String?, String?).self) {
                answer = cancel
                if url != nil { change = (old, new, EventDelivery.decode(events)) }
            }
            if let change, change.events.contains(.progress) {
                var last: Date?
                let rows = try await connection.query(
                    "SELECT MAX(created_at) FROM webhook_events WHERE job_id = \(id) AND event = 'progress'", logger: logger)
                for try await value in rows.decode(Int64?.self) { last = Date(milliseconds: value) }
                if EventDelivery.progressDue(events: change.events, old: change.old, new: change.new, last: last, now: now) {
                    try await Self.enqueue(connection, EventDelivery.new(jobID: id, event: .progress, progress: change.new, now: now), logger: logger)
                }
            }
            if answer != nil { try await Self.announce(connection, id, queue: false, logger: logger) }
            return answer
        }
        if let renewed {
            changed([id], queue: false)
            return renewed
        }
        // Not running under this token: canceled under it (stop), or the lease is lost.
        let canceled = try await client.query(
            "SELECT 1 FROM jobs WHERE id = \(id) AND lease_token = \(token) AND status = 4 AND cancel_requested", logger: logger)
        for try await _ in canceled { return true }
        return nil
    }

    public func finish(id: String, token: Int64, event: JobLifecycle.Event, output: JobOutput?, failure: JobFailure?, now: Date) async throws -> Bool
    {
        let logger = logger
        let result: Bool = try await transaction { connection in
            let rows = try await connection.query("SELECT * FROM jobs WHERE id = \(id) FOR UPDATE", logger: logger)
            guard var job = try await Self.jobs(rows).first else { return false }
            let transition = job.lifecycle.apply(event)
            if case .rejected = transition { return false }
            job.output = output ?? job.output
            job.failure = failure ?? job.failure
            if case .succeed = event { job.progress = 100 }
            try await Self.save(connection, &job, transition: transition, now: now, logger: logger)
            return true
        }
        if result { changed([id], queue: true) }
        return result
    }

    public func expireLeases(now: Date) async throws -> [String] {
        let logger = logger
        let result: [String] = try await transaction { connection in
            let rows = try await connection.query(
                "SELECT * FROM jobs WHERE status = 1 AND lease_expires_at < \(now.milliseconds) FOR UPDATE SKIP LOCKED", logger: logger)
            var ids: [String] = []
            for var job in try await Self.jobs(rows) {
                let transition = job.lifecycle.apply(.leaseExpired)
                try await Self.save(connection, &job, transition: transition, now: now, logger: logger)
                ids.append(job.id)
            }
            if !ids.isEmpty, self.notifies {
                try await connection.query("SELECT pg_notify(\(Self.channel), 'requeued')", logger: logger)
            }
            return ids
        }
        changed(result, queue: !result.isEmpty)
        return result
    }

    // MARK: Callbacks

    public func claimWebhooks(now: Date, lock: Duration, limit: Int) async throws -> [JobRecord] {
        let rows = try await client.query(
            """
            UPDATE jobs SET webhook_next_at = \(now.adding(lock).milliseconds)
            WHERE id IN (
                SELECT id FROM jobs WHERE webhook_state IN ('pending', 'retrying') AND webhook_next_at <= \(now.milliseconds)
                ORDER BY webhook_next_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING *
            """, logger: logger)
        return try await Self.jobs(rows)
    }

    public func recordWebhook(jobID: String, state: WebhookState) async throws {
        try await client.query(
            """
            UPDATE jobs SET webhook_state = \(state.state.rawValue), webhook_attempts = \(state.attempts), webhook_last_status = \(state.lastStatus),
                webhook_last_error = \(state.lastError), webhook_next_at = \(state.nextAttemptAt?.milliseconds)
            WHERE id = \(jobID)
            """, logger: logger)
    }

    public func claimEventWebhooks(now: Date, lock: Duration, limit: Int) async throws -> [EventDelivery] {
        let rows = try await client.query(
            """
            UPDATE webhook_events SET next_at = \(now.adding(lock).milliseconds)
            WHERE id IN (
                SELECT id FROM webhook_events WHERE state IN ('pending', 'retrying') AND next_at <= \(now.milliseconds)
                ORDER BY next_at, created_at LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING *
            """, logger: logger)
        var deliveries: [EventDelivery] = []
        for try await row in rows {
            if let delivery = try Self.delivery(row.makeRandomAccess()) { deliveries.append(delivery) }
        }
        // RETURNING keeps no order: oldest event first.
        return deliveries.sorted { $0.createdAt < $1.createdAt }
    }

    public func recordEventWebhook(state: WebhookState) async throws {
        // A superseded delivery stays so.
        try await client.query(
            """
            UPDATE webhook_events SET state = \(state.state.rawValue), attempts = \(state.attempts), last_status = \(state.lastStatus),
                last_error = \(state.lastError), next_at = \(state.nextAttemptAt?.milliseconds)
            WHERE id = \(state.id) AND COALESCE(last_error, '') <> \(EventDelivery.superseded)
            """, logger: logger)
    }

    // MARK: Rate limits

    /// The bucket lives in the database, so every API node draws from the same one.
    public func takeRateToken(bucket keyID: String, policy: RateLimitPolicy, now: Date) async throws -> RateBucket.Decision {
        let logger = logger
        return try await transaction { connection in
            let full = RateBucket.full(policy, now: now)
            try await connection.query(
                """
                INSERT INTO rate_limits (key_id, tokens, updated_at) VALUES (\(keyID), \(full.tokens), \(now.milliseconds))
                ON CONFLICT (key_id) DO NOTHING
                """, logger: logger)
            var bucket = full
            let rows = try await connection.query("SELECT tokens, updated_at FROM rate_limits WHERE key_id = \(keyID) FOR UPDATE", logger: logger)
            for try await (tokens, updated) in rows.decode((Double, Int64).self) {
                bucket = RateBucket(tokens: tokens, updatedAt: Date(milliseconds: updated) ?? now)
            }
            let decision = bucket.take(policy: policy, now: now)
            try await connection.query(
                "UPDATE rate_limits SET tokens = \(bucket.tokens), updated_at = \(bucket.updatedAt.milliseconds) WHERE key_id = \(keyID)",
                logger: logger)
            return decision
        }
    }

    // MARK: Operations

    public func countsByStatus() async throws -> [JobStatus: Int] {
        var counts: [JobStatus: Int] = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
        let rows = try await client.query("SELECT status, COUNT(*)::BIGINT FROM jobs GROUP BY status", logger: logger)
        for try await (status, count) in rows.decode((Int, Int).self) {
            if let status = JobStatus(rawValue: status) { counts[status] = count }
        }
        return counts
    }

    public func ping() async throws {
        try await client.query("SELECT 1", logger: logger)
    }

    /// How many times each job was recorded as succeeded (never above 1).
    public func completions() async throws -> [String: Int] {
        var result: [String: Int] = [:]
        for try await (id, count) in try await client.query("SELECT id, completions FROM jobs", logger: logger).decode((String, Int).self) {
            result[id] = count
        }
        return result
    }
}
