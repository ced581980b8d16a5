import InbetweenJobs
import InbetweenTestSupport
import Testing

/// The same conformance checks on PostgreSQL, where a server is at hand.
@Suite("Store conformance on PostgreSQL", .enabled(if: TestPostgres.url != nil, TestPostgres.missing), .freshStore(.postgres))
struct PostgresConformanceTests {
    @Test("keys are found by hash, jobs only by their own key, revocation takes effect")
    func keys() async throws { try await StoreConformance.keysAndOwnership(FreshStore.store()) }

    @Test("idempotency replays and refuses; budgets refuse with the amounts named")
    func idempotency() async throws { try await StoreConformance.idempotencyAndBudget(FreshStore.store()) }

    @Test("claims are FIFO and fenced; heartbeats carry progress and cancels")
    func claims() async throws { try await StoreConformance.claimHeartbeatFinish(FreshStore.store()) }

    @Test("expired leases requeue, then fail past the attempts")
    func leases() async throws { try await StoreConformance.expiredLeases(FreshStore.store()) }

    @Test("callbacks are scheduled at the end and locked while sent; pages are newest first")
    func callbacks() async throws { try await StoreConformance.callbacksAndPages(FreshStore.store()) }

    @Test("rate limits: one token bucket per key in the database, shared by every node")
    func rateLimits() async throws { try await StoreConformance.rateLimits(FreshStore.store()) }

    @Test("a recorded cancel wins over a completion, a failure and a lease expiry; the worker is signalled")
    func cancelWins() async throws { try await StoreConformance.cancelWins(FreshStore.store()) }

    @Test("concurrent claimers take every job exactly once")
    func concurrentClaims() async throws { try await StoreConformance.concurrentClaims(FreshStore.store()) }

    @Test("payload is kept as sent, up to 1 MiB, and read back by query, list and claim")
    func payload() async throws { try await StoreConformance.payload(FreshStore.store()) }

    @Test("deadlines cancel queued and running jobs uncharged, with an error naming them; a claim never starts one past it")
    func deadlines() async throws { try await StoreConformance.deadlines(FreshStore.store()) }

    @Test("data removal is kept, idempotent and owner-only; retention finds only ended jobs past it")
    func dataRemoval() async throws { try await StoreConformance.dataRemovalAndRetention(FreshStore.store()) }

    @Test("off-peak jobs wait while normal jobs are queued, run when none is, and are canceled uncharged after 48 h")
    func offPeak() async throws { try await StoreConformance.offPeak(FreshStore.store()) }

    @Test("callback_events: a claim makes a start, heartbeats progress (one a second, superseding), each with its own id")
    func callbackEvents() async throws { try await StoreConformance.callbackEvents(FreshStore.store()) }
}
