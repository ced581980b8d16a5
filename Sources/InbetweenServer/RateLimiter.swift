import Foundation
import HTTPTypes
import Hummingbird
import InbetweenAPI
import InbetweenJobs

/// Applies the key's token buckets (kept by the store) to authenticated requests: one for
/// creates and one for everything else, so polling never starves the creates nor the other
/// way round. Each bucket's size is the key's own (`inbetween keys`) or the server's
/// default. Every answer carries the draft IETF `RateLimit-Policy` and `RateLimit` headers
/// of the bucket it drew from; a refusal is a 429 with `Retry-After`.
struct RateLimitMiddleware<Store: JobStore>: RouterMiddleware {
    typealias Context = InbetweenRequestContext
    let store: Store
    /// The default for creates.
    let creates: RateLimitPolicy
    /// The default for every other request.
    let reads: RateLimitPolicy
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = context.key else { return try await next(request, context) }
        let isCreate = request.method == .post && request.uri.path.hasSuffix("/job/create")
        var policy = isCreate ? creates : reads
        if let own = isCreate ? key.rateLimits.creates : key.rateLimits.reads { policy.limit = own }
        let (bucket, what) = isCreate ? ("\(key.id)/create", "creates") : ("\(key.id)/read", "requests other than creates")
        let store = store
        let limit = policy
        let decision = try await databaseCall(timeout: timeout) { try await store.takeRateToken(bucket: bucket, policy: limit, now: Date()) }
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
                    "too many \(what) for this key: at most \(policy.limit) per \(policy.window.components.seconds) s; retry after \(decision.retryAfter) s."
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
