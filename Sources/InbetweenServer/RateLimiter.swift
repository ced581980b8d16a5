import Foundation
import HTTPTypes
import Hummingbird
import InbetweenAPI
import InbetweenJobs
import Synchronization

/// Token buckets per API key, in this process. Every answer carries the draft IETF
/// `RateLimit-Policy` and `RateLimit` headers; a refusal is a 429 with `Retry-After`.
final class RateLimiter: Sendable {
    struct Decision: Sendable {
        var allowed: Bool
        var remaining: Int
        /// Seconds until the bucket is full again.
        var reset: Int
        /// Seconds until one request is allowed (when refused).
        var retryAfter: Int
    }

    private struct Bucket {
        var tokens: Double
        var updated: ContinuousClock.Instant
    }

    let policy: RateLimitPolicy
    private let buckets = Mutex<[String: Bucket]>([:])

    init(policy: RateLimitPolicy) {
        self.policy = policy
    }

    /// Takes one token from `key`'s bucket if there is one.
    func take(_ key: String, now: ContinuousClock.Instant = .now) -> Decision {
        let capacity = Double(policy.limit)
        let window = Double(policy.window.components.seconds) + Double(policy.window.components.attoseconds) * 1e-18
        let rate = capacity / max(window, 0.001)
        return buckets.withLock { buckets in
            var bucket = buckets[key] ?? Bucket(tokens: capacity, updated: now)
            let elapsed = now - bucket.updated
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            bucket.tokens = min(capacity, bucket.tokens + seconds * rate)
            bucket.updated = now
            let allowed = bucket.tokens >= 1
            if allowed { bucket.tokens -= 1 }
            buckets[key] = bucket
            if buckets.count > 100_000 { buckets = buckets.filter { $0.value.tokens < capacity } }
            return Decision(
                allowed: allowed,
                remaining: Int(bucket.tokens.rounded(.down)),
                reset: Int(((capacity - bucket.tokens) / rate).rounded(.up)),
                retryAfter: max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            )
        }
    }
}

/// Applies the limiter to authenticated requests.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = InbetweenRequestContext
    let limiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let key = context.key else { return try await next(request, context) }
        let decision = limiter.take(key.id)
        let policy = "\(limiter.policy.limit);w=\(limiter.policy.window.components.seconds)"
        let state = "limit=\(limiter.policy.limit), remaining=\(decision.remaining), reset=\(decision.reset)"
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
                    "too many requests for this key: at most \(limiter.policy.limit) per \(limiter.policy.window.components.seconds) s; retry after \(decision.retryAfter) s."
                ))
            response.headers[.retryAfter] = String(decision.retryAfter)
        }
        response.headers[.rateLimitPolicy] = policy
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
