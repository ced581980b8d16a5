public import Foundation

/// A token bucket per API key: `limit` requests, refilled evenly over `window`.
public struct RateLimitPolicy: Sendable, Hashable {
    public var limit: Int
    public var window: Duration

    public init(limit: Int, window: Duration) {
        self.limit = limit
        self.window = window
    }

    var windowSeconds: Double {
        let (seconds, attoseconds) = window.components
        return max(0.001, Double(seconds) + Double(attoseconds) * 1e-18)
    }
}

/// One bucket's state as a store keeps it.
public struct RateBucket: Sendable, Hashable {
    public var tokens: Double
    public var updatedAt: Date

    public init(tokens: Double, updatedAt: Date) {
        self.tokens = tokens
        self.updatedAt = updatedAt
    }

    /// Whether a request may go ahead, and the numbers for the `RateLimit` headers.
    public struct Decision: Sendable, Hashable {
        public var allowed: Bool
        public var remaining: Int
        /// Seconds until the bucket is full again.
        public var reset: Int
        /// Seconds until one request is allowed (when refused).
        public var retryAfter: Int
    }

    /// Refills for the time since `updatedAt`, then takes one token if there is one.
    public mutating func take(policy: RateLimitPolicy, now: Date) -> Decision {
        let capacity = Double(policy.limit)
        let rate = capacity / policy.windowSeconds
        tokens = min(capacity, tokens + max(0, now.timeIntervalSince(updatedAt)) * rate)
        updatedAt = now
        let allowed = tokens >= 1
        if allowed { tokens -= 1 }
        return Decision(
            allowed: allowed, remaining: Int(tokens.rounded(.down)), reset: Int(((capacity - tokens) / rate).rounded(.up)),
            retryAfter: max(1, Int(((1 - tokens) / rate).rounded(.up))))
    }

    /// A full bucket.
    public static func full(_ policy: RateLimitPolicy, now: Date) -> RateBucket {
        RateBucket(tokens: Double(policy.limit), updatedAt: now)
    }
}
