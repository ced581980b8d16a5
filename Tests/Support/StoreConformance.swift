public import Foundation
import InbetweenAPI
public import InbetweenJobs
import Testing

/// What every `JobStore` must do. The checks are generic over the store; every store (in
/// memory, SQLite, PostgreSQL) runs them.
public enum StoreConformance {
    public static func key(_ store: some JobStore, budget: Int? = nil, retention: Int? = nil) async throws -> APIKeyRecord {
        let secret = Secrets.newAPIKey()
        let key = APIKeyRecord(
            id: "key_" + Secrets.randomToken(12), name: "test", prefix: String(secret.prefix(11)), hash: Secrets.sha256(secret),
            webhookSecret: Secrets.newWebhookSecret(), budget: budget, createdAt: Date(), retentionSeconds: retention)
        try await store.createKey(key)
        return key
    }

    public static func newJob(
        _ key: APIKeyRecord, amount: Int = 275, callback: String? = nil, maxAttempts: Int = 3, idempotency: (String, String)? = nil,
        createdAt: Date = Date(), payload: String? = nil, deadline: Date? = nil
    )
        -> NewJob
    {
        NewJob(
            id: Secrets.newJobID(), keyID: key.id, model: modelID, arguments: #"{"prompt":"x"}"#, amount: amount, callbackURL: callback,
            maxAttempts: maxAttempts, createdAt: createdAt, idempotencyKey: idempotency?.0, idempotencyBodyHash: idempotency?.1, payload: payload,
            deadline: deadline)
    }

    public static func keysAndOwnership(_ store: some JobStore) async throws {
        let alice = try await key(store)
        let bob = try await key(store)
        #expect(try await store.key(hash: alice.hash)?.id == alice.id)
        let job = try await store.create(newJob(alice)).job
        #expect(try await store.job(id: job.id, keyID: alice.id)?.id == job.id)
        #expect(try await store.job(id: job.id, keyID: bob.id) == nil)
        #expect(try await store.jobs(keyID: bob.id, limit: 10, after: nil).isEmpty)
        #expect(try await store.revokeKey(alice.id, at: Date()))
        #expect(try await store.key(hash: alice.hash) == nil)
        #expect(try await !store.revokeKey(alice.id, at: Date()))
        let listed = try await store.keys()
        #expect(listed.first { $0.key.id == alice.id }?.spent == 275)
    }

    public static func idempotencyAndBudget(_ store: some JobStore) async throws {
        let key = try await key(store, budget: 500)
        let first = try await store.create(newJob(key, idempotency: ("k1", "body-a")))
        let again = try await store.create(newJob(key, idempotency: ("k1", "body-a")))
        #expect(!first.replayed && again.replayed && again.job.id == first.job.id)
        await #expect { try await store.create(newJob(key, idempotency: ("k1", "body-b"))) } throws: {
            ($0 as? JobStoreError)?.code == .idempotencyKeyReused
        }
        // 275 spent of 500: another 275 is refused with the amounts named.
        do {
            _ = try await store.create(newJob(key))
            Issue.record("a create beyond the budget was accepted")
        } catch let error as JobStoreError {
            #expect(error.code == .budgetExceeded)
            #expect(error.message.contains("$0.275") && error.message.contains("$0.225") && error.message.contains("$0.50"))
        }
        // A canceled job gives its amount back.
        _ = try await store.cancel(id: first.job.id, keyID: key.id, at: Date())
        #expect(try await !store.create(newJob(key)).replayed)
    }

    public static func claimHeartbeatFinish(_ store: some JobStore) async throws {
        let key = try await key(store)
        let a = try await store.create(newJob(key)).job
        let b = try await store.create(newJob(key)).job
        #expect(try await store.queuePosition(jobID: a.id) == 0)
        #expect(try await store.queuePosition(jobID: b.id) == 1)
        let claimed = try #require(try await store.claim(now: Date(), lease: .seconds(30)))
        #expect(claimed.id == a.id && claimed.lifecycle.attempts == 1 && claimed.arguments == #"{"prompt":"x"}"#)
        #expect(try await store.queuePosition(jobID: b.id) == 0)
        let token = claimed.lifecycle.leaseToken
        #expect(try await store.heartbeat(id: a.id, token: token, progress: 40, now: Date(), lease: .seconds(30)) == false)
        #expect(try await store.job(id: a.id, keyID: nil)?.progress == 40)
        #expect(try await store.heartbeat(id: a.id, token: token + 1, progress: 50, now: Date(), lease: .seconds(30)) == nil)
        // A cancel ends the running job at once; its worker's heartbeat is told to stop.
        #expect(try await store.cancel(id: a.id, keyID: key.id, at: Date())?.transition == .finished(.canceled))
        #expect(try await store.job(id: a.id, keyID: nil)?.status == .canceled)
        #expect(try await store.heartbeat(id: a.id, token: token, progress: 60, now: Date(), lease: .seconds(30)) == true)
        #expect(try await store.heartbeat(id: a.id, token: token + 1, progress: 60, now: Date(), lease: .seconds(30)) == nil)
        let output = JobOutput(video: "v", cover: "c", width: 2, height: 2, fps: 24, frames: 24, duration: 1, bytes: 1, engine: "motion")
        #expect(try await !store.finish(id: a.id, token: token + 1, event: .succeed(token: token + 1), output: output, failure: nil, now: Date()))
        #expect(try await !store.finish(id: a.id, token: token, event: .stopForCancel(token: token), output: nil, failure: nil, now: Date()))
        #expect(try await store.job(id: a.id, keyID: nil)?.status == .canceled)

        let second = try #require(try await store.claim(now: Date(), lease: .seconds(30)))
        #expect(second.id == b.id)
        let t = second.lifecycle.leaseToken
        #expect(try await store.finish(id: b.id, token: t, event: .succeed(token: t), output: output, failure: nil, now: Date()))
        #expect(try await !store.finish(id: b.id, token: t, event: .succeed(token: t), output: output, failure: nil, now: Date()))
        let done = try #require(try await store.job(id: b.id, keyID: key.id))
        #expect(done.status == .succeeded && done.output == output && done.progress == 100 && done.finishedAt != nil)
        #expect(try await store.claim(now: Date(), lease: .seconds(30)) == nil)
        let counts = try await store.countsByStatus()
        #expect(counts[.succeeded] == 1 && counts[.canceled] == 1 && counts[.queued] == 0)
    }

    public static func expiredLeases(_ store: some JobStore) async throws {
        let key = try await key(store)
        let job = try await store.create(newJob(key, maxAttempts: 2)).job
        let start = Date()
        let first = try #require(try await store.claim(now: start, lease: .seconds(1)))
        #expect(try await store.expireLeases(now: start.addingTimeInterval(0.5)).isEmpty)
        #expect(try await store.expireLeases(now: start.addingTimeInterval(2)) == [job.id])
        #expect(try await store.job(id: job.id, keyID: nil)?.status == .queued)
        let second = try #require(try await store.claim(now: start.addingTimeInterval(2), lease: .seconds(1)))
        #expect(second.lifecycle.leaseToken > first.lifecycle.leaseToken && second.lifecycle.attempts == 2)
        // The first holder comes back from the dead: fenced out.
        let token = first.lifecycle.leaseToken
        #expect(try await !store.finish(id: job.id, token: token, event: .fail(token: token), output: nil, failure: nil, now: Date()))
        #expect(try await store.expireLeases(now: start.addingTimeInterval(4)) == [job.id])
        let failed = try #require(try await store.job(id: job.id, keyID: nil))
        #expect(failed.status == .failed && failed.failure?.message.contains("2 times") == true)
    }

    public static func callbacksAndPages(_ store: some JobStore) async throws {
        let key = try await key(store)
        let job = try await store.create(newJob(key, callback: "https://example.com/hook")).job
        _ = try await store.cancel(id: job.id, keyID: key.id, at: Date())
        let due = try await store.claimWebhooks(now: Date(), lock: .seconds(60), limit: 10)
        let webhook = try #require(due.first { $0.id == job.id }?.webhook)
        #expect(webhook.state == .pending && webhook.id.hasPrefix("msg_"))
        // Locked: a second sender does not get it.
        #expect(try await store.claimWebhooks(now: Date(), lock: .seconds(60), limit: 10).contains { $0.id == job.id } == false)
        try await store.recordWebhook(jobID: job.id, state: WebhookState(state: .delivered, id: webhook.id, attempts: 1, lastStatus: 200))
        #expect(try await store.job(id: job.id, keyID: nil)?.webhook?.state == .delivered)

        var ids: [String] = []
        for _ in 0..<5 { ids.append(try await store.create(newJob(key)).job.id) }
        let page1 = try await store.jobs(keyID: key.id, limit: 2, after: nil)
        let page2 = try await store.jobs(keyID: key.id, limit: 2, after: page1.last?.id)
        #expect(page1.map(\.id) == [ids[4], ids[3]])
        #expect(page2.map(\.id) == [ids[2], ids[1]])
    }
}

extension StoreConformance {
    public static func rateLimits(_ store: some JobStore) async throws {
        let key = try await Self.key(store)
        let other = try await Self.key(store)
        let policy = RateLimitPolicy(limit: 3, window: .seconds(60))
        let now = Date()
        let creates = "\(key.id)/create"
        var decisions: [RateBucket.Decision] = []
        for _ in 0..<4 { decisions.append(try await store.takeRateToken(bucket: creates, policy: policy, now: now)) }
        #expect(decisions.map(\.allowed) == [true, true, true, false])
        #expect(decisions.map(\.remaining) == [2, 1, 0, 0])
        #expect(decisions[3].retryAfter == 20)
        #expect(try await store.takeRateToken(bucket: "\(other.id)/create", policy: policy, now: now).allowed)
        // The same key's other bucket is apart.
        #expect(try await store.takeRateToken(bucket: "\(key.id)/read", policy: policy, now: now).allowed)
        // One token back every 20 s.
        #expect(try await store.takeRateToken(bucket: creates, policy: policy, now: now.addingTimeInterval(21)).allowed)
        #expect(try await !store.takeRateToken(bucket: creates, policy: policy, now: now.addingTimeInterval(21)).allowed)
        // A key's own budgets are kept with it.
        #expect(try await store.setRateLimits(key.prefix, KeyRateLimits(creates: 7, reads: nil)))
        #expect(try await store.key(hash: key.hash)?.rateLimits == KeyRateLimits(creates: 7, reads: nil))
        #expect(try await !store.setRateLimits("key_none", KeyRateLimits()))
    }

    /// A recorded cancel wins: the store refuses the completion, the failure and the lease
    /// expiry that come after it, the worker is signalled, and the callback says 4.
    public static func cancelWins(_ store: some JobStore) async throws {
        let key = try await key(store)
        let job = try await store.create(newJob(key, callback: "https://example.com/hook")).job
        let claimed = try #require(try await store.claim(now: Date(), lease: .seconds(1)))
        let token = claimed.lifecycle.leaseToken
        async let signalled: Void = store.cancellations.wait(jobID: job.id)
        let canceled = try #require(try await store.cancel(id: job.id, keyID: key.id, at: Date()))
        #expect(canceled.transition == .finished(.canceled) && canceled.job.status == .canceled && canceled.job.finishedAt != nil)
        await signalled
        let output = JobOutput(video: "v", cover: "c", width: 2, height: 2, fps: 24, frames: 24, duration: 1, bytes: 1, engine: "motion")
        #expect(try await !store.finish(id: job.id, token: token, event: .succeed(token: token), output: output, failure: nil, now: Date()))
        #expect(try await !store.finish(id: job.id, token: token, event: .fail(token: token), output: nil, failure: nil, now: Date()))
        #expect(try await !store.finish(id: job.id, token: token, event: .release(token: token), output: nil, failure: nil, now: Date()))
        #expect(try await store.expireLeases(now: Date().addingTimeInterval(5)).isEmpty)
        let after = try #require(try await store.job(id: job.id, keyID: key.id))
        #expect(after.status == .canceled && after.output == nil && after.webhook?.state == .pending)
        // A second cancel is refused: the job has ended.
        guard case .rejected? = try await store.cancel(id: job.id, keyID: key.id, at: Date())?.transition else {
            Issue.record("a canceled job accepted another cancel")
            return
        }
        // A late waiter still hears of it.
        await store.cancellations.wait(jobID: job.id)
    }

    public static func concurrentClaims(_ store: some JobStore) async throws {
        let key = try await key(store)
        var ids = Set<String>()
        for _ in 0..<40 { ids.insert(try await store.create(newJob(key)).job.id) }
        let claimed = try await withThrowingTaskGroup(of: [String].self) { group in
            for _ in 0..<6 {
                group.addTask {
                    var mine: [String] = []
                    while let job = try await store.claim(now: Date(), lease: .seconds(60)) { mine.append(job.id) }
                    return mine
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(claimed.count == 40)
        #expect(Set(claimed) == ids)
    }
}
