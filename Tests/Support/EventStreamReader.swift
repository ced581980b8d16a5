import AsyncHTTPClient
public import Foundation
import NIOCore
import NIOHTTP1

/// A raw reader of `GET /api/v1/job/stream`, for tests: each event with its id, its `data`
/// object and when it arrived, and the comments (heartbeats) seen.
public struct EventStreamReader: Sendable {
    /// One event as it arrived.
    public struct Event: @unchecked Sendable {
        public var id: String
        public var data: [String: Any]
        public var arrived: Date

        public var status: Int { data["status"] as? Int ?? -1 }
        public var progress: Int { data["progress"] as? Int ?? -1 }
    }

    /// What one connection gave.
    public struct Outcome: @unchecked Sendable {
        public var httpStatus: Int
        public var contentType: String?
        public var events: [Event] = []
        public var comments = 0
        /// Whether the server closed the stream (rather than `stopAfter` or the time limit ending it).
        public var closedByServer = false
    }

    public let base: String
    public let key: String

    public init(base: String, key: String) {
        self.base = base
        self.key = key
    }

    /// Opens the stream of `jobID` and reads until the server closes it, `stopAfter` events
    /// came, or `limit` passed; `onEvent` hears each event's id as it comes.
    public func read(
        _ jobID: String, lastEventID: String? = nil, stopAfter: Int? = nil, limit: Duration = .seconds(120),
        onEvent: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> Outcome {
        var request = HTTPClientRequest(url: "\(base)/api/v1/job/stream?id=\(jobID)")
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        request.headers.add(name: "accept", value: "text/event-stream")
        if let lastEventID { request.headers.add(name: "last-event-id", value: lastEventID) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(limit.components.seconds) + 5))
        let outcome = Outcome(httpStatus: Int(response.status.code), contentType: response.headers.first(name: "content-type"))
        guard response.status == .ok else { return outcome }
        let deadline = ContinuousClock.now + limit
        let reading = Task { [outcome] in
            var outcome = outcome
            var buffer = ""
            var id = ""
            var data = ""
            for try await chunk in response.body {
                buffer += String(buffer: chunk)
                while let newline = buffer.firstIndex(of: "\n") {
                    let line = String(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    if line.isEmpty {
                        if !data.isEmpty, let object = try JSONSerialization.jsonObject(with: Data(data.utf8)) as? [String: Any] {
                            outcome.events.append(Event(id: id, data: object, arrived: Date()))
                            onEvent(id)
                            if let stopAfter, outcome.events.count >= stopAfter { return outcome }
                        }
                        data = ""
                    } else if line.hasPrefix(":") {
                        outcome.comments += 1
                    } else if line.hasPrefix("id: ") {
                        id = String(line.dropFirst(4))
                    } else if line.hasPrefix("data: ") {
                        data += String(line.dropFirst(6))
                    }
                }
            }
            outcome.closedByServer = true
            return outcome
        }
        let timer = Task {
            try? await Task.sleep(until: deadline)
            reading.cancel()
        }
        defer { timer.cancel() }
        do {
            return try await reading.value
        } catch {
            return outcome
        }
    }
}
