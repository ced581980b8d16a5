import Foundation
import HTTPTypes
import Hummingbird
import InbetweenAPI
import InbetweenJobs
import NIOCore

/// `GET|HEAD /files/<job>/<file>?expires=&signature=`: result files under signed, expiring
/// URLs, with single byte ranges (`Range: bytes=a-b`, `a-`, `-n`) so players can seek.
struct FilesController<Results: ResultStore>: Sendable {
    let signer: URLSigner
    let results: Results

    static var files: [String: String] { ["video.mp4": "video/mp4", "cover.jpg": "image/jpeg"] }

    func addRoutes(to router: Router<InbetweenRequestContext>) {
        router.get("files/:job/:file", use: serve)
        router.head("files/:job/:file", use: serve)
    }

    /// Seconds a client is told to wait (`Retry-After`) when the result store is unavailable.
    static var retryAfter: Int { 5 }

    @Sendable func serve(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        do {
            return try await answer(request, context: context)
        } catch let error as APIError where error.code == .unavailable {
            // The result store is down or stalled (a proxied bucket): the contract's 503, promptly.
            var response = EnvelopeResponse.failure(error)
            response.headers[.retryAfter] = String(Self.retryAfter)
            return response
        }
    }

    func answer(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        let job = try context.parameters.require("job")
        let file = try context.parameters.require("file")
        guard let contentType = Self.files[file], job.hasPrefix("job_"), job.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw APIError(.notFound, "no such file.")
        }
        let query = request.uri.queryParameters
        guard let expires = query.get("expires").flatMap(Int.init), let signature = query.get("signature"),
            signer.verify(job: job, file: file, expires: expires, signature: signature, now: Date())
        else {
            throw APIError(
                .forbidden, "this file URL is not valid or has expired; query the job again for fresh URLs.")
        }
        guard let size = try await results.size(job: job, name: file) else {
            throw APIError(.notFound, "the file is gone (the job's results were removed).")
        }
        var headers: HTTPFields = [
            .contentType: contentType,
            .acceptRanges: "bytes",
            .cacheControl: "private, max-age=\(max(0, expires - Int(Date().timeIntervalSince1970)))",
        ]
        var status = HTTPResponse.Status.ok
        var range = size > 0 ? 0...(size - 1) : nil
        // A range in a unit other than bytes is ignored (RFC 9110 §14.2): the whole file.
        if let header = request.headers[.range], header.trimmingCharacters(in: .whitespaces).lowercased().hasPrefix("bytes=") {
            guard let requested = Self.parseRange(header, size: size) else {
                headers[.contentRange] = "bytes */\(size)"
                var response = EnvelopeResponse.failure(
                    APIError(.rangeNotSatisfiable, "the requested range \"\(header.prefix(60))\" is not within the file's \(size) bytes."))
                response.headers.append(contentsOf: headers.filter { $0.name != .contentType })
                return response
            }
            range = requested
            status = .partialContent
            headers[.contentRange] = "bytes \(requested.lowerBound)-\(requested.upperBound)/\(size)"
        }
        headers[.contentLength] = String(range.map { $0.count } ?? 0)
        if request.method == .head || range == nil {
            return Response(status: status, headers: headers, body: .init())
        }
        let chunks = try await results.read(job: job, name: file, range: range!)
        return Response(status: status, headers: headers, body: ResponseBody(asyncSequence: chunks.map { ByteBuffer(bytes: $0) }))
    }

    /// One `bytes=` range within `size`, or nil when it cannot be satisfied. Several ranges
    /// are answered with the first (a multipart answer is allowed to be skipped).
    static func parseRange(_ header: String, size: Int) -> ClosedRange<Int>? {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes="), size > 0 else { return nil }
        let first = text.dropFirst(6).split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        let parts = first.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 else { return nil }
        if parts[0].isEmpty {
            guard let suffix = Int(parts[1]), suffix > 0 else { return nil }
            return max(0, size - suffix)...(size - 1)
        }
        guard let start = Int(parts[0]), start >= 0, start < size else { return nil }
        if parts[1].isEmpty { return start...(size - 1) }
        guard let end = Int(parts[1]), end >= start else { return nil }
        return start...min(end, size - 1)
    }
}
