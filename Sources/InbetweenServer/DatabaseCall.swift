import InbetweenAPI

/// Runs one store call for a request with a deadline: a database that is down or unreachable
/// answers 503 within `timeout` instead of holding the request (a pool waiting to reconnect
/// would hold it indefinitely). Rule violations the store throws (`APIError`) pass through.
func databaseCall<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome: Result<T, any Error>? = await withTaskGroup(of: Result<T, any Error>?.self) { group in
        group.addTask {
            do { return .success(try await body()) } catch { return .failure(error) }
        }
        group.addTask {
            try? await Task.sleep(for: timeout)
            return nil
        }
        let first = await group.next() ?? nil
        group.cancelAll()
        return first
    }
    switch outcome {
    case .success(let value)?:
        return value
    case .failure(let error as APIError)?:
        throw error
    case .failure(let error as CancellationError)?:
        throw error
    case .failure?, nil:
        throw APIError(.unavailable, "the database is not answering; try again shortly.")
    }
}
