public import AsyncHTTPClient
public import Foundation
public import InbetweenAPI
import NIOCore
import NIOHTTP1

/// The Swift SDK for the job API (ours, or any service that speaks the seed page's API):
/// create a job, follow it, cancel it, list a key's jobs, download the video.
///
/// ```swift
/// let client = InbetweenClient(baseURL: "http://127.0.0.1:8080", apiKey: key)
/// let created = try await client.createJob(["prompt": "The camera pushes in", "image": .string(start), "image_tail": .string(end)])
/// let done = try await client.waitUntilDone(created.jobID) { print($0.status, $0.progress ?? 0) }
/// try await client.download(done, to: URL(fileURLWithPath: "out.mp4"))
/// ```
public struct InbetweenClient: Sendable {
    public var baseURL: String
    public var apiKey: String
    public var model: String
    public var httpClient: HTTPClient
    /// Longest one HTTP call may take.
    public var timeout: Duration
    /// How many times a call refused with 429 is made again, each after the `Retry-After` the
    /// server sent (a refused request did nothing, so a create is safe to repeat); 0: never.
    public var rateLimitRetries: Int
    /// The longest `Retry-After` waited for; a longer one is thrown at once as the 429.
    public var maxRetryAfter: Duration

    public init(
        baseURL: String, apiKey: String, model: String = modelID, httpClient: HTTPClient = .shared, timeout: Duration = .seconds(90),
        rateLimitRetries: Int = 5, maxRetryAfter: Duration = .seconds(60)
    ) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
        self.httpClient = httpClient
        self.timeout = timeout
        self.rateLimitRetries = rateLimitRetries
        self.maxRetryAfter = maxRetryAfter
    }

    /// Creates a job. `idempotencyKey` makes a retried create return the same job;
    /// `waitSeconds` asks the server to answer when the job ends (at most 60 s). The extensions:
    /// `payload` (a string ≤ 1 MiB echoed in every view of the job), `callbackEvents` (which
    /// events are POSTed to `callbackURL`; default completion only), `offPeak` (half price, runs
    /// when no normal job is queued, canceled uncharged after 48 h) and `cancelAfter` (seconds
    /// after which a job that has not finished is canceled, not charged: `Cancel-After`).
    public func createJob(
        _ arguments: [String: JSONValue], callbackURL: String? = nil, idempotencyKey: String? = nil, waitSeconds: Int? = nil,
        payload: String? = nil, callbackEvents: [CallbackEvent]? = nil, offPeak: Bool = false, cancelAfter: Int? = nil
    ) async throws -> CreatedJob {
        var body: [String: JSONValue] = ["model": .string(model), "args": .object(arguments)]
        if let callbackURL { body["callback_url"] = .string(callbackURL) }
        if let payload { body["payload"] = .string(payload) }
        if let callbackEvents { body["callback_events"] = .array(callbackEvents.map { .string($0.rawValue) }) }
        if offPeak { body["off_peak"] = .bool(true) }
        var headers: [(String, String)] = [("content-type", "application/json")]
        if let idempotencyKey { headers.append(("idempotency-key", idempotencyKey)) }
        if let waitSeconds { headers.append(("prefer", "wait=\(waitSeconds)")) }
        if let cancelAfter { headers.append(("cancel-after", String(cancelAfter))) }
        // Sorted keys: the same arguments make the same bytes on every retry.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try await call(.POST, "/api/v1/job/create", headers: headers, body: try encoder.encode(JSONValue.object(body)))
    }

    /// The job as the server sees it now.
    public func job(_ id: String) async throws -> JobView {
        try await call(.GET, "/api/v1/job/query?id=\(Self.escape(id))")
    }

    /// Cancels a job: an answer means it ended canceled (status 4), whatever its render does
    /// next. A job that had already ended throws the 409 `APIError`.
    public func cancel(_ id: String) async throws -> JobView {
        try await call(.POST, "/api/v1/job/cancel?id=\(Self.escape(id))")
    }

    /// Removes the job's results and stored inputs for good (a job not ended yet is canceled
    /// first); the answer shows `dataRemoved`. Idempotent.
    public func delete(_ id: String) async throws -> JobView {
        try await call(.DELETE, "/api/v1/job?id=\(Self.escape(id))")
    }

    /// A page of this key's jobs, newest first; pass `page.nextCursor` as `after` for the next.
    public func jobs(limit: Int = 20, after: String? = nil) async throws -> JobPage {
        try await call(.GET, "/api/v1/jobs?limit=\(limit)" + (after.map { "&after=\(Self.escape($0))" } ?? ""))
    }

    /// The models the server offers, with their arguments and prices (`GET /api/v1/models`):
    /// which extension fields (`camera_control`, `loop`, ...) it takes is read from here.
    public func models() async throws -> [ModelDescription] {
        let list: ModelList = try await call(.GET, "/api/v1/models")
        return list.models
    }

    private struct ModelList: Codable, Sendable {
        var models: [ModelDescription]
    }

    /// Polls until the job ends, backing off from 0.5 s to 5 s between queries, reporting
    /// each state to `progress`. Throws `InbetweenClientError.timedOut` after `timeout`.
    public func waitUntilDone(
        _ id: String, timeout: Duration = .seconds(600), progress: @Sendable (JobView) -> Void = { _ in }
    ) async throws -> JobView {
        let deadline = ContinuousClock.now + timeout
        var delay = Duration.milliseconds(500)
        while true {
            let view = try await job(id)
            progress(view)
            if view.status.isTerminal { return view }
            guard ContinuousClock.now + delay < deadline else { throw InbetweenClientError.timedOut(jobID: id) }
            try await Task.sleep(for: delay)
            delay = min(delay * 1.5, .seconds(5))
        }
    }

    /// Saves a succeeded job's video to `file` (written whole, then moved into place);
    /// `maxBytes` refuses a larger one.
    public func download(_ job: JobView, to file: URL, maxBytes: Int? = nil) async throws {
        guard job.status == .succeeded, let url = job.result?.videos.first?.url ?? job.result?.images.first?.url else {
            throw InbetweenClientError.noResult(jobID: job.jobID, status: job.status)
        }
        let response = try await httpClient.execute(HTTPClientRequest(url: url), timeout: .seconds(Int64(timeout.components.seconds)))
        guard response.status == .ok else { throw InbetweenClientError.download(status: Int(response.status.code)) }
        let temporary = file.deletingLastPathComponent().appendingPathComponent(".\(file.lastPathComponent).\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: temporary.path, contents: nil)
        let handle = try FileHandle(forWritingTo: temporary)
        do {
            var written = 0
            for try await chunk in response.body {
                written += chunk.readableBytes
                if let maxBytes, written > maxBytes { throw InbetweenClientError.tooLarge(maxBytes: maxBytes) }
                try handle.write(contentsOf: Data(chunk.readableBytesView))
            }
            try handle.close()
            if FileManager.default.fileExists(atPath: file.path) { try FileManager.default.removeItem(at: file) }
            try FileManager.default.moveItem(at: temporary, to: file)
        } catch {
            try? handle.close()
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    // MARK: Transport

    func call<Payload: Codable & Sendable>(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], body: Data? = nil) async throws
        -> Payload
    {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "accept", value: "application/json")
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        var retries = 0
        var response = try await httpClient.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
        // Over the key's rate: wait as long as the server says, then ask again.
        while response.status == .tooManyRequests, retries < rateLimitRetries,
            let seconds = response.headers.first(name: "retry-after").flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
            seconds >= 0, Duration.seconds(seconds) <= maxRetryAfter
        {
            _ = try? await response.body.collect(upTo: 1024 * 1024)
            try await Task.sleep(for: .seconds(seconds))
            retries += 1
            response = try await httpClient.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
        }
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let envelope: Envelope<Payload>
        do {
            envelope = try JSONDecoder().decode(Envelope<Payload>.self, from: Data(bytes.readableBytesView))
        } catch {
            throw InbetweenClientError.unreadable(status: Int(response.status.code), body: String(buffer: bytes).prefix(200).description)
        }
        guard envelope.code == 0, let data = envelope.data else {
            throw APIError(APIError.Code(rawValue: envelope.code == 0 ? Int(response.status.code) * 100 + 1 : envelope.code), envelope.message)
        }
        return data
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(CharacterSet(charactersIn: "&=+"))) ?? text
    }
}

/// Failures that are not the server's `APIError` (which the SDK throws with its code and message).
public enum InbetweenClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `waitUntilDone` gave up before the job ended.
    case timedOut(jobID: String)
    /// `download` of a job that did not succeed.
    case noResult(jobID: String, status: JobStatus)
    /// The result URL answered this status (expired: query the job again for a fresh URL).
    case download(status: Int)
    /// The answer was not the API's JSON envelope.
    case unreadable(status: Int, body: String)
    /// `download` of a video larger than its `maxBytes`.
    case tooLarge(maxBytes: Int)

    public var description: String {
        switch self {
        case .timedOut(let id): "job \(id) did not end in time"
        case .noResult(let id, let status): "job \(id) has no video: its status is \(status.rawValue) (\(status.name))"
        case .download(let status): "the video URL answered HTTP \(status); query the job again for a fresh URL"
        case .unreadable(let status, let body): "the server answered HTTP \(status) with something that is not the API's JSON: \(body)"
        case .tooLarge(let maxBytes): "the video is larger than \(maxBytes) bytes"
        }
    }
}
