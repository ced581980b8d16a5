public import Foundation
public import InbetweenAPI
import Synchronization

/// A `JobStore` in this process's memory: the rules of `CreateRules` and `JobLifecycle` with
/// nothing persisted. For tests and trying things out; it passes the same conformance suite
/// as the SQLite and PostgreSQL stores.
public final class InMemoryJobStore: JobStore {
    private struct Stored {
        var record: JobRecord
        var arguments: String
        /// Creation order, the queue's order.
        var sequence: Int
    }

    private struct State {
        var keys: [String: APIKeyRecord] = [:]
        var jobs: [String: Stored] = [:]
        /// `keyID \0 idempotency key` → (body hash, job id).
        var idempotency: [String: (hash: String, jobID: String)] = [:]
        var buckets: [String: RateBucket] = [:]
        /// Start and progress deliveries by `webhook-id`.
        var events: [String: EventDelivery] = [:]

        /// Adds `delivery`; a progress one supersedes its job's progress deliveries not yet made.
        mutating func enqueue(_ delivery: EventDelivery) {
            if delivery.event == .progress {
                for (id, earlier) in events
                where earlier.jobID == delivery.jobID && earlier.event == .progress && [.pending, .retrying].contains(earlier.webhook.state) {
                    events[id]?.webhook.state = .failed
                    events[id]?.webhook.lastError = EventDelivery.superseded
                    events[id]?.webhook.nextAttemptAt = nil
                }
            }
            events[delivery.webhook.id] = delivery
        }
        var sequence = 0

        func spent(keyID: String) -> Int {
            jobs.values.filter { $0.record.keyID == keyID && CreateRules.chargedStatuses.contains($0.record.status) }.reduce(0) {
                $0 + $1.record.amount
            }
        }

        /// Queued jobs in claim order: normal jobs first, then off-peak ones, each oldest first.
        var queue: [Stored] {
            jobs.values.filter { $0.record.status == .queued }.sorted {
                $0.record.offPeak != $1.record.offPeak ? !$0.record.offPeak : $0.sequence < $1.sequence
            }
        }
    }

    private let state = Mutex(State())
    public let cancellations = CancelSignal()
    public let changes = JobChanges()

    /// An empty store.
    public init() {}

    // MARK: Keys

    public func createKey(_ key: APIKeyRecord) async throws {
        state.withLock { $0.keys[key.id] = key }
    }

    public func keys() async throws -> [(key: APIKeyRecord, spent: Int)] {
        state.withLock { state in
            state.keys.values.sorted { $0.createdAt != $1.createdAt ? $0.createdAt > $1.createdAt : $0.id < $1.id }.map {
                ($0, state.spent(keyID: $0.id))
            }
        }
    }

    public func revokeKey(_ reference: String, at date: Date) async throws -> Bool {
        state.withLock { state in
            let matching = state.keys.values.filter { ($0.id == reference || $0.prefix == reference) && $0.revokedAt == nil }
            for key in matching { state.keys[key.id]?.revokedAt = date }
            return !matching.isEmpty
        }
    }

    public func setRateLimits(_ reference: String, _ limits: KeyRateLimits) async throws -> Bool {
        state.withLock { state in
            let matching = state.keys.values.filter { $0.id == reference || $0.prefix == reference }
            for key in matching { state.keys[key.id]?.rateLimits = limits }
            return !matching.isEmpty
        }
    }

    public func key(hash: String) async throws -> APIKeyRecord? {
        state.withLock { $0.keys.values.first { $0.hash == hash && $0.revokedAt == nil } }
    }

    public func key(id: String) async throws -> APIKeyRecord? {
        state.withLock { $0.keys[id] }
    }

    // MARK: Jobs

    public func create(_ job: NewJob) async throws -> (job: JobRecord, replayed: Bool) {
        let result = try state.withLock { state throws(JobStoreError) -> (job: JobRecord, replayed: Bool) in
            let slot = job.idempotencyKey.map { "\(job.keyID)\u{0}\($0)" }
            if let slot, let key = job.idempotencyKey, let earlier = state.idempotency[slot] {
                try CreateRules.checkReplay(key: key, recordedHash: earlier.hash, bodyHash: job.idempotencyBodyHash)
                guard let stored = state.jobs[earlier.jobID], stored.record.keyID == job.keyID else { throw CreateRules.replayedJobMissing }
                return (stored.record, true)
            }
            try CreateRules.checkBudget(amount: job.amount, budget: state.keys[job.keyID]?.budget, spent: state.spent(keyID: job.keyID))
            state.sequence += 1
            var record = JobRecord(
                id: job.id, keyID: job.keyID, model: job.model, arguments: nil, amount: job.amount, callbackURL: job.callbackURL,
                lifecycle: JobLifecycle(maxAttempts: job.maxAttempts), createdAt: job.createdAt, payload: job.payload, deadline: job.deadline)
            record.offPeak = job.offPeak
            record.callbackEvents = job.callbackEvents
            state.jobs[job.id] = Stored(record: record, arguments: job.arguments, sequence: state.sequence)
            if let slot { state.idempotency[slot] = (job.idempotencyBodyHash ?? "", job.id) }
            return (record, false)
        }
        if !result.replayed { changed([result.job.id], queue: true) }
        return result
    }

    public func job(id: String, keyID: String?) async throws -> JobRecord? {
        state.withLock { state in
            state.jobs[id].flatMap { keyID == nil || $0.record.keyID == keyID ? $0.record : nil }
        }
    }

    public func jobs(keyID: String, limit: Int, after: String?) async throws -> [JobRecord] {
        state.withLock { state in
            let before = after.map { id in state.jobs[id].flatMap { $0.record.keyID == keyID ? $0.sequence : nil } ?? -1 } ?? Int.max
            return Array(
                state.jobs.values.filter { $0.record.keyID == keyID && $0.sequence < before }.sorted { $0.sequence > $1.sequence }.prefix(limit)
                    .map(\.record))
        }
    }

    public func queuePosition(jobID: String) async throws -> Int? {
        state.withLock { $0.queue.firstIndex { $0.record.id == jobID } }
    }

    public func cancel(id: String, keyID: String, at date: Date) async throws -> (job: JobRecord, transition: JobLifecycle.Transition)? {
        let result: (job: JobRecord, transition: JobLifecycle.Transition)? = state.withLock { state in
            guard var stored = state.jobs[id], stored.record.keyID == keyID else { return nil }
            let transition = stored.record.lifecycle.apply(.cancel)
            _ = stored.record.settle(after: transition, now: date)
            if case .rejected = transition { return (state.jobs[id]!.record, transition) }
            state.jobs[id] = stored
            return (stored.record, transition)
        }
        if case .finished? = result?.transition { cancellations.notify(jobID: id) }
        if case .finished? = result?.transition { changed([id], queue: true) }
        return result
    }

    public func expireDeadlines(now: Date) async throws -> [String] {
        let expired = state.withLock { state in
            var expired: [(id: String, wasRunning: Bool)] = []
            for var stored in state.jobs.values.sorted(by: { $0.sequence < $1.sequence }) where !stored.record.status.isTerminal {
                let wasRunning = stored.record.status == .running
                guard let transition = stored.record.expireDeadline(now: now), case .finished = transition else { continue }
                _ = stored.record.settle(after: transition, now: now)
                state.jobs[stored.record.id] = stored
                expired.append((stored.record.id, wasRunning))
            }
            return expired
        }
        for job in expired where job.wasRunning { cancellations.notify(jobID: job.id) }
        changed(expired.map(\.id), queue: !expired.isEmpty)
        return expired.map(\.id)
    }

    public func markDataRemoved(id: String, keyID: String?, at date: Date) async throws -> JobRecord? {
        let result = state.withLock { state -> JobRecord? in
            guard var stored = state.jobs[id], keyID == nil || stored.record.keyID == keyID else { return nil }
            stored.record.dataRemovedAt = stored.record.dataRemovedAt ?? date
            stored.arguments = "{}"
            state.jobs[id] = stored
            return stored.record
        }
        if result != nil { changed([id], queue: false) }
        return result
    }

    public func jobsPastRetention(now: Date, limit: Int) async throws -> [String] {
        state.withLock { state in
            Array(
                state.jobs.values.sorted { $0.sequence < $1.sequence }.filter { stored in
                    guard stored.record.dataRemovedAt == nil, let finished = stored.record.finishedAt,
                        let retention = state.keys[stored.record.keyID]?.retentionSeconds
                    else { return false }
                    return finished.addingTimeInterval(Double(retention)) <= now
                }.prefix(limit).map(\.record.id))
        }
    }

    // MARK: Workers

    public func claim(now: Date, lease: Duration) async throws -> JobRecord? {
        let result = state.withLock { state -> JobRecord? in
            for candidate in state.queue {
                var stored = candidate
                // Past its deadline: canceled, never started.
                if let expired = stored.record.expireDeadline(now: now) {
                    _ = stored.record.settle(after: expired, now: now)
                    state.jobs[stored.record.id] = stored
                    continue
                }
                let transition = stored.record.lifecycle.apply(.claim)
                if case .claimed = transition {
                    stored.record.leaseExpiresAt = now.adding(lease)
                    stored.record.startedAt = stored.record.startedAt ?? now
                }
                _ = stored.record.settle(after: transition, now: now)
                state.jobs[stored.record.id] = stored
                if case .claimed = transition {
                    if stored.record.callbackURL != nil, stored.record.callbackEvents.contains(.start) {
                        state.enqueue(EventDelivery.new(jobID: stored.record.id, event: .start, progress: 0, now: now))
                    }
                    var claimed = stored.record
                    claimed.arguments = stored.arguments
                    return claimed
                }
                // Exhausted: it is failed now; take the next one.
            }
            return nil
        }
        if let result { changed([result.id], queue: true) }
        return result
    }

    public func heartbeat(id: String, token: Int64, progress: Int, now: Date, lease: Duration) async throws -> Bool? {
        let result = state.withLock { state -> Bool? in
            guard var stored = state.jobs[id], stored.record.lifecycle.leaseToken == token else { return nil }
            if stored.record.status == .canceled && stored.record.lifecycle.cancelRequested { return true }
            guard stored.record.status == .running else { return nil }
            stored.record.leaseExpiresAt = now.adding(lease)
            let old = stored.record.progress
            stored.record.progress = max(stored.record.progress, JobLifecycle.heartbeatProgress(progress))
            state.jobs[id] = stored
            let last = state.events.values.filter { $0.jobID == id && $0.event == .progress }.map(\.createdAt).max()
            if stored.record.callbackURL != nil,
                EventDelivery.progressDue(events: stored.record.callbackEvents, old: old, new: stored.record.progress, last: last, now: now)
            {
                state.enqueue(EventDelivery.new(jobID: id, event: .progress, progress: stored.record.progress, now: now))
            }
            return stored.record.lifecycle.cancelRequested
        }
        changed([id], queue: false)
        return result
    }

    public func finish(id: String, token: Int64, event: JobLifecycle.Event, output: JobOutput?, failure: JobFailure?, now: Date) async throws -> Bool
    {
        let result = state.withLock { state in
            guard var stored = state.jobs[id] else { return false }
            let transition = stored.record.lifecycle.apply(event)
            if case .rejected = transition { return false }
            stored.record.output = output ?? stored.record.output
            stored.record.failure = failure ?? stored.record.failure
            if case .succeed = event { stored.record.progress = 100 }
            _ = stored.record.settle(after: transition, now: now)
            state.jobs[id] = stored
            return true
        }
        if result { changed([id], queue: true) }
        return result
    }

    public func expireLeases(now: Date) async throws -> [String] {
        let result = state.withLock { state in
            var ids: [String] = []
            for var stored in state.jobs.values.sorted(by: { $0.sequence < $1.sequence }) {
                guard stored.record.status == .running, let expires = stored.record.leaseExpiresAt, expires < now else { continue }
                let transition = stored.record.lifecycle.apply(.leaseExpired)
                _ = stored.record.settle(after: transition, now: now)
                state.jobs[stored.record.id] = stored
                ids.append(stored.record.id)
            }
            return ids
        }
        changed(result, queue: !result.isEmpty)
        return result
    }

    // MARK: Callbacks

    public func claimWebhooks(now: Date, lock: Duration, limit: Int) async throws -> [JobRecord] {
        state.withLock { state in
            let due = state.jobs.values.compactMap { stored -> JobRecord? in
                guard let webhook = stored.record.webhook, [.pending, .retrying].contains(webhook.state), let next = webhook.nextAttemptAt,
                    next <= now
                else { return nil }
                return stored.record
            }
            .sorted { ($0.webhook?.nextAttemptAt ?? now) < ($1.webhook?.nextAttemptAt ?? now) }.prefix(limit)
            for job in due { state.jobs[job.id]?.record.webhook?.nextAttemptAt = now.adding(lock) }
            return Array(due)
        }
    }

    public func recordWebhook(jobID: String, state webhook: WebhookState) async throws {
        state.withLock { $0.jobs[jobID]?.record.webhook = webhook }
    }

    public func claimEventWebhooks(now: Date, lock: Duration, limit: Int) async throws -> [EventDelivery] {
        state.withLock { state in
            let due = state.events.values.filter { delivery in
                guard [.pending, .retrying].contains(delivery.webhook.state), let next = delivery.webhook.nextAttemptAt else { return false }
                return next <= now
            }
            .sorted { ($0.webhook.nextAttemptAt ?? now, $0.createdAt) < ($1.webhook.nextAttemptAt ?? now, $1.createdAt) }.prefix(limit)
            for delivery in due { state.events[delivery.webhook.id]?.webhook.nextAttemptAt = now.adding(lock) }
            return Array(due)
        }
    }

    public func recordEventWebhook(state webhook: WebhookState) async throws {
        state.withLock { state in
            // A superseded delivery stays so.
            guard state.events[webhook.id]?.webhook.lastError != EventDelivery.superseded else { return }
            state.events[webhook.id]?.webhook = webhook
        }
    }

    // MARK: Rate limits

    public func takeRateToken(bucket name: String, policy: RateLimitPolicy, now: Date) async throws -> RateBucket.Decision {
        state.withLock { state in
            var bucket = state.buckets[name] ?? .full(policy, now: now)
            let decision = bucket.take(policy: policy, now: now)
            state.buckets[name] = bucket
            return decision
        }
    }

    // MARK: Operations

    public func countsByStatus() async throws -> [JobStatus: Int] {
        state.withLock { state in
            var counts: [JobStatus: Int] = Dictionary(uniqueKeysWithValues: JobStatus.allCases.map { ($0, 0) })
            for stored in state.jobs.values { counts[stored.record.status, default: 0] += 1 }
            return counts
        }
    }

    public func ping() async throws {}
}

extension InMemoryJobStore {
    /// Tells the streams what changed.
    fileprivate func changed(_ ids: [String], queue: Bool) {
        for id in ids { changes.notify(jobID: id) }
        if queue { changes.notifyQueue() }
    }
}
