import Foundation

/// When to try a callback again: a delay per retry, with jitter so that a receiver coming back
/// from an outage is not hit by every sender in the same second.
public struct RetrySchedule: Sendable, Hashable {
    /// The delay before retry 1, 2, ...; after the last one the delivery has failed.
    public var delays: [Duration]
    /// Each delay is scaled by a random factor in 1 ± jitter.
    public var jitter: Double

    public init(delays: [Duration], jitter: Double = 0.1) {
        self.delays = delays
        self.jitter = jitter
    }

    /// 5 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h: nine attempts over about ten hours.
    public static let standard = RetrySchedule(delays: [
        .seconds(5), .seconds(30), .seconds(120), .seconds(600), .seconds(1800), .seconds(3600), .seconds(3 * 3600), .seconds(6 * 3600),
    ])

    /// Parses "0.1,0.5,2" (seconds) as given on the command line.
    public init?(parsing text: String, jitter: Double = 0.1) {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? -1) >= 0 }) else { return nil }
        self.init(delays: parts.map { .milliseconds(Int64($0! * 1000)) }, jitter: jitter)
    }

    /// The delay after attempt `attempt` (1-based) failed, or nil when no retry is left.
    public func delay<R: RandomNumberGenerator>(afterAttempt attempt: Int, using generator: inout R) -> Duration? {
        guard attempt >= 1, attempt <= delays.count else { return nil }
        let factor = jitter > 0 ? Double.random(in: (1 - jitter)...(1 + jitter), using: &generator) : 1
        return delays[attempt - 1] * factor
    }
}
