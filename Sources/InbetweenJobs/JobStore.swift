public import Foundation
public import InbetweenAPI

/// Where jobs, keys and callbacks live. One conformance suite runs against every store.
///
/// Rule violations a client can act on (budget, idempotency) are thrown as `APIError`;
/// anything else the store throws is an outage (503 at the edge).
public protocol JobStore: Sendable {
    // MARK: Keys

    func createKey(_ key: APIKeyRecord) async throws
    /// Every key, newest first, with what each has spent (thousandths).
    func keys() async throws -> [(key: APIKeyRecord, spent: Int)]
    /// Revokes the key whose id or prefix is `reference`; false when there is none.
    func revokeKey(_ reference: String, at date: Date) async throws -> Bool
    /// Sets the request budgets of the key whose id or prefix is `reference`; false when there is none.
    func setRateLimits(_ reference: String, _ limits: KeyRateLimits) async throws -> Bool
    /// The unrevoked key with this SHA-256.
    func key(hash: String) async throws -> APIKeyRecord?
    func key(id: String) async throws -> APIKeyRecord?

    // MARK: Jobs

    /// Records a job in one transaction with the budget and idempotency checks. Returns
    /// the new job, or the earlier job for a repeated idempotency key and body.
    func create(_ job: NewJob) async throws -> (job: JobRecord, replayed: Bool)
    /// The job, only if `keyID` owns it (nil: any owner).
    func job(id: String, keyID: String?) async throws -> JobRecord?
    /// A key's jobs, newest first, older than the job `after` when given.
    func jobs(keyID: String, limit: Int, after: String?) async throws -> [JobRecord]
    /// How many queued jobs are ahead of this queued job.
    func queuePosition(jobID: String) async throws -> Int?
    /// A client's cancel: a queued or running job ends canceled (status 4) at once and for
    /// good; a running job's worker is told through `cancellations` and can no longer
    /// complete it. The transition is `.rejected` when the job had already ended.
    func cancel(id: String, keyID: String, at date: Date) async throws -> (job: JobRecord, transition: JobLifecycle.Transition)?

    /// Cancels every queued or running job whose deadline (`Cancel-After`) is at or before
    /// `now`, each with an error naming the deadline (canceled jobs are not charged); a running
    /// one's worker is told through `cancellations`. Returns their ids.
    func expireDeadlines(now: Date) async throws -> [String]
    /// Records that the job's results and input copies are gone (the caller removed its files
    /// from the result store first) and drops its stored arguments; the job keeps its facts,
    /// amount and payload. Idempotent: a second call keeps the first time. Returns the job as it
    /// now is, or nil when there is none for `keyID` (nil: any owner).
    func markDataRemoved(id: String, keyID: String?, at date: Date) async throws -> JobRecord?
    /// Up to `limit` ended jobs whose key's retention ran out by `now` and whose data is still there.
    func jobsPastRetention(now: Date, limit: Int) async throws -> [String]

    // MARK: Workers

    /// Claims the oldest queued job (counting the attempt) under a lease until `now + lease`.
    func claim(now: Date, lease: Duration) async throws -> JobRecord?
    /// Extends the lease and records progress. Returns nil when the lease is lost (another
    /// claim holds the job), true when the job was canceled under this claim (stop now), else false.
    func heartbeat(id: String, token: Int64, progress: Int, now: Date, lease: Duration) async throws -> Bool?
    /// Ends a claimed job; false when `token` no longer holds it or the job was canceled
    /// (nothing is written: a recorded cancel wins over a completion).
    func finish(id: String, token: Int64, event: JobLifecycle.Event, output: JobOutput?, failure: JobFailure?, now: Date) async throws -> Bool
    /// Requeues (or fails, past the attempts) running jobs whose lease ran out; their ids.
    func expireLeases(now: Date) async throws -> [String]

    // MARK: Callbacks

    /// Takes up to `limit` callbacks due at `now`, hiding them from other senders until
    /// `now + lock`.
    func claimWebhooks(now: Date, lock: Duration, limit: Int) async throws -> [JobRecord]
    /// Records one delivery attempt's outcome.
    func recordWebhook(jobID: String, state: WebhookState) async throws
    /// Takes up to `limit` start and progress deliveries due at `now` (a claim makes a job's
    /// `start`, a heartbeat that moved its progress a `progress`, at most one a second, which
    /// supersedes the ones not yet delivered), hiding them from other senders until `now + lock`.
    func claimEventWebhooks(now: Date, lock: Duration, limit: Int) async throws -> [EventDelivery]
    /// Records one event delivery attempt's outcome (`state.id` names it).
    func recordEventWebhook(state: WebhookState) async throws

    // MARK: Rate limits

    /// Takes one request from a token bucket: `bucket` names it (a key's id and what the
    /// requests are spent on: `key_x/create`, `key_x/read`). Stores shared by several nodes
    /// keep the bucket in the database; a single-process store may keep it in memory.
    func takeRateToken(bucket: String, policy: RateLimitPolicy, now: Date) async throws -> RateBucket.Decision

    // MARK: Signals

    /// Notified (in this process) when a cancel is recorded, by this node or, for a store
    /// shared by several nodes, by any node: workers stop a canceled render through it.
    var cancellations: CancelSignal { get }
    /// Notified (in this process) after every write that changes what a query of a job shows,
    /// by this node or, for a store shared by several nodes, by any node: live streams wait on it.
    var changes: JobChanges { get }
    /// A render of `jobID` reached `progress` (0–99) before its next heartbeat records it: live
    /// streams (on any node, for a shared store) show it. Workers call it at most every 250 ms.
    func publishProgress(jobID: String, progress: Int) async throws

    // MARK: Operations

    /// Jobs per status.
    func countsByStatus() async throws -> [JobStatus: Int]
    /// Answers when the store can serve (for `/readyz`).
    func ping() async throws
}

extension JobStore {
    /// In process: this process's streams hear it.
    public func publishProgress(jobID: String, progress: Int) async throws {
        changes.notify(jobID: jobID, progress: progress)
    }
}

extension Date {
    /// Milliseconds since 1970, as the stores keep times.
    public var milliseconds: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    /// The time `milliseconds` after 1970, or nil for nil.
    public init?(milliseconds: Int64?) {
        guard let milliseconds else { return nil }
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `self + duration`.
    public func adding(_ duration: Duration) -> Date {
        let (seconds, attoseconds) = duration.components
        return addingTimeInterval(Double(seconds) + Double(attoseconds) * 1e-18)
    }
}
