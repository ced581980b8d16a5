import InbetweenAPI
import InbetweenJobs
import Testing

@Suite("Create rules")
struct CreateRulesTests {
    @Test("a budget refuses what would take the key past it, naming the cost, what is left and the budget")
    func budget() throws {
        try CreateRules.checkBudget(amount: 275, budget: nil, spent: 1_000_000)
        try CreateRules.checkBudget(amount: 225, budget: 500, spent: 275)
        let refused = #expect(throws: JobStoreError.self) { try CreateRules.checkBudget(amount: 275, budget: 500, spent: 275) }
        #expect(refused?.code == .budgetExceeded)
        #expect(refused?.message == "this job costs $0.275 but the key has $0.225 left of its $0.50 budget.")
        // Overspent (a budget lowered later): nothing is left, not a negative amount.
        let overspent = #expect(throws: JobStoreError.self) { try CreateRules.checkBudget(amount: 40, budget: 100, spent: 300) }
        #expect(overspent?.message.contains("has $0.00 left") == true)
    }

    @Test("an idempotency key replays the same body and refuses another")
    func idempotency() throws {
        try CreateRules.checkReplay(key: "k1", recordedHash: "a", bodyHash: "a")
        let refused = #expect(throws: JobStoreError.self) { try CreateRules.checkReplay(key: "k1", recordedHash: "a", bodyHash: "b") }
        #expect(refused?.code == .idempotencyKeyReused)
        #expect(refused?.message == "`Idempotency-Key` \"k1\" was already used with a different request body; use a new key for a new request.")
    }

    @Test("queued, running and succeeded jobs are charged; failed and canceled ones are not")
    func charged() {
        #expect(CreateRules.chargedStatuses == [.queued, .running, .succeeded])
        #expect(CreateRules.chargedStatusList == "0, 1, 2")
    }
}
