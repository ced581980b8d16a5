import Foundation
import InbetweenAPI
import InbetweenJobs
import Logging
import PostgresNIO

extension PostgresJobStore {
    static func job(_ connection: PostgresConnection, id: String, keyID: String?, logger: Logger) async throws -> JobRecord? {
        let rows: PostgresRowSequence
        if let keyID {
            rows = try await connection.query("SELECT * FROM jobs WHERE id = \(id) AND key_id = \(keyID)", logger: logger)
        } else {
            rows = try await connection.query("SELECT * FROM jobs WHERE id = \(id)", logger: logger)
        }
        return try await jobs(rows).first
    }

    static func jobs(_ rows: PostgresRowSequence) async throws -> [JobRecord] {
        var jobs: [JobRecord] = []
        for try await row in rows { jobs.append(try job(row.makeRandomAccess())) }
        return jobs
    }

    static func job(_ row: PostgresRandomAccessRow) throws -> JobRecord {
        func value<T: PostgresDecodable>(_ name: String, _ type: T.Type = T.self) throws -> T { try row[name].decode(T.self) }
        let lifecycle = JobLifecycle(
            status: JobStatus(rawValue: try value("status", Int.self)) ?? .failed, attempts: try value("attempts"),
            maxAttempts: try value("max_attempts"), cancelRequested: try value("cancel_requested"), leaseToken: try value("lease_token"))
        var failure: JobFailure?
        if let code = try value("error_code", Int?.self), let message = try value("error_message", String?.self) {
            failure = JobFailure(code: code, message: message)
        }
        var output: JobOutput?
        if let text = try value("output", String?.self) {
            output = try JSONDecoder().decode(JobOutput.self, from: Data(text.utf8))
        }
        var webhook: WebhookState?
        if let id = try value("webhook_id", String?.self),
            let state = try value("webhook_state", String?.self).flatMap(WebhookState.State.init(rawValue:))
        {
            webhook = WebhookState(
                state: state, id: id, attempts: try value("webhook_attempts"), lastStatus: try value("webhook_last_status"),
                lastError: try value("webhook_last_error"), nextAttemptAt: Date(milliseconds: try value("webhook_next_at")))
        }
        let arguments: String? = row.contains("arguments") ? try value("arguments", String?.self) : nil
        var record = JobRecord(
            id: try value("id"), keyID: try value("key_id"), model: try value("model"), arguments: arguments, amount: try value("amount"),
            callbackURL: try value("callback_url"), lifecycle: lifecycle, progress: try value("progress"),
            createdAt: Date(milliseconds: try value("created_at", Int64.self)) ?? Date(), startedAt: Date(milliseconds: try value("started_at")),
            finishedAt: Date(milliseconds: try value("finished_at")), failure: failure, output: output,
            leaseExpiresAt: Date(milliseconds: try value("lease_expires_at")), webhook: webhook, payload: try value("payload"),
            deadline: Date(milliseconds: try value("deadline_at")), dataRemovedAt: Date(milliseconds: try value("data_removed_at")))
        record.offPeak = try value("off_peak")
        record.callbackEvents = EventDelivery.decode(try value("callback_events", String?.self))
        return record
    }

    /// Records `delivery`; a progress one supersedes its job's progress deliveries not yet made.
    static func enqueue(_ connection: PostgresConnection, _ delivery: EventDelivery, logger: Logger) async throws {
        if delivery.event == .progress {
            try await connection.query(
                """
                UPDATE webhook_events SET state = 'failed', last_error = \(EventDelivery.superseded), next_at = NULL
                WHERE job_id = \(delivery.jobID) AND event = 'progress' AND state IN ('pending', 'retrying')
                """, logger: logger)
        }
        try await connection.query(
            """
            INSERT INTO webhook_events (id, job_id, event, progress, created_at, state, next_at)
            VALUES (\(delivery.webhook.id), \(delivery.jobID), \(delivery.event.rawValue), \(delivery.progress), \(delivery.createdAt.milliseconds),
                'pending', \(delivery.webhook.nextAttemptAt?.milliseconds))
            """, logger: logger)
    }

    static func delivery(_ row: PostgresRandomAccessRow) throws -> EventDelivery? {
        guard let event = CallbackEvent(rawValue: try row["event"].decode(String.self)),
            let state = WebhookState.State(rawValue: try row["state"].decode(String.self))
        else { return nil }
        return EventDelivery(
            jobID: try row["job_id"].decode(String.self), event: event, progress: try row["progress"].decode(Int.self),
            createdAt: Date(milliseconds: try row["created_at"].decode(Int64.self)) ?? Date(),
            webhook: WebhookState(
                state: state, id: try row["id"].decode(String.self), attempts: try row["attempts"].decode(Int.self),
                lastStatus: try row["last_status"].decode(Int?.self), lastError: try row["last_error"].decode(String?.self),
                nextAttemptAt: Date(milliseconds: try row["next_at"].decode(Int64?.self))))
    }

    static func key(_ row: PostgresRandomAccessRow) throws -> APIKeyRecord {
        APIKeyRecord(
            id: try row["id"].decode(String.self), name: try row["name"].decode(String.self), prefix: try row["prefix"].decode(String.self),
            hash: try row["hash"].decode(String.self), webhookSecret: try row["webhook_secret"].decode(String.self),
            budget: try row["budget"].decode(Int?.self), createdAt: Date(milliseconds: try row["created_at"].decode(Int64.self)) ?? Date(),
            revokedAt: Date(milliseconds: try row["revoked_at"].decode(Int64?.self)),
            rateLimits: KeyRateLimits(creates: try row["creates_per_minute"].decode(Int?.self), reads: try row["reads_per_minute"].decode(Int?.self)),
            retentionSeconds: try row["retention_seconds"].decode(Int?.self))
    }

    /// Writes `job` after `transition` (see `JobRecord.settle`).
    static func save(_ connection: PostgresConnection, _ job: inout JobRecord, transition: JobLifecycle.Transition, now: Date, logger: Logger)
        async throws
    {
        let completed = job.settle(after: transition, now: now)
        if case .rejected = transition { return }
        let output = try job.output.map { String(decoding: try JSONEncoder().encode($0), as: UTF8.self) }
        try await connection.query(
            """
            UPDATE jobs SET status = \(job.status.rawValue), attempts = \(job.lifecycle.attempts), cancel_requested = \(job.lifecycle.cancelRequested),
                lease_token = \(job.lifecycle.leaseToken), lease_expires_at = \(job.leaseExpiresAt?.milliseconds), progress = \(job.progress),
                started_at = \(job.startedAt?.milliseconds), finished_at = \(job.finishedAt?.milliseconds), error_code = \(job.failure?.code),
                error_message = \(job.failure?.message), output = \(output), completions = completions + \(completed),
                webhook_id = \(job.webhook?.id), webhook_state = \(job.webhook?.state.rawValue), webhook_attempts = \(job.webhook?.attempts ?? 0),
                webhook_next_at = \(job.webhook?.nextAttemptAt?.milliseconds)
            WHERE id = \(job.id)
            """, logger: logger)
        // Every node's live streams hear of it at the commit; a claim, a requeue or an end moves the queue.
        try await announce(connection, job.id, queue: true, logger: logger)
    }
}
