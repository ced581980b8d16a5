/// Runs `body`, cancelling it (which kills a subprocess, closes a connection) after
/// `timeout` and throwing `error` (evaluated only then) instead. The one deadline ffmpeg runs, fetches and
/// database calls share.
public func withDeadline<T: Sendable>(
    _ timeout: Duration, orThrow error: @escaping @autoclosure @Sendable () -> any Error, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: timeout)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else { throw error() }
        return value
    }
}
