import InbetweenAPI
import InbetweenJobs
import Testing

/// The lifecycle rules, without a database.
@Suite("Job lifecycle")
struct JobLifecycleTests {
    @Test("a claim counts the attempt and hands out a new fencing token")
    func claimCountsAttempt() {
        var job = JobLifecycle(maxAttempts: 3)
        #expect(job.apply(.claim) == .claimed(token: 1))
        #expect(job.status == .running && job.attempts == 1)
        #expect(job.apply(.claim) == .rejected("job is running"))
    }

    @Test("only the current token may finish; a stale holder is refused and changes nothing")
    func fencing() {
        var job = JobLifecycle(maxAttempts: 3)
        _ = job.apply(.claim)
        _ = job.apply(.leaseExpired)
        #expect(job.apply(.claim) == .claimed(token: 2))
        let before = job
        guard case .rejected = job.apply(.succeed(token: 1)) else {
            Issue.record("a stale token finished the job")
            return
        }
        #expect(job == before)
        #expect(job.apply(.succeed(token: 2)) == .finished(.succeeded))
        guard case .rejected = job.apply(.succeed(token: 2)) else {
            Issue.record("a job completed twice")
            return
        }
    }

    @Test("a worker that dies every time exhausts the attempts and the job fails instead of looping")
    func exhaustion() {
        var job = JobLifecycle(maxAttempts: 2)
        #expect(job.apply(.claim) == .claimed(token: 1))
        #expect(job.apply(.leaseExpired) == .requeued)
        #expect(job.apply(.claim) == .claimed(token: 2))
        #expect(job.apply(.leaseExpired) == .exhausted)
        #expect(job.status == .failed)
        #expect(job.exhaustedFailure.message.contains("2 times"))
    }

    @Test("cancel ends a queued or a running job at once, and nothing its worker does after changes that")
    func cancel() {
        var queued = JobLifecycle(maxAttempts: 3)
        #expect(queued.apply(.cancel) == .finished(.canceled))
        var running = JobLifecycle(maxAttempts: 3)
        _ = running.apply(.claim)
        #expect(running.apply(.cancel) == .finished(.canceled))
        #expect(running.status == .canceled && running.cancelRequested)
        for late in [JobLifecycle.Event.succeed(token: 1), .fail(token: 1), .stopForCancel(token: 1), .release(token: 1), .leaseExpired, .claim] {
            guard case .rejected = running.apply(late) else {
                Issue.record("\(late) changed a canceled job")
                return
            }
            #expect(running.status == .canceled)
        }
        guard case .rejected = running.apply(.cancel) else {
            Issue.record("an ended job accepted a cancel")
            return
        }
    }

    @Test("a release at shutdown requeues and refunds the attempt; a canceled job stays canceled")
    func release() {
        var job = JobLifecycle(maxAttempts: 3)
        _ = job.apply(.claim)
        #expect(job.apply(.release(token: 1)) == .requeued)
        #expect(job.status == .queued && job.attempts == 0)
        _ = job.apply(.claim)
        #expect(job.apply(.cancel) == .finished(.canceled))
        guard case .rejected = job.apply(.release(token: 2)) else {
            Issue.record("a release requeued a canceled job")
            return
        }
        #expect(job.status == .canceled)
        // A row written before a cancel ended a running job (running, cancel flagged) still ends canceled.
        var legacy = JobLifecycle(status: .running, attempts: 1, maxAttempts: 3, cancelRequested: true, leaseToken: 1)
        #expect(legacy.apply(.release(token: 1)) == .finished(.canceled))
    }

    @Test("a heartbeat records 0 to 99; a cancel after the end says so with the final status")
    func heartbeatAndEndedCancel() {
        #expect(JobLifecycle.heartbeatProgress(-5) == 0)
        #expect(JobLifecycle.heartbeatProgress(42) == 42)
        #expect(JobLifecycle.heartbeatProgress(100) == 99)
        #expect(
            JobLifecycle.nothingToCancel(jobID: "job_x", status: .succeeded)
                == "job job_x has already ended (status 2, succeeded); there is nothing to cancel.")
    }
}
