import Foundation
import InbetweenAPI
public import InbetweenJobs
import Testing

/// The checks of the API's extensions (payload, deadlines, data removal and retention), on
/// every store. Times are passed in, as the stores take them: the clock is injected.
extension StoreConformance {
    /// `payload` is kept as sent (up to 1 MiB) and read back by a query and a listing.
    public static func payload(_ store: some JobStore) async throws {
        let key = try await key(store)
        let big = String(repeating: "é", count: 512 * 1024)  // 1 MiB of UTF-8
        let job = try await store.create(newJob(key, payload: big)).job
        let plain = try await store.create(newJob(key)).job
        #expect(job.payload == big)
        #expect(try await store.job(id: job.id, keyID: key.id)?.payload == big)
        #expect(try await store.jobs(keyID: key.id, limit: 10, after: nil).map(\.payload) == [nil, big])
        #expect(plain.payload == nil)
        let claimed = try #require(try await store.claim(now: Date(), lease: .seconds(30)))
        #expect(claimed.id == job.id && claimed.payload == big)
    }

    /// A job past its deadline is canceled with an error naming it, whether it had started or
    /// not, is not charged, and is never claimed; a running one's worker is told to stop.
    public static func deadlines(_ store: some JobStore) async throws {
        let key = try await key(store)
        let start = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))
        let running = try await store.create(newJob(key, createdAt: start, deadline: start.addingTimeInterval(10))).job
        let queued = try await store.create(newJob(key, createdAt: start, deadline: start.addingTimeInterval(10))).job
        let plain = try await store.create(newJob(key, createdAt: start)).job
        let claimed = try #require(try await store.claim(now: start.addingTimeInterval(1), lease: .seconds(60)))
        #expect(claimed.id == running.id && claimed.deadline?.milliseconds == start.addingTimeInterval(10).milliseconds)
        #expect(try await store.expireDeadlines(now: start.addingTimeInterval(9.9)).isEmpty)

        async let signalled: Void = store.cancellations.wait(jobID: running.id)
        #expect(Set(try await store.expireDeadlines(now: start.addingTimeInterval(10))) == [running.id, queued.id])
        await signalled
        let stopped = try #require(try await store.job(id: running.id, keyID: key.id))
        #expect(stopped.status == .canceled && stopped.failure?.code == APIError.Code.deadlinePassed.rawValue)
        #expect(stopped.failure?.message.contains("still running at its Cancel-After deadline (10 s") == true, "\(stopped.failure?.message ?? "")")
        let late = try #require(try await store.job(id: queued.id, keyID: key.id))
        #expect(late.status == .canceled && late.startedAt == nil && late.failure?.code == APIError.Code.deadlinePassed.rawValue)
        #expect(late.failure?.message.contains("had not started by its Cancel-After deadline") == true)
        // The stopped render cannot complete it.
        let token = claimed.lifecycle.leaseToken
        let output = JobOutput(video: "v", cover: "c", width: 2, height: 2, fps: 24, frames: 24, duration: 1, bytes: 1, engine: "motion")
        #expect(try await !store.finish(id: running.id, token: token, event: .succeed(token: token), output: output, failure: nil, now: Date()))
        #expect(try await store.expireDeadlines(now: start.addingTimeInterval(20)).isEmpty)
        // Neither is charged: only the plain job counts.
        #expect(try await store.keys().first { $0.key.id == key.id }?.spent == plain.amount)

        // A claim after the deadline, before any sweep, does not start the job.
        let missed = try await store.create(newJob(key, createdAt: start, deadline: start.addingTimeInterval(25))).job
        #expect(try await store.claim(now: start.addingTimeInterval(30), lease: .seconds(60))?.id == plain.id)
        #expect(try await store.claim(now: start.addingTimeInterval(30), lease: .seconds(60)) == nil)
        let never = try #require(try await store.job(id: missed.id, keyID: key.id))
        #expect(never.status == .canceled && never.startedAt == nil && never.failure?.code == APIError.Code.deadlinePassed.rawValue)
    }

    /// Removing a job's data keeps the job (its facts, amount and payload), drops its stored
    /// arguments and is idempotent; retention finds only ended jobs of keys that have one, once
    /// their time is up.
    public static func dataRemovalAndRetention(_ store: some JobStore) async throws {
        let keeping = try await key(store, retention: 3600)
        let other = try await key(store)
        #expect(try await store.key(id: keeping.id)?.retentionSeconds == 3600)
        let start = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))
        let output = JobOutput(video: "v", cover: "c", width: 2, height: 2, fps: 24, frames: 24, duration: 1, bytes: 1, engine: "motion")
        var ended: [String] = []
        for owner in [keeping, other] {
            let job = try await store.create(newJob(owner, payload: "mine")).job
            let claimed = try #require(try await store.claim(now: start, lease: .seconds(60)))
            let token = claimed.lifecycle.leaseToken
            #expect(try await store.finish(id: job.id, token: token, event: .succeed(token: token), output: output, failure: nil, now: start))
            ended.append(job.id)
        }
        let waiting = try await store.create(newJob(keeping)).job
        #expect(try await store.jobsPastRetention(now: start.addingTimeInterval(3599), limit: 10).isEmpty)
        #expect(try await store.jobsPastRetention(now: start.addingTimeInterval(3600), limit: 10) == [ended[0]])

        #expect(try await store.markDataRemoved(id: ended[0], keyID: other.id, at: start) == nil)
        let removedAt = start.addingTimeInterval(5)
        let removed = try #require(try await store.markDataRemoved(id: ended[0], keyID: keeping.id, at: removedAt))
        #expect(removed.dataRemovedAt?.milliseconds == removedAt.milliseconds && removed.status == .succeeded && removed.payload == "mine")
        let again = try #require(try await store.markDataRemoved(id: ended[0], keyID: nil, at: removedAt.addingTimeInterval(60)))
        #expect(again.dataRemovedAt?.milliseconds == removedAt.milliseconds)
        #expect(try await store.jobsPastRetention(now: start.addingTimeInterval(7200), limit: 10).isEmpty)
        #expect(try await store.job(id: waiting.id, keyID: nil)?.dataRemovedAt == nil)
        // The spend is what it was: the succeeded job and the queued one.
        #expect(try await store.keys().first { $0.key.id == keeping.id }?.spent == 2 * 275)
    }

    /// Off-peak jobs are claimed only when no normal job is queued (and queue behind them);
    /// one not finished within its 48 hours is canceled with an error saying so, not charged.
    public static func offPeak(_ store: some JobStore) async throws {
        let key = try await key(store)
        let start = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))
        var cheap = newJob(key, amount: 137, createdAt: start, deadline: start.adding(JobLifecycle.offPeakWindow))
        cheap.offPeak = true
        let offPeak = try await store.create(cheap).job
        #expect(offPeak.offPeak)
        let first = try await store.create(newJob(key, createdAt: start)).job
        let second = try await store.create(newJob(key, createdAt: start)).job
        // Normal jobs go first, even those created after it.
        #expect(try await store.queuePosition(jobID: offPeak.id) == 2)
        #expect(try await store.queuePosition(jobID: first.id) == 0)
        #expect(try await store.claim(now: start, lease: .seconds(60))?.id == first.id)
        #expect(try await store.queuePosition(jobID: offPeak.id) == 1)
        #expect(try await store.claim(now: start, lease: .seconds(60))?.id == second.id)
        #expect(try await store.queuePosition(jobID: offPeak.id) == 0)
        // None queued now: it runs.
        let claimed = try #require(try await store.claim(now: start, lease: .seconds(60)))
        #expect(claimed.id == offPeak.id && claimed.offPeak)

        // Not finished 48 h after its create: canceled, refunded, saying why.
        var late = newJob(key, amount: 137, createdAt: start, deadline: start.adding(JobLifecycle.offPeakWindow))
        late.offPeak = true
        let waiting = try await store.create(late).job
        #expect(try await store.expireDeadlines(now: start.addingTimeInterval(47 * 3600)).isEmpty)
        #expect(Set(try await store.expireDeadlines(now: start.addingTimeInterval(48 * 3600))) == [offPeak.id, waiting.id])
        for id in [offPeak.id, waiting.id] {
            let job = try #require(try await store.job(id: id, keyID: key.id))
            #expect(job.status == .canceled && job.failure?.code == APIError.Code.offPeakExpired.rawValue)
            #expect(job.failure?.message.contains("48 hours") == true)
        }
        #expect(try await store.keys().first { $0.key.id == key.id }?.spent == 2 * 275)
    }
}

extension StoreConformance {
    /// `callback_events`: a claim makes a `start` delivery, a heartbeat that moved progress a
    /// `progress` one (at most one a second, superseding the one not yet sent), each with its
    /// own id; a job without `completed` gets no completion callback.
    public static func callbackEvents(_ store: some JobStore) async throws {
        let key = try await key(store)
        var all = newJob(key, callback: "https://example.com/hook")
        all.callbackEvents = [.start, .progress, .completed]
        let job = try await store.create(all).job
        #expect(job.callbackEvents == [.start, .progress, .completed])
        var startOnly = newJob(key, callback: "https://example.com/hook")
        startOnly.callbackEvents = [.start]
        let quiet = try await store.create(startOnly).job
        let plain = try await store.create(newJob(key, callback: "https://example.com/hook")).job
        #expect(plain.callbackEvents == [.completed])

        let t = Date(timeIntervalSince1970: Double(Int(Date().timeIntervalSince1970)))
        let claimed = try #require(try await store.claim(now: t, lease: .seconds(60)))
        #expect(claimed.id == job.id)
        let token = claimed.lifecycle.leaseToken
        #expect(try await store.heartbeat(id: job.id, token: token, progress: 10, now: t.addingTimeInterval(0.2), lease: .seconds(60)) == false)
        // Within a second of the last: none.
        _ = try await store.heartbeat(id: job.id, token: token, progress: 20, now: t.addingTimeInterval(0.7), lease: .seconds(60))
        // No change: none.
        _ = try await store.heartbeat(id: job.id, token: token, progress: 20, now: t.addingTimeInterval(1.1), lease: .seconds(60))
        // A second on and moved: one, superseding the one at 10 not yet sent.
        _ = try await store.heartbeat(id: job.id, token: token, progress: 30, now: t.addingTimeInterval(1.3), lease: .seconds(60))
        let due = try await store.claimEventWebhooks(now: t.addingTimeInterval(2), lock: .seconds(60), limit: 10)
        #expect(due.map(\.event) == [.start, .progress])
        #expect(due.map(\.progress) == [0, 30])
        #expect(due.allSatisfy { $0.jobID == job.id && $0.webhook.id.hasPrefix("msg_") && $0.webhook.state == .pending })
        #expect(Set(due.map(\.webhook.id)).count == 2 && !due.contains { $0.webhook.id == job.webhook?.id })
        // Locked while being sent.
        #expect(try await store.claimEventWebhooks(now: t.addingTimeInterval(2), lock: .seconds(60), limit: 10).isEmpty)
        for delivery in due {
            var state = delivery.webhook
            state.state = .delivered
            state.attempts = 1
            state.lastStatus = 200
            try await store.recordEventWebhook(state: state)
        }
        #expect(try await store.claimEventWebhooks(now: t.addingTimeInterval(100), lock: .seconds(60), limit: 10).isEmpty)
        let output = JobOutput(video: "v", cover: "c", width: 2, height: 2, fps: 24, frames: 24, duration: 1, bytes: 1, engine: "motion")
        #expect(try await store.finish(id: job.id, token: token, event: .succeed(token: token), output: output, failure: nil, now: t))
        #expect(try await store.job(id: job.id, keyID: nil)?.webhook?.state == .pending)

        // Start only: a start delivery, no progress ones, no completion.
        let second = try #require(try await store.claim(now: t.addingTimeInterval(3), lease: .seconds(60)))
        #expect(second.id == quiet.id)
        _ = try await store.heartbeat(
            id: quiet.id, token: second.lifecycle.leaseToken, progress: 50, now: t.addingTimeInterval(5), lease: .seconds(60))
        let quietDue = try await store.claimEventWebhooks(now: t.addingTimeInterval(6), lock: .seconds(60), limit: 10)
        #expect(quietDue.map(\.event) == [.start] && quietDue.first?.jobID == quiet.id)
        _ = try await store.cancel(id: quiet.id, keyID: key.id, at: t.addingTimeInterval(7))
        #expect(try await store.job(id: quiet.id, keyID: nil)?.webhook == nil)
    }
}
