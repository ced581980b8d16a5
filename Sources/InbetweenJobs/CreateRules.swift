public import InbetweenAPI

/// The rules a create is held to, once, as pure functions: a store reads what they need under
/// its lock (the key's budget and spending, an earlier use of the idempotency key), asks them,
/// and writes only what they allow. Each rule has its one message here.
public enum CreateRules {
    /// The statuses whose jobs count against a key's budget: queued, running and succeeded.
    /// Failed and canceled jobs are not charged.
    public static let chargedStatuses: [JobStatus] = [.queued, .running, .succeeded]

    /// `chargedStatuses` as a SQL list of their numbers (`0, 1, 2`), for `status IN (...)`.
    public static var chargedStatusList: String { chargedStatuses.map { String($0.rawValue) }.joined(separator: ", ") }

    /// Checks a create of `amount` against the key's `budget` (nil: unlimited) with `spent`
    /// already charged; all in thousandths of a dollar.
    /// - Throws: `JobStoreError.Code.budgetExceeded`, naming the cost, what is left and the budget.
    public static func checkBudget(amount: Int, budget: Int?, spent: Int) throws(JobStoreError) {
        guard let budget, spent + amount > budget else { return }
        throw JobStoreError(
            .budgetExceeded,
            "this job costs $\(Pricing.format(thousandths: amount)) but the key has $\(Pricing.format(thousandths: max(0, budget - spent))) left of its $\(Pricing.format(thousandths: budget)) budget."
        )
    }

    /// Checks a create that repeats idempotency key `key`, first recorded with a body hashing
    /// to `recordedHash`, now sent with a body hashing to `bodyHash`: the same body replays the
    /// earlier job.
    /// - Throws: `JobStoreError.Code.idempotencyKeyReused` when the bodies differ.
    public static func checkReplay(key: String, recordedHash: String, bodyHash: String?) throws(JobStoreError) {
        guard recordedHash != bodyHash else { return }
        throw JobStoreError(
            .idempotencyKeyReused,
            "`Idempotency-Key` \"\(key.prefix(64))\" was already used with a different request body; use a new key for a new request.")
    }

    /// The earlier job of a replayed idempotency key is gone.
    public static var replayedJobMissing: JobStoreError {
        JobStoreError(.inconsistent, "the job recorded for this Idempotency-Key is missing.")
    }

    /// The job just written cannot be read back.
    public static var createdJobMissing: JobStoreError {
        JobStoreError(.inconsistent, "the job just recorded cannot be read back.")
    }
}
