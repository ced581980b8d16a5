public import Foundation
public import HTTPTypes
public import Hummingbird
public import HummingbirdTesting
public import InbetweenAPI
public import InbetweenJobs
public import InbetweenSQLite
public import InbetweenServer
public import InbetweenWorker
public import Logging
public import NIOCore
public import Prometheus
public import ServiceLifecycle
public import Testing

/// The HTTP edge's configuration and the worker runtime's, set as one: `settings.routes`,
/// `settings.port` and `settings.worker.concurrency` each reach the one that has it.
@dynamicMemberLookup
public struct Settings: Sendable {
    /// The HTTP edge's part.
    public var server: ServerConfiguration
    /// The worker runtime's part.
    public var runtime: RuntimeConfiguration

    /// The defaults of both, in `dataDirectory`.
    public init(dataDirectory: URL) {
        server = ServerConfiguration(dataDirectory: dataDirectory)
        runtime = RuntimeConfiguration(dataDirectory: dataDirectory)
    }

    /// A setting of the HTTP edge.
    public subscript<T>(dynamicMember path: WritableKeyPath<ServerConfiguration, T>) -> T {
        get { server[keyPath: path] }
        set { server[keyPath: path] = newValue }
    }

    /// A setting of the worker runtime.
    public subscript<T>(dynamicMember path: WritableKeyPath<RuntimeConfiguration, T>) -> T {
        get { runtime[keyPath: path] }
        set { runtime[keyPath: path] = newValue }
    }

    /// Where result files go.
    public var resultsDirectory: URL { runtime.resultsDirectory }
    /// The SQLite database.
    public var databasePath: String { server.databasePath }
    /// The data directory both share.
    public var dataDirectory: URL { server.dataDirectory }
}

/// The whole service as `inbetween serve` runs it: the HTTP edge with the worker runtime beside it.
///
/// - Parameter listeners: services that run first, made with the workers' wake-up signal (a
///   PostgreSQL store's `JobNotificationListener`).
public func buildFullApplication(
    _ settings: Settings, store: some JobStore, resolver: any HostResolver = SystemHostResolver(),
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(), listeners: (JobSignal) -> [any Service] = { _ in [] }, logger: Logger
) throws -> some ApplicationProtocol {
    let results = try DirectoryResultStore(root: settings.runtime.resultsDirectory)
    let presenter = try settings.server.makePresenter()
    let signal = JobSignal()
    let services = try buildWorkerServices(
        configuration: settings.runtime, store: store, results: results, presenter: presenter, registry: registry, resolver: resolver,
        signal: signal, logger: logger)
    var server = settings.server
    server.admission = server.admission ?? settings.runtime.controlAdmission
    return try buildApplication(
        configuration: server, store: store, results: results, presenter: presenter, registry: registry, signal: signal,
        dependencies: listeners(signal), services: services, logger: logger)
}

/// A server over a fresh data directory and SQLite file, with one API key made the way
/// `inbetween keys create` makes them.
public struct Fixture: Sendable {
    /// What the service is built with.
    public var configuration: Settings
    /// Its store, on a fresh SQLite file.
    public let store: SQLiteJobStore
    /// The key in the clear, as a client holds it.
    public let apiKey: String
    /// The key as stored.
    public let key: APIKeyRecord

    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    /// The sample photos scaled to 320 px wide: real JPEGs, small enough for quick bodies.
    public static let startJPEG = small("start")
    public static let endJPEG = small("end")
    public static let startURI = "data:image/jpeg;base64," + startJPEG.base64EncodedString()
    public static let endURI = "data:image/jpeg;base64," + endJPEG.base64EncodedString()

    /// - Parameter prepare: runs on the new data directory before anything is in it (a test mounts a small disk there).
    public init(
        workers: Int = 0, budget: Int? = nil, _ adjust: (inout Settings) -> Void = { _ in }, prepare: (URL) throws -> Void = { _ in }
    ) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-server-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try prepare(directory)
        var configuration = Self.settings(dataDirectory: directory, workers: workers)
        adjust(&configuration)
        self.configuration = configuration
        store = try SQLiteJobStore(path: configuration.databasePath)
        (apiKey, key) = try await Self.makeKey(store, budget: budget)
    }

    /// The settings tests run the service with: quick polls, heartbeats and retries, no rate limit to speak of.
    public static func settings(dataDirectory directory: URL, workers: Int) -> Settings {
        var configuration = Settings(dataDirectory: directory)
        configuration.port = 0
        configuration.worker.concurrency = workers
        configuration.worker.pollInterval = .milliseconds(100)
        configuration.worker.heartbeat = .milliseconds(300)
        configuration.webhooks.pollInterval = .milliseconds(100)
        configuration.webhooks.schedule = RetrySchedule(delays: [.milliseconds(100), .milliseconds(100), .milliseconds(100)], jitter: 0)
        configuration.webhooks.timeout = .seconds(2)
        configuration.reapInterval = .milliseconds(200)
        // Tests poll; the rate-limit test sets its own small limit.
        configuration.createRateLimit = RateLimitPolicy(limit: 100_000, window: .seconds(60))
        configuration.readRateLimit = RateLimitPolicy(limit: 100_000, window: .seconds(60))
        return configuration
    }

    public static func makeKey(_ store: some JobStore, budget: Int? = nil) async throws -> (String, APIKeyRecord) {
        let plain = Secrets.newAPIKey()
        let record = APIKeyRecord(
            id: "key_" + Secrets.randomToken(12), name: "test", prefix: String(plain.prefix(11)), hash: Secrets.sha256(plain),
            webhookSecret: Secrets.newWebhookSecret(), budget: budget, createdAt: Date())
        try await store.createKey(record)
        return (plain, record)
    }

    public static func small(_ name: String) -> Data {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-\(name)-\(UUID().uuidString).jpg")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = [
            "-nostdin", "-loglevel", "error", "-i", root.appendingPathComponent("samples/\(name).jpg").path, "-vf", "scale=320:-2", "-y", output.path,
        ]
        try! process.run()
        process.waitUntilExit()
        return try! Data(contentsOf: output)
    }

    /// The whole service over this fixture's store and configuration.
    public func application(
        resolver: any HostResolver = SystemHostResolver(), registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()
    ) throws -> some ApplicationProtocol {
        var logger = Logger(label: "test")
        logger.logLevel = .warning
        return try buildFullApplication(configuration, store: store, resolver: resolver, registry: registry, logger: logger)
    }

    /// Arguments for a fast job (turbo, 540p, 1 s), as the SDK takes them.
    public static func sdkArguments(_ extra: [String: JSONValue] = [:]) -> [String: JSONValue] {
        var args: [String: JSONValue] = [
            "prompt": "The camera pushes in slowly", "mode": "turbo", "resolution": "540p", "duration": "1", "image": .string(Fixture.startURI),
            "image_tail": .string(Fixture.endURI),
        ]
        for (name, value) in extra { args[name] = value }
        return args
    }

    /// Arguments for a fast job (turbo, 540p, 1 s).
    public static func args(
        prompt: String = "The camera pushes in slowly", image: String = startURI, tail: String = endURI, extra: [String: Any] = [:]
    )
        -> [String: Any]
    {
        var args: [String: Any] = ["mode": "turbo", "resolution": "540p", "duration": "1", "prompt": prompt, "image": image, "image_tail": tail]
        for (name, value) in extra { args[name] = value }
        return args
    }

    /// A create body.
    public static func body(_ args: [String: Any], model: String = modelID, callback: String? = nil) -> ByteBuffer {
        var object: [String: Any] = ["model": model, "args": args]
        if let callback { object["callback_url"] = callback }
        return ByteBuffer(bytes: try! JSONSerialization.data(withJSONObject: object))
    }

    /// JSON headers with this fixture's key (or `key`).
    public func headers(_ extra: HTTPFields = [:], key: String? = nil) -> HTTPFields {
        var fields: HTTPFields = [.authorization: "Bearer \(key ?? apiKey)", .contentType: "application/json"]
        for field in extra { fields[field.name] = field.value }
        return fields
    }
}

/// A decoded response body.
/// Immutable once decoded; JSONSerialization makes only immutable values.
public struct Reply: @unchecked Sendable {
    public let status: HTTPResponse.Status
    public let headers: HTTPFields
    public let json: [String: Any]

    /// Decodes `response`'s body.
    public init(_ response: TestResponse) throws {
        status = response.status
        headers = response.headers
        let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView))
        json = try #require(object as? [String: Any], "the body is not a JSON object")
    }

    public var code: Int { json["code"] as? Int ?? -1 }
    public var message: String { json["message"] as? String ?? "" }
    public var data: [String: Any] { json["data"] as? [String: Any] ?? [:] }

    /// Checks the failure envelope: status, code, `data: null`, and words in the message.
    public func expectFailure(_ code: APIError.Code, mentioning words: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(status.code == code.httpStatus, "status", sourceLocation: sourceLocation)
        #expect(self.code == code.rawValue, "\(message)", sourceLocation: sourceLocation)
        #expect(json["data"] is NSNull, sourceLocation: sourceLocation)
        #expect(headers[.contentType]?.hasPrefix("application/json") == true, sourceLocation: sourceLocation)
        for word in words {
            #expect(message.contains(word), "\"\(message)\" should mention \(word)", sourceLocation: sourceLocation)
        }
    }
}

extension TestClientProtocol {
    /// Executes a request and decodes its envelope.
    public func call(_ uri: String, _ method: HTTPRequest.Method = .get, headers: HTTPFields = [:], body: ByteBuffer? = nil) async throws -> Reply {
        try Reply(try await execute(uri: uri, method: method, headers: headers, body: body))
    }
}

/// A port on 127.0.0.1 that nothing listens on now.
public func freeLoopbackPort() throws -> Int {
    let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socket) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
    }
    guard bound else { throw CocoaError(.fileWriteUnknown) }
    return Int(UInt16(bigEndian: address.sin_port))
}
