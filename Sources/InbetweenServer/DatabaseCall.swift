import InbetweenAPI

/// Runs one store call for a request with a deadline: a database that is down or unreachable
/// answers 503 within `timeout` instead of holding the request (a pool waiting to reconnect
/// would hold it indefinitely). Rule violations the store throws (`APIError`) pass through.
func databaseCall<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let unavailable = APIError(.unavailable, "the database is not answering; try again shortly.")
    do {
        return try await withDeadline(timeout, orThrow: { unavailable }, body)
    } catch let error as APIError {
        throw error
    } catch let error as CancellationError {
        throw error
    } catch {
        throw unavailable
    }
}
