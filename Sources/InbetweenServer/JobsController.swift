import Foundation
import HTTPTypes
import Hummingbird
import InbetweenAPI
import InbetweenJobs
import Logging
import NIOCore
import Synchronization

/// `/api/v1/job/create`, `/job/query`, `/job/cancel`, `DELETE /job` and `/jobs`.
struct JobsController<Store: JobStore, Results: ResultStore>: Sendable {
    let store: Store
    /// Where results live: `DELETE /job` removes a job's files from it.
    let results: Results
    let presenter: JobPresenter
    let signal: JobSignal
    let configuration: ServerConfiguration
    /// Idempotency keys whose first request is still being handled (→ 409 for the others).
    let inFlight = InFlightKeys()

    func addRoutes(to group: RouterGroup<InbetweenRequestContext>) {
        group.post("job/create", use: bounded(create))
        group.get("job/query", use: bounded(query))
        group.post("job/cancel", use: bounded(cancel))
        group.delete("job", use: bounded(delete))
        group.get("jobs", use: bounded(list))
    }

    /// `handler` answered within `configuration.requestTimeout` (plus the wait a create asked
    /// for): past it the request is answered 503 and the handler cancelled. Store calls have
    /// deadlines of their own; this one covers everything between them, so no path (a body
    /// being read, a lock, a validation) can hold a client indefinitely.
    func bounded(
        _ handler: @escaping @Sendable (Request, InbetweenRequestContext) async throws -> Response
    ) -> @Sendable (Request, InbetweenRequestContext) async throws -> Response {
        let configuration = configuration
        return { request, context in
            var limit = configuration.requestTimeout
            if request.headers[.prefer] != nil { limit += configuration.maxWait }
            let seconds = limit.components.seconds
            return try await withDeadline(
                limit, orThrow: APIError(.unavailable, "the request was not answered within \(seconds) s and was stopped; try again.")
            ) { try await handler(request, context) }
        }
    }

    @Sendable func create(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        let key = try Self.key(context)
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else {
            throw APIError(
                .unsupportedMediaType,
                "the request body must be JSON: send `Content-Type: application/json`\(contentType.isEmpty ? "" : "; got \"\(contentType.prefix(80))\"")."
            )
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch {
            throw APIError(
                .payloadTooLarge, "the request body is larger than \(Self.size(configuration.maxBodyBytes)), the most this server accepts.")
        }
        let bytes = Array(buffer.readableBytesView)
        let body: JSONValue
        do {
            body = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
        } catch {
            throw APIError(.badJSON, "the request body is not valid JSON\(Self.jsonProblem(error)).")
        }
        let jobRequest = try JobRequest(validating: body)
        // Creative controls only where the job's route takes them (an upstream may not).
        if jobRequest.arguments.hasControls, let admission = configuration.admission {
            try await admission(jobRequest.model, jobRequest.arguments)
        }
        let idempotencyKey = try request.headers[.idempotencyKey].map { value throws(APIError) in
            guard (1...255).contains(value.utf8.count) else {
                throw APIError.invalid("Idempotency-Key", "the `Idempotency-Key` header must be 1 to 255 characters long.")
            }
            return value
        }
        let wait = try Self.wait(request.headers[.prefer], limit: configuration.maxWait)
        let createdAt = Date()
        var deadline = try Self.cancelAfter(request.headers[Self.cancelAfterHeader]).map { createdAt.addingTimeInterval(Double($0)) }
        if jobRequest.offPeak {
            // Not finished within 48 h: canceled, not charged.
            let window = createdAt.adding(JobLifecycle.offPeakWindow)
            deadline = min(deadline ?? window, window)
        }

        // Base64 is full of slashes: left as they are, the stored arguments stay the size they came.
        let argumentsEncoder = JSONEncoder()
        argumentsEncoder.outputFormatting = [.withoutEscapingSlashes]
        let arguments = String(decoding: try argumentsEncoder.encode(JSONValue.object(jobRequest.rawArguments)), as: UTF8.self)
        let amount =
            Pricing.thousandths(
                mode: jobRequest.arguments.mode, resolution: jobRequest.arguments.resolution, duration: jobRequest.arguments.duration,
                offPeak: jobRequest.offPeak)
            ?? 0
        var newJob = NewJob(
            id: Secrets.newJobID(), keyID: key.id, model: jobRequest.model, arguments: arguments, amount: amount,
            callbackURL: jobRequest.callbackURL?.absoluteString, maxAttempts: configuration.maxAttempts, createdAt: createdAt,
            idempotencyKey: idempotencyKey, idempotencyBodyHash: try idempotencyKey.map { _ in try Self.canonicalHash(body) },
            payload: jobRequest.payload, deadline: deadline)
        newJob.offPeak = jobRequest.offPeak
        newJob.callbackEvents = jobRequest.callbackEvents

        let slot = idempotencyKey.map { "\(key.id)\u{0}\($0)" }
        if let slot, !inFlight.insert(slot) {
            throw APIError(
                .conflict, "a request with this `Idempotency-Key` is still being handled; retry when it has answered.", field: "Idempotency-Key")
        }
        defer { if let slot { inFlight.remove(slot) } }
        let store = store
        let created = try await storeCall { [newJob] in try await store.create(newJob) }
        if !created.replayed {
            signal.notify()
            context.logger.info("job created", metadata: ["job.id": "\(created.job.id)", "job.amount": "\(amount)"])
        }
        var data = CreatedJob(jobID: created.job.id, amount: Pricing.format(thousandths: created.job.amount))
        var response: Response
        if let wait {
            let job = try await waitForEnd(created.job.id, keyID: key.id, upTo: wait)
            data.job = try await present(job)
            response = EnvelopeResponse.created(data)
            response.headers[.preferenceApplied] = "wait=\(wait.components.seconds)"
        } else {
            response = EnvelopeResponse.created(data)
        }
        if created.replayed { response.headers[HTTPField.Name("Idempotent-Replayed")!] = "true" }
        return response
    }

    @Sendable func query(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        let key = try Self.key(context)
        let id = try Self.jobID(request)
        guard let job = try await storeCall({ try await store.job(id: id, keyID: key.id) }) else { throw Self.notFound(id) }
        return EnvelopeResponse.ok(try await present(job))
    }

    @Sendable func cancel(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        let key = try Self.key(context)
        let id = try Self.jobID(request)
        guard let (job, transition) = try await storeCall({ try await store.cancel(id: id, keyID: key.id, at: Date()) }) else {
            throw Self.notFound(id)
        }
        if case .rejected = transition {
            throw APIError(.conflict, JobLifecycle.nothingToCancel(jobID: id, status: job.status))
        }
        signal.notify()
        return EnvelopeResponse.ok(try await present(job))
    }

    /// `DELETE /api/v1/job?id=`: the key's own job loses its results and input copies, for
    /// good. A job not ended yet is canceled first. Idempotent: a second call answers the same.
    @Sendable func delete(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        let key = try Self.key(context)
        let id = try Self.jobID(request)
        guard let job = try await storeCall({ try await store.job(id: id, keyID: key.id) }) else { throw Self.notFound(id) }
        if !job.status.isTerminal {
            _ = try await storeCall { try await store.cancel(id: id, keyID: key.id, at: Date()) }
            signal.notify()
        }
        let results = results
        try await storeCall { try await results.remove(job: id) }
        guard let removed = try await storeCall({ try await store.markDataRemoved(id: id, keyID: key.id, at: Date()) }) else {
            throw Self.notFound(id)
        }
        context.logger.info("job data removed", metadata: ["job.id": "\(id)"])
        return EnvelopeResponse.ok(try await present(removed))
    }

    @Sendable func list(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        let key = try Self.key(context)
        var limit = 20
        if let text = request.uri.queryParameters.get("limit") {
            guard let value = Int(text), (1...100).contains(value) else {
                throw APIError.invalid("limit", "`limit` must be a whole number from 1 to 100; got \"\(text.prefix(20))\".")
            }
            limit = value
        }
        let after = request.uri.queryParameters.get("after")
        let pageSize = limit
        let jobs = try await storeCall { try await store.jobs(keyID: key.id, limit: pageSize, after: after) }
        var views: [JobView] = []
        for job in jobs { views.append(try await present(job)) }
        return EnvelopeResponse.ok(JobPage(jobs: views, nextCursor: jobs.count == limit ? jobs.last?.id : nil))
    }

    // MARK: Helpers

    func present(_ job: JobRecord) async throws -> JobView {
        let position = job.status == .queued ? try await storeCall { try await store.queuePosition(jobID: job.id) } : nil
        return presenter.view(job, queuePosition: position)
    }

    /// Polls the job until it ends or `limit` passes; the job as it then is.
    func waitForEnd(_ id: String, keyID: String, upTo limit: Duration) async throws -> JobRecord {
        let deadline = ContinuousClock.now + limit
        while true {
            guard let job = try await storeCall({ try await store.job(id: id, keyID: keyID) }) else { throw Self.notFound(id) }
            if job.status.isTerminal || ContinuousClock.now >= deadline { return job }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// A store call whose failure or silence is an outage (503), not the client's fault.
    func storeCall<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await databaseCall(timeout: configuration.databaseTimeout, body)
    }

    static func key(_ context: InbetweenRequestContext) throws -> APIKeyRecord {
        guard let key = context.key else { throw APIError(.unauthorized, "missing API key.") }
        return key
    }

    static func jobID(_ request: Request) throws -> String {
        guard let id = request.uri.queryParameters.get("id"), !id.isEmpty else {
            throw APIError.invalid("id", "the query parameter `id` is required: the job_id that create returned.")
        }
        return id
    }

    static func notFound(_ id: String) -> APIError {
        APIError(.notFound, "no job \"\(id.prefix(64))\" for this API key.")
    }

    /// `Cancel-After: <seconds>` on create.
    static var cancelAfterHeader: HTTPField.Name { HTTPField.Name("Cancel-After")! }
    /// Longest `Cancel-After` taken: 30 days.
    static var maxCancelAfter: Int { 30 * 24 * 3600 }

    /// `Cancel-After: N` → N whole seconds (1 … 30 days), or nil when absent.
    static func cancelAfter(_ header: String?) throws -> Int? {
        guard let header else { return nil }
        let text = header.trimmingCharacters(in: .whitespaces)
        guard let seconds = Int(text), (1...maxCancelAfter).contains(seconds) else {
            throw APIError.invalid(
                "Cancel-After", "the `Cancel-After` header must be whole seconds from 1 to \(maxCancelAfter) (30 days); got \"\(text.prefix(40))\".")
        }
        return seconds
    }

    /// `Prefer: wait=N` → N seconds (capped), or nil.
    static func wait(_ header: String?, limit: Duration) throws -> Duration? {
        guard let header else { return nil }
        for preference in header.split(separator: ",") {
            let parts = preference.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "wait" else { continue }
            guard let seconds = Int(parts[1].trimmingCharacters(in: .whitespaces)), seconds >= 0 else {
                throw APIError.invalid("Prefer", "`Prefer: wait=N` needs N as whole seconds (at most \(limit.components.seconds)).")
            }
            return min(.seconds(seconds), limit)
        }
        return nil
    }

    /// SHA-256 of the body in a canonical form (keys sorted, numbers as JSON numbers), so the
    /// same request sent with its keys in another order or other spacing counts as the same.
    static func canonicalHash(_ body: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Secrets.sha256(Array(try encoder.encode(body)))
    }

    /// "64 MiB", "256 KiB", "900 bytes".
    static func size(_ bytes: Int) -> String { sizeDescription(bytes) }

    static func jsonProblem(_ error: any Error) -> String {
        guard case DecodingError.dataCorrupted(let context)? = error as? DecodingError else { return "" }
        let detail = (context.underlyingError as NSError?)?.userInfo[NSDebugDescriptionErrorKey] as? String ?? context.debugDescription
        return detail.isEmpty ? "" : ": \(detail)"
    }
}

/// A set of keys under a lock.
final class InFlightKeys: Sendable {
    private let keys = Mutex<Set<String>>([])

    func insert(_ key: String) -> Bool { keys.withLock { $0.insert(key).inserted } }
    func remove(_ key: String) { _ = keys.withLock { $0.remove(key) } }
}
