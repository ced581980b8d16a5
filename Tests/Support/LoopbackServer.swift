import Foundation
public import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1 for a test: image hosts, redirectors and callback
/// receivers. It runs for the duration of `body` and stops after.
public enum LoopbackServer {
    /// Runs a server with `routes` on a free loopback port for the duration of `body(port)`.
    public static func run<T: Sendable>(
        _ routes: (Router<BasicRequestContext>) -> Void, _ body: @Sendable (_ port: Int) async throws -> T
    ) async throws -> T {
        let router = Router()
        routes(router)
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "loopback")
        logger.logLevel = .error
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await app.run()
                return nil
            }
            var iterator = ports.makeAsyncIterator()
            let port = await iterator.next() ?? 0
            defer { group.cancelAll() }
            return try await body(port)
        }
    }
}

/// What a receiver saw.
public struct Received: Sendable {
    public var path: String
    public var headers: HTTPFields
    public var body: [UInt8]
}

/// Requests recorded by a loopback server, in order.
public final class Recorder: Sendable {
    public init() {}

    private let requests = Mutex<[Received]>([])

    /// Keeps `request` with its body.
    public func record(_ request: Request) async throws {
        let body = try await request.body.collect(upTo: 10 * 1024 * 1024)
        requests.withLock { $0.append(Received(path: request.uri.path, headers: request.headers, body: Array(body.readableBytesView))) }
    }

    public var all: [Received] { requests.withLock { $0 } }
    public func count(_ path: String) -> Int { all.filter { $0.path == path }.count }
}

/// Answers from a script, one per request, then the last one forever.
public final class Script: Sendable {
    private let statuses: Mutex<[Int]>

    public init(_ statuses: [Int]) {
        self.statuses = Mutex(statuses)
    }

    public func next() -> Int {
        statuses.withLock { list in list.count > 1 ? list.removeFirst() : list[0] }
    }
}
