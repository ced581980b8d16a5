import Foundation
import HTTPTypes
import Hummingbird
import InbetweenAPI
import InbetweenJobs
import NIOCore
import ServiceLifecycle

/// `GET /api/v1/job/stream?id=`: the job as the query shows it, as Server-Sent Events, one
/// event on every change (status, queue position, progress at most every 250 ms), a heartbeat
/// comment every 15 s, `Last-Event-ID` resumed, closed after the final status. Changes come
/// from the store's `changes` (on PostgreSQL, from any node through `LISTEN`).
struct StreamController<Store: JobStore>: Sendable {
    let store: Store
    let presenter: JobPresenter
    let configuration: ServerConfiguration
    /// How often an idle stream sends a heartbeat comment (and reads its job again).
    var heartbeat: Duration { configuration.streamHeartbeat }
    /// The shortest time between two events that change only progress or queue position.
    var progressInterval: Duration = .milliseconds(250)

    func addRoutes(to group: RouterGroup<InbetweenRequestContext>) {
        group.get("job/stream", use: stream)
    }

    @Sendable func stream(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        guard let key = context.key else { throw APIError(.unauthorized, "missing API key.") }
        guard let id = request.uri.queryParameters.get("id"), !id.isEmpty else {
            throw APIError.invalid("id", "the query parameter `id` is required: the job_id that create returned.")
        }
        let store = store
        let timeout = configuration.databaseTimeout
        // Watching starts before the first read, so no change between the two is missed.
        let subscription = store.changes.subscribe(jobID: id)
        let first: JobRecord?
        do {
            first = try await databaseCall(timeout: timeout) { try await store.job(id: id, keyID: key.id) }
        } catch {
            subscription.cancel()
            throw error
        }
        guard let first else {
            subscription.cancel()
            throw APIError(.notFound, "no job \"\(id.prefix(64))\" for this API key.")
        }
        let resumeFrom = request.headers[Self.lastEventID].flatMap(StreamEventID.init)
        // A client that already saw the final state is told not to reconnect (204, as the spec says).
        if let resumeFrom, first.status.isTerminal, resumeFrom.status == first.status {
            subscription.cancel()
            return Response(status: .noContent)
        }
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", HTTPField.Name("X-Accel-Buffering")!: "no",
        ]
        /// The events until the final status, or until the server stops.
        @Sendable func stream(to writer: inout any ResponseBodyWriter) async throws {
            try await writer.write(ByteBuffer(string: "retry: 1000\n\n"))
            var job = first
            var last = resumeFrom
            var lastSent = ContinuousClock.now - progressInterval
            while true {
                var view = try await view(job)
                if view.status == .running, let live = store.changes.liveProgress(id) { view.progress = max(view.progress ?? 0, min(99, live)) }
                let current = StreamEventID(view)
                if current != last {
                    // A new status goes out at once; progress and queue moves at most every 250 ms.
                    let due = lastSent + progressInterval
                    if current.status == last?.status, ContinuousClock.now < due {
                        try await Task.sleep(until: due)
                        guard let fresh = try await databaseCall(timeout: timeout, { try await store.job(id: id, keyID: key.id) }) else { break }
                        job = fresh
                        continue
                    }
                    // Resuming across a start the client did not see: it sees the start too.
                    if let seen = last, seen.status == .queued, view.status.isTerminal, job.startedAt != nil {
                        var started = view
                        started.status = .running
                        started.progress = 0
                        started.finishedAt = nil
                        started.result = nil
                        started.error = nil
                        started.webhook = nil
                        try await writer.write(Self.event(started, id: StreamEventID(started)))
                    }
                    try await writer.write(Self.event(view, id: current))
                    last = current
                    lastSent = ContinuousClock.now
                }
                if view.status.isTerminal { break }
                subscription.watchQueue(view.status == .queued)
                let changed = await subscription.wait(upTo: heartbeat)
                if Task.isCancelled || Task.isShuttingDownGracefully { break }
                if !changed { try await writer.write(ByteBuffer(string: ": heartbeat\n\n")) }
                guard let fresh = try await databaseCall(timeout: timeout, { try await store.job(id: id, keyID: key.id) }) else { break }
                job = fresh
            }
        }

        let body = ResponseBody { writer in
            defer { subscription.cancel() }
            // A stopping server closes its streams (their clients reconnect elsewhere with Last-Event-ID).
            try await withGracefulShutdownHandler {
                try await stream(to: &writer)
            } onGracefulShutdown: {
                subscription.cancel()
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// The job as the query shows it.
    func view(_ job: JobRecord) async throws -> JobView {
        let store = store
        let position =
            job.status == .queued
            ? try await databaseCall(timeout: configuration.databaseTimeout) { try await store.queuePosition(jobID: job.id) } : nil
        return presenter.view(job, queuePosition: position)
    }

    static var lastEventID: HTTPField.Name { HTTPField.Name("Last-Event-ID")! }

    /// One event: `id`, then the query's `data` object on one line.
    static func event(_ view: JobView, id: StreamEventID) throws -> ByteBuffer {
        let data = try JobPresenter.encoder.encode(view)
        var buffer = ByteBuffer(string: "id: \(id.text)\ndata: ")
        buffer.writeBytes(data)
        buffer.writeString("\n\n")
        return buffer
    }
}

/// A stream event's id: the job's status and where it stood (`1.35`: running at 35 %;
/// `0.q3`: queued, 3 ahead). A resumed stream sends nothing until the job differs from it.
struct StreamEventID: Hashable, Sendable {
    var status: JobStatus
    var detail: String

    init(_ view: JobView) {
        status = view.status
        switch view.status {
        case .queued: detail = "q\(view.queuePosition ?? 0)"
        default: detail = "\(view.progress ?? 0)\(view.dataRemoved == true ? "r" : "")"
        }
    }

    init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: ".", maxSplits: 1)
        guard parts.count == 2, let number = Int(parts[0]), let status = JobStatus(rawValue: number) else { return nil }
        self.status = status
        detail = String(parts[1])
    }

    var text: String { "\(status.rawValue).\(detail)" }
}
