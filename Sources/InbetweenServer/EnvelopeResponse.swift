import Foundation
import HTTPTypes
import Hummingbird
import InbetweenAPI
import InbetweenJobs
import Logging
import NIOCore

/// JSON envelopes as responses: the one place bodies are encoded.
enum EnvelopeResponse {
    static var encoder: JSONEncoder { JobPresenter.encoder }

    /// `{"code": 0, "message": "ok", "data": ...}` with status 200 (or `status`).
    static func ok<Payload: Codable & Sendable>(_ data: Payload, status: HTTPResponse.Status = .ok) -> Response {
        encode(Envelope(data: data), status: status)
    }

    /// A create's answer: the envelope with `job_id` in `data` (the seed page's documented
    /// shape) and echoed at the top level (what its JavaScript and Python read). The echo is
    /// written `"job_id" : "..."`, with a space before the colon: any JSON parser reads it the
    /// same, but the page's curl example, which greps `"job_id": *"[^"]*"`, then finds exactly
    /// one id rather than two lines.
    static func created(_ data: CreatedJob) -> Response {
        guard let bytes = try? encoder.encode(Envelope(data: data)), bytes.last == UInt8(ascii: "}"), let id = try? encoder.encode(data.jobID)
        else { return encode(Envelope(data: data), status: .ok) }
        var body = Data(bytes.dropLast())
        body.append(contentsOf: Array(#","job_id" : "#.utf8) + id + [UInt8(ascii: "}")])
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// The failure envelope for `error`, with its HTTP status.
    static func failure(_ error: APIError) -> Response {
        encode(Envelope<NoPayload>(code: error.code.rawValue, message: error.message, data: nil), status: .init(code: error.code.httpStatus))
    }

    static func encode(_ value: some Encodable, status: HTTPResponse.Status) -> Response {
        let bytes = (try? encoder.encode(value)) ?? Data(#"{"code":50001,"message":"the response could not be encoded.","data":null}"#.utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }
}

/// Turns every error into the contract's envelope: API errors keep their code; Hummingbird's
/// own (no such route, body too large) get theirs; anything else is logged and becomes a
/// 500 without details. Never a stack trace, never HTML.
struct EnvelopeErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return EnvelopeResponse.failure(error)
        } catch let error as JobStoreError {
            return EnvelopeResponse.failure(APIError(error))
        } catch let error as HTTPError {
            return EnvelopeResponse.failure(Self.apiError(for: error, request: request))
        } catch {
            context.logger.error("request failed", metadata: ["error": "\(error)"])
            return EnvelopeResponse.failure(APIError(.internalError, "the server failed to handle this request; it has been logged."))
        }
    }

    static func apiError(for error: HTTPError, request: Request) -> APIError {
        switch error.status {
        case .notFound:
            APIError(.notFound, "no route for \(request.method) \(request.uri.path); see /openapi.json.")
        case .contentTooLarge:
            APIError(.payloadTooLarge, "the request body is too large.")
        case .badRequest:
            APIError(.badJSON, error.body ?? "the request is malformed.")
        default:
            APIError(APIError.Code(rawValue: error.status.code * 100 + 1), error.body ?? error.status.reasonPhrase)
        }
    }
}
