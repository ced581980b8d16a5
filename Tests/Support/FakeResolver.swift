public import InbetweenWorker
import Synchronization

/// A resolver with canned answers, counting its calls: the DNS boundary of the SSRF guard.
public final class FakeResolver: HostResolver {
    private let answers: [String: [[String]]]
    private let calls = Mutex<[String: Int]>([:])

    /// `answers[host][n]` is the n-th answer (the last one repeats).
    public init(_ answers: [String: [[String]]]) {
        self.answers = answers
    }

    public func resolve(_ host: String) async throws -> [ResolvedAddress] {
        let n = calls.withLock { calls -> Int in
            calls[host, default: 0] += 1
            return calls[host]! - 1
        }
        guard let list = answers[host] else { return try await SystemHostResolver().resolve(host) }
        return list[min(n, list.count - 1)].compactMap(ResolvedAddress.init(numeric:))
    }

    public func count(_ host: String) -> Int { calls.withLock { $0[host] ?? 0 } }
}
