import Foundation
import HTTPTypes
import Hummingbird
import InbetweenAPI
import InbetweenJobs

/// Applies the key's token bucket (kept by the store) to authenticated requests. Every
/// answer carries the draft IETF `RateLimit-Policy` and `RateLimit` headers; a refusal is a
/// 429 with `Retry-After`.
struct RateLimitMiddleware<Store: JobStore>: RouterMiddleware {
    typealias Context = InbetweenRequestContext
    let store: Store
    let policy: RateLimitPolicy
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = context.key else { return try await next(request, context) }
        let store = store
        let policy = policy
        let decision = try await databaseCall(timeout: timeout) { try await store.takeRateToken(keyID: key.id, policy: policy, now: Date()) }
        let header = "\(policy.limit);w=\(policy.window.components.seconds)"
        let state = "limit=\(policy.limit), remaining=\(decision.remaining), reset=\(decision.reset)"
        var response: Response
        if decision.allowed {
            do {
                response = try await next(request, context)
            } catch let error as APIError {
                response = EnvelopeResponse.failure(error)
            }
        } else {
            response = EnvelopeResponse.failure(
                APIError(
                    .rateLimited,
                    "too many requests for this key: at most \(policy.limit) per \(policy.window.components.seconds) s; retry after \(decision.retryAfter) s."
                ))
            response.headers[.retryAfter] = String(decision.retryAfter)
        }
        response.headers[.rateLimitPolicy] = header
        response.headers[.rateLimit] = state
        return response
    }
}

extension HTTPField.Name {
    static let rateLimitPolicy = Self("RateLimit-Policy")!
    static let rateLimit = Self("RateLimit")!
    static let idempotencyKey = Self("Idempotency-Key")!
    static let prefer = Self("Prefer")!
    static let preferenceApplied = Self("Preference-Applied")!
}
