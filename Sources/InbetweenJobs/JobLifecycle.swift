public import Foundation
public import InbetweenAPI

/// The job lifecycle as a pure state machine: events in, a transition out. Stores read the
/// lifecycle of a row, apply an event under their lock and write the result back; the
/// rules (attempts counted at claim, fencing tokens, retry limits) live here once.
public struct JobLifecycle: Sendable, Hashable {
    public var status: JobStatus
    /// Claims so far; counted when a worker claims the job, so a crash still counts.
    public var attempts: Int
    public var maxAttempts: Int
    /// A client's cancel was recorded (queued or running): the job is canceled (status 4) and
    /// stays so. A worker still rendering it learns of it (a signal, else its next heartbeat),
    /// stops, and can no longer complete it: a cancel answered 200 always wins.
    public var cancelRequested: Bool
    /// The fencing token of the current (or last) claim: only its holder may finish the job.
    public var leaseToken: Int64

    public init(status: JobStatus = .queued, attempts: Int = 0, maxAttempts: Int, cancelRequested: Bool = false, leaseToken: Int64 = 0) {
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.cancelRequested = cancelRequested
        self.leaseToken = leaseToken
    }

    public enum Event: Sendable, Hashable {
        /// A worker takes the job.
        case claim
        /// The holder of `token` rendered it.
        case succeed(token: Int64)
        /// The holder of `token` failed it.
        case fail(token: Int64)
        /// The holder of `token` stopped because a cancel was requested.
        case stopForCancel(token: Int64)
        /// The holder of `token` gives it back unfinished (shutdown); the attempt is refunded.
        case release(token: Int64)
        /// The lease ran out: the holder is presumed dead.
        case leaseExpired
        /// A client asks to cancel.
        case cancel
        /// The job's deadline (`Cancel-After`) passed before it finished: canceled like a
        /// client's cancel (a running render is stopped), with an error naming the deadline.
        case deadlinePassed
    }

    public enum Transition: Sendable, Hashable {
        /// Now running under this token.
        case claimed(token: Int64)
        /// Now in a terminal state (2, 3 or 4): record the end and schedule the callback.
        case finished(JobStatus)
        /// Every attempt was used by a worker that never finished: failed (terminal).
        case exhausted
        /// Back in the queue.
        case requeued
        /// The event does not apply (wrong state or stale token); nothing changes.
        case rejected(String)
    }

    /// Applies `event` and returns what happened; on `.rejected` the value is unchanged.
    public mutating func apply(_ event: Event) -> Transition {
        switch (status, event) {
        case (.queued, .claim):
            guard attempts < maxAttempts else {
                status = .failed
                return .exhausted
            }
            attempts += 1
            leaseToken += 1
            status = .running
            return .claimed(token: leaseToken)
        case (.running, .succeed(let token)) where token == leaseToken:
            status = .succeeded
            return .finished(.succeeded)
        case (.running, .fail(let token)) where token == leaseToken:
            status = .failed
            return .finished(.failed)
        case (.running, .stopForCancel(let token)) where token == leaseToken:
            status = .canceled
            return .finished(.canceled)
        case (.running, .release(let token)) where token == leaseToken:
            if cancelRequested {
                status = .canceled
                return .finished(.canceled)
            }
            attempts = max(0, attempts - 1)
            status = .queued
            return .requeued
        case (.running, .leaseExpired):
            if cancelRequested {
                status = .canceled
                return .finished(.canceled)
            }
            guard attempts < maxAttempts else {
                status = .failed
                return .exhausted
            }
            status = .queued
            return .requeued
        case (.queued, .cancel), (.running, .cancel), (.queued, .deadlinePassed), (.running, .deadlinePassed):
            // A running job ends here too, not when its worker stops: once a cancel is
            // recorded, no later event (a completion that lost the race, a failure, a lease
            // expiry) can give the job another end.
            cancelRequested = true
            status = .canceled
            return .finished(.canceled)
        case (_, .succeed), (_, .fail), (_, .stopForCancel), (_, .release):
            return .rejected("the lease is no longer held (job \(status.name), token \(leaseToken))")
        default:
            return .rejected("job is \(status.name)")
        }
    }

    /// The failure recorded when every attempt died with its worker.
    public var exhaustedFailure: JobFailure {
        JobFailure(
            code: APIError.Code.internalError.rawValue,
            message: "the job was started \(attempts) time\(attempts == 1 ? "" : "s") and its worker stopped each time before finishing; giving up."
        )
    }
}

extension JobLifecycle {
    /// The progress a heartbeat may record: 0 to 99 (100 is written only when the job
    /// succeeds). Stores keep the larger of this and what they had, so progress never goes back.
    public static func heartbeatProgress(_ reported: Int) -> Int {
        min(99, max(0, reported))
    }

    /// The error of a job canceled because its deadline passed: `queued` says whether it had
    /// not started. Canceled jobs are not charged.
    public static func deadlineFailure(deadline: Date, createdAt: Date, started: Bool) -> JobFailure {
        let seconds = Int((deadline.timeIntervalSince(createdAt)).rounded())
        let what = started ? "was still running at" : "had not started by"
        return JobFailure(
            code: APIError.Code.deadlinePassed.rawValue,
            message: "the job \(what) its Cancel-After deadline (\(seconds) s after it was created); it was canceled and is not charged.")
    }

    /// How long an off-peak job may take from its create to its end before it is canceled (and
    /// so not charged).
    public static let offPeakWindow: Duration = .seconds(48 * 3600)

    /// The error of an off-peak job canceled because it had not finished within 48 hours.
    public static var offPeakFailure: JobFailure {
        JobFailure(
            code: APIError.Code.offPeakExpired.rawValue,
            message: "the off-peak job did not finish within 48 hours of its create; it was canceled and is not charged.")
    }

    /// Why a client's cancel changes nothing: job `jobID` has already ended with `status`.
    /// The HTTP edge answers it with 409.
    public static func nothingToCancel(jobID: String, status: JobStatus) -> String {
        "job \(jobID) has already ended (status \(status.rawValue), \(status.name)); there is nothing to cancel."
    }
}
