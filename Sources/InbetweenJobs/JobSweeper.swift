public import Foundation
public import Logging
public import ServiceLifecycle

/// Ends what has run out of time, on every node: jobs past their deadline (`Cancel-After`)
/// are canceled (a running render is stopped through the store's `cancellations`), and the
/// results and input copies of ended jobs past their key's retention are removed. A claim
/// refuses a job past its deadline on its own, so this sweep's interval bounds only how late
/// a running job is stopped and a queued one shows status 4.
public struct JobSweeper<Store: JobStore, Results: ResultStore>: Service {
    public let store: Store
    public let results: Results
    /// How often deadlines are checked.
    public let interval: Duration
    /// How often retention is checked.
    public let retentionInterval: Duration
    public let logger: Logger

    public init(store: Store, results: Results, interval: Duration = .seconds(1), retentionInterval: Duration = .seconds(60), logger: Logger) {
        self.store = store
        self.results = results
        self.interval = interval
        self.retentionInterval = retentionInterval
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            var nextRetention = ContinuousClock.now
            while !Task.isCancelled {
                do {
                    let expired = try await store.expireDeadlines(now: Date())
                    if !expired.isEmpty {
                        logger.info("deadlines passed; jobs canceled", metadata: ["job.ids": "\(expired.joined(separator: ","))"])
                    }
                    if ContinuousClock.now >= nextRetention {
                        nextRetention = ContinuousClock.now + retentionInterval
                        try await sweepRetention(now: Date())
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("deadline or retention sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// Removes the files and input copies of every ended job whose key's retention ran out by `now`.
    /// - Returns: how many jobs' data was removed.
    @discardableResult
    public func sweepRetention(now: Date) async throws -> Int {
        var removed = 0
        while true {
            let due = try await store.jobsPastRetention(now: now, limit: 100)
            for id in due {
                try await results.remove(job: id)
                _ = try await store.markDataRemoved(id: id, keyID: nil, at: now)
                removed += 1
            }
            if due.count < 100 { break }
        }
        if removed > 0 { logger.info("retention: results removed", metadata: ["job.count": "\(removed)"]) }
        return removed
    }
}
