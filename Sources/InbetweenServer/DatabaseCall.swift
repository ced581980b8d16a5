import InbetweenAPI
import InbetweenJobs

/// Runs one store call for a request with a deadline: a database that is down or unreachable
/// answers 503 within `timeout` instead of holding the request (a pool waiting to reconnect
/// would hold it indefinitely). Rules the store enforces (`JobStoreError`) become the API's
/// errors here, at the edge.
func databaseCall<T: Sendable>(timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let unavailable = APIError(.unavailable, "the database is not answering; try again shortly.")
    do {
        return try await withDeadline(timeout, orThrow: unavailable, body)
    } catch let error as JobStoreError {
        throw APIError(error)
    } catch let error as APIError {
        throw error
    } catch let error as CancellationError {
        throw error
    } catch {
        throw unavailable
    }
}

extension APIError {
    /// A store's refusal as the envelope shows it: a broken rule keeps its words and gets the
    /// status that says whose problem it is.
    init(_ error: JobStoreError) {
        switch error.code {
        case .budgetExceeded: self.init(.budgetExceeded, error.message)
        case .idempotencyKeyReused: self.init(.invalidArgument, error.message, field: "Idempotency-Key")
        case .unwritable: self.init(.unavailable, error.message)
        default: self.init(.internalError, error.message)
        }
    }
}
