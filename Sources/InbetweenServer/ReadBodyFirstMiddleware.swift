import HTTPTypes
import Hummingbird
import InbetweenAPI
import NIOCore

/// Reads each request's whole body before anything answers it. A request answered before its
/// body was read (a 429, a 401, a 415 to a create carrying megabytes of data URIs) left the
/// client blocked sending the rest while the connection waited on it, and the client never
/// saw its answer: the create "that never answers" of issue 18. Read first, every early answer
/// reaches its client. Only the routes in `largeBodyPaths` (a create carrying data URIs) may
/// send up to `limit`; every other request up to `smallLimit`, so a client that is not even
/// authenticated yet cannot make the server hold megabytes on any other route. A body over its
/// limit is answered 413 and the connection closed.
struct ReadBodyFirstMiddleware<Context: RequestContext>: RouterMiddleware {
    let limit: Int
    var largeBodyPaths: Set<String> = ["/api/v1/job/create"]
    var smallLimit = 64 * 1024

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var request = request
        let buffer: ByteBuffer
        let limit = largeBodyPaths.contains(request.uri.path) ? self.limit : min(self.limit, smallLimit)
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            var response = EnvelopeResponse.failure(
                APIError(.payloadTooLarge, "the request body is larger than \(sizeDescription(limit)), the most this server accepts."))
            response.headers[.connection] = "close"
            return response
        }
        request.body = RequestBody(buffer: buffer)
        return try await next(request, context)
    }
}

/// "64 MiB", "256 KiB", "900 bytes".
func sizeDescription(_ bytes: Int) -> String {
    if bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0 { return "\(bytes / (1024 * 1024)) MiB" }
    if bytes >= 1024 { return "\(bytes / 1024) KiB" }
    return "\(bytes) bytes"
}
