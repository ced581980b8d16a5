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

    func make() throws -> any JobStore {
        switch self {
        case .memory: InMemoryJobStore()
        case .sqlite: try TestSQLite.store()
        }
    }
}

@Suite("Store conformance")
struct StoreConformanceTests {
    @Test("keys are found by hash, jobs only by their own key, revocation takes effect", arguments: LocalStore.allCases)
    func keys(_ store: LocalStore) async throws { try await StoreConformance.keysAndOwnership(store.make()) }

    @Test("idempotency replays and refuses; budgets refuse with the amounts named", arguments: LocalStore.allCases)
    func idempotency(_ store: LocalStore) async throws { try await StoreConformance.idempotencyAndBudget(store.make()) }

    @Test("claims are FIFO and fenced; heartbeats carry progress and cancels", arguments: LocalStore.allCases)
    func claims(_ store: LocalStore) async throws { try await StoreConformance.claimHeartbeatFinish(store.make()) }

    @Test("expired leases requeue, then fail past the attempts", arguments: LocalStore.allCases)
    func leases(_ store: LocalStore) async throws { try await StoreConformance.expiredLeases(store.make()) }

    @Test("callbacks are scheduled at the end and locked while sent; pages are newest first", arguments: LocalStore.allCases)
    func callbacks(_ store: LocalStore) async throws { try await StoreConformance.callbacksAndPages(store.make()) }

    @Test("concurrent claimers take every job exactly once", arguments: LocalStore.allCases)
    func concurrentClaims(_ store: LocalStore) async throws { try await StoreConformance.concurrentClaims(store.make()) }

    @Test("rate limits: a token bucket per key, refilled over the window", arguments: LocalStore.allCases)
    func rateLimits(_ store: LocalStore) async throws { try await StoreConformance.rateLimits(store.make()) }
}
