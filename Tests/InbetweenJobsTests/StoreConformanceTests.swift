import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import Testing

/// The stores that run in this process: each conformance check runs on every one of them
/// (PostgreSQL runs the same checks in `PostgresConformanceTests`, where a server is at hand).
enum LocalStore: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case memory, sqlite

    var testDescription: String { rawValue }

    /// Runs `body` on a fresh store of this kind, taken down afterwards.
    func with(_ body: (any JobStore) async throws -> Void) async throws {
        switch self {
        case .memory: try await body(InMemoryJobStore())
        case .sqlite: try await TestSQLite.withStore { try await body($0) }
        }
    }
}

@Suite("Store conformance")
struct StoreConformanceTests {
    @Test("keys are found by hash, jobs only by their own key, revocation takes effect", arguments: LocalStore.allCases)
    func keys(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.keysAndOwnership($0) } }

    @Test("idempotency replays and refuses; budgets refuse with the amounts named", arguments: LocalStore.allCases)
    func idempotency(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.idempotencyAndBudget($0) } }

    @Test("claims are FIFO and fenced; heartbeats carry progress and cancels", arguments: LocalStore.allCases)
    func claims(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.claimHeartbeatFinish($0) } }

    @Test("expired leases requeue, then fail past the attempts", arguments: LocalStore.allCases)
    func leases(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.expiredLeases($0) } }

    @Test("callbacks are scheduled at the end and locked while sent; pages are newest first", arguments: LocalStore.allCases)
    func callbacks(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.callbacksAndPages($0) } }

    @Test("concurrent claimers take every job exactly once", arguments: LocalStore.allCases)
    func concurrentClaims(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.concurrentClaims($0) } }

    @Test("a recorded cancel wins over a completion, a failure and a lease expiry; the worker is signalled", arguments: LocalStore.allCases)
    func cancelWins(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.cancelWins($0) } }

    @Test("rate limits: token buckets per key and use, refilled over the window; a key's own budgets", arguments: LocalStore.allCases)
    func rateLimits(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.rateLimits($0) } }

    @Test("payload is kept as sent, up to 1 MiB, and read back by query, list and claim", arguments: LocalStore.allCases)
    func payload(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.payload($0) } }

    @Test(
        "deadlines cancel queued and running jobs uncharged, with an error naming them; a claim never starts one past it",
        arguments: LocalStore.allCases)
    func deadlines(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.deadlines($0) } }

    @Test("data removal is kept, idempotent and owner-only; retention finds only ended jobs past it", arguments: LocalStore.allCases)
    func dataRemoval(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.dataRemovalAndRetention($0) } }

    @Test("off-peak jobs wait while normal jobs are queued, run when none is, and are canceled uncharged after 48 h", arguments: LocalStore.allCases)
    func offPeak(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.offPeak($0) } }

    @Test(
        "callback_events: a claim makes a start, heartbeats progress (one a second, superseding), each with its own id",
        arguments: LocalStore.allCases)
    func callbackEvents(_ store: LocalStore) async throws { try await store.with { try await StoreConformance.callbackEvents($0) } }
}
