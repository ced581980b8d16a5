import AsyncHTTPClient
public import Foundation
import InbetweenAPI
public import InbetweenJobs
import InbetweenPostgres
import InbetweenSQLite
import InbetweenServer
import InbetweenWorker
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle

/// The whole service (the HTTP edge with its workers) over a fresh store of either kind,
/// listening on a loopback port for real HTTP, with one key: for tests that drive it as
/// clients do, on SQLite and on PostgreSQL alike.
public struct LiveService: Sendable {
    /// `http://127.0.0.1:PORT`.
    public let base: String
    /// The key in the clear.
    public let apiKey: String
    public let key: APIKeyRecord
    /// Where result files go (`<job>/video.mp4`).
    public let resultsDirectory: URL

    /// Runs `body` against the service over a fresh store of `kind` (SQLite or PostgreSQL),
    /// built with the test settings (see `Fixture.settings`) changed by `adjust`; stops it
    /// and removes everything after.
    public static func run(
        _ kind: FreshStore.Kind, workers: Int = 1, _ adjust: @escaping @Sendable (inout Settings) -> Void = { _ in },
        _ body: @escaping @Sendable (LiveService) async throws -> Void
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-live-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var settings = Fixture.settings(dataDirectory: directory, workers: workers)
        settings.port = try freeLoopbackPort()
        // Every job renders: these tests send the same request many times.
        settings.cache = false
        adjust(&settings)
        let ready = settings
        switch kind {
        case .sqlite:
            try await serve(ready, store: try SQLiteJobStore(path: ready.databasePath), listeners: { _ in [] }, body)
        case .postgres:
            try await TestPostgres.withStore { store in
                try await serve(
                    ready, store: store,
                    listeners: { signal in
                        [JobNotificationListener(client: store.client, signal: signal, cancellations: store.cancellations, logger: quietLogger)]
                    }, body)
            }
        case .memory:
            try await serve(ready, store: InMemoryJobStore(), listeners: { _ in [] }, body)
        }
    }

    private static var quietLogger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }

    private static func serve(
        _ settings: Settings, store: some JobStore, listeners: (JobSignal) -> [any Service],
        _ body: @escaping @Sendable (LiveService) async throws -> Void
    ) async throws {
        let (apiKey, key) = try await Fixture.makeKey(store)
        let app = try buildFullApplication(settings, store: store, listeners: listeners, logger: quietLogger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: quietLogger))
        let service = LiveService(
            base: "http://127.0.0.1:\(settings.port)", apiKey: apiKey, key: key, resultsDirectory: settings.resultsDirectory)
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            do {
                // Up when /healthz answers.
                let deadline = ContinuousClock.now + .seconds(20)
                while (try? await service.send("GET", "/healthz", timeout: .seconds(1)).status) != 200, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(50))
                }
                try await body(service)
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    /// What came back.
    public struct Answer: @unchecked Sendable {
        public let status: Int
        public let headers: [(String, String)]
        /// The envelope's `data` (empty when none).
        public let data: [String: Any]
        public let seconds: Double

        public func header(_ name: String) -> String? { headers.first { $0.0.lowercased() == name.lowercased() }?.1 }
    }

    /// Sends a request with this service's key; `timeout` is the client's patience.
    public func send(_ method: String, _ path: String, body: Data? = nil, timeout: Duration = .seconds(20)) async throws -> Answer {
        var request = HTTPClientRequest(url: base + path)
        request.method = .init(rawValue: method)
        request.headers.add(name: "authorization", value: "Bearer \(apiKey)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let began = ContinuousClock.now
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(Int64(timeout.components.seconds)))
        let bytes = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let seconds = (ContinuousClock.now - began).asSeconds
        let object = try? JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
        return Answer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            data: object?["data"] as? [String: Any] ?? [:], seconds: seconds)
    }

    /// Creates a job with `args`; its id, or nil when the create was not answered 200.
    public func create(_ args: [String: Any], callback: String? = nil, timeout: Duration = .seconds(20)) async throws -> (id: String?, answer: Answer)
    {
        var object: [String: Any] = ["model": modelID, "args": args]
        if let callback { object["callback_url"] = callback }
        let answer = try await send("POST", "/api/v1/job/create", body: try JSONSerialization.data(withJSONObject: object), timeout: timeout)
        return (answer.data["job_id"] as? String, answer)
    }

    /// The job's status now (-1 when unreadable).
    public func status(_ id: String) async throws -> Int {
        try await send("GET", "/api/v1/job/query?id=\(id)").data["status"] as? Int ?? -1
    }

    /// Polls every `interval` until `done` holds for the job's status or `limit` passes; the last status.
    public func waitForStatus(
        _ id: String, upTo limit: Duration = .seconds(60), every interval: Duration = .milliseconds(10), _ done: (Int) -> Bool
    ) async throws -> Int {
        let deadline = ContinuousClock.now + limit
        var status = try await status(id)
        while !done(status), ContinuousClock.now < deadline {
            try await Task.sleep(for: interval)
            status = try await self.status(id)
        }
        return status
    }

    /// Whether any result file of the job is on disk.
    public func hasResultFiles(_ id: String) -> Bool {
        let directory = resultsDirectory.appendingPathComponent(id)
        return !((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).isEmpty
    }
}

extension Duration {
    /// Seconds as a Double.
    public var asSeconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

/// The `fraction` percentile (0 ... 1) of `values`, nearest rank; 0 for none.
public func percentile(_ values: [Double], _ fraction: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    let rank = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(sorted.count - 1, max(0, rank))]
}
