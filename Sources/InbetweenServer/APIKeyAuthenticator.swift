import Foundation
import Hummingbird
import InbetweenAPI
import InbetweenJobs
import Logging

/// `Authorization: Bearer <key>` → the stored key whose SHA-256 matches (keys are never
/// stored in the clear). Missing, unknown or revoked: 401.
struct APIKeyAuthenticator<Store: JobStore>: RouterMiddleware {
    typealias Context = InbetweenRequestContext
    let store: Store
    let timeout: Duration

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing API key: send `Authorization: Bearer <key>` (create one with `inbetween keys create`).")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            throw APIError(.unauthorized, "the Authorization header must be `Bearer <key>`.")
        }
        let store = store
        let hash = Secrets.sha256(String(parts[1]).trimmingCharacters(in: .whitespaces))
        let key = try await databaseCall(timeout: timeout) { try await store.key(hash: hash) }
        guard let key else {
            throw APIError(.unauthorized, "unknown or revoked API key.")
        }
        var context = context
        context.key = key
        context.logger[metadataKey: "key.id"] = "\(key.id)"
        return try await next(request, context)
    }
}
