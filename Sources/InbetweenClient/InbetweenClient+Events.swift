import AsyncHTTPClient
import Foundation
public import InbetweenAPI
import NIOCore
import NIOHTTP1

extension InbetweenClient {
    /// The job's states as the server streams them (`GET /api/v1/job/stream`): one `JobView`
    /// on every change, ending after the final status. A dropped connection is resumed with
    /// `Last-Event-ID` (nothing is lost) up to `reconnects` times in a row.
    ///
    /// - Throws (from the sequence): the server's `APIError` (404 for another key's job), or
    ///   the transport's error once the reconnects are spent; `waitUntilDone` polls instead.
    public func events(_ id: String, reconnects: Int = 5) -> AsyncThrowingStream<JobView, any Error> {
        let client = self
        return AsyncThrowingStream { continuation in
            let task = Task {
                var lastEventID: String?
                var failures = 0
                while !Task.isCancelled {
                    do {
                        let ended = try await client.readStream(id, lastEventID: &lastEventID) { view in
                            continuation.yield(view)
                            failures = 0
                        }
                        if ended { break }
                        // Closed before the end (a proxy, a restart): resume where it stopped.
                        failures += 1
                    } catch let error as APIError {
                        continuation.finish(throwing: error)
                        return
                    } catch {
                        failures += 1
                        if failures > reconnects || Task.isCancelled {
                            continuation.finish(throwing: error)
                            return
                        }
                    }
                    if failures > reconnects {
                        continuation.finish(throwing: InbetweenClientError.timedOut(jobID: id))
                        return
                    }
                    try? await Task.sleep(for: .seconds(1))
                }
                continuation.finish()
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// One connection to the stream; true when the job reached its final status (or the server
    /// said there is nothing more, 204).
    func readStream(_ id: String, lastEventID: inout String?, _ yield: (JobView) -> Void) async throws -> Bool {
        var request = HTTPClientRequest(url: baseURL + "/api/v1/job/stream?id=\(Self.escape(id))")
        request.headers.add(name: "authorization", value: "Bearer \(apiKey)")
        request.headers.add(name: "accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "last-event-id", value: lastEventID) }
        // The stream lasts as long as the job; the server's heartbeats keep it alive.
        let response = try await httpClient.execute(request, timeout: .hours(24))
        if response.status == .noContent { return true }
        guard response.status == .ok else {
            let bytes = try await response.body.collect(upTo: 1024 * 1024)
            if let envelope = try? JSONDecoder().decode(Envelope<JobView>.self, from: Data(bytes.readableBytesView)) {
                throw APIError(APIError.Code(rawValue: envelope.code), envelope.message)
            }
            throw InbetweenClientError.unreadable(status: Int(response.status.code), body: String(buffer: bytes).prefix(200).description)
        }
        var parser = ServerSentEvents()
        for try await chunk in response.body {
            for event in parser.feed(Array(chunk.readableBytesView)) {
                if let eventID = event.id { lastEventID = eventID }
                guard let data = event.data, let view = try? JSONDecoder().decode(JobView.self, from: Data(data.utf8)) else { continue }
                yield(view)
                if view.status.isTerminal { return true }
            }
        }
        return false
    }
}

/// A Server-Sent Events parser (the WHATWG rules this API needs: `id`, `data`, comments).
struct ServerSentEvents {
    struct Event {
        var id: String?
        var data: String?
    }

    private var buffer: [UInt8] = []
    private var id: String?
    private var data: [String] = []

    /// The events completed by `bytes`.
    mutating func feed(_ bytes: [UInt8]) -> [Event] {
        buffer += bytes
        var events: [Event] = []
        while let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
            var line = Array(buffer[..<newline])
            buffer.removeSubrange(...newline)
            if line.last == UInt8(ascii: "\r") { line.removeLast() }
            let text = String(decoding: line, as: UTF8.self)
            if text.isEmpty {
                if id != nil || !data.isEmpty { events.append(Event(id: id, data: data.isEmpty ? nil : data.joined(separator: "\n"))) }
                id = nil
                data = []
                continue
            }
            if text.hasPrefix(":") { continue }
            let parts = text.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let field = String(parts[0])
            var value = parts.count > 1 ? String(parts[1]) : ""
            if value.hasPrefix(" ") { value.removeFirst() }
            switch field {
            case "id": id = value
            case "data": data.append(value)
            default: break
            }
        }
        return events
    }
}
