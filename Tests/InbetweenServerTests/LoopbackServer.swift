import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A real HTTP server on 127.0.0.1 for a test: image hosts, redirectors and callback
/// receivers. It runs for the duration of `body` and stops after.
enum LoopbackServer {
    static func run<T: Sendable>(
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
struct Received: Sendable {
    var path: String
    var headers: HTTPFields
    var body: [UInt8]
}

/// Requests recorded by a loopback server, in order.
final class Recorder: Sendable {
    private let requests = Mutex<[Received]>([])

    func record(_ request: Request) async throws {
        let body = try await request.body.collect(upTo: 10 * 1024 * 1024)
        requests.withLock { $0.append(Received(path: request.uri.path, headers: request.headers, body: Array(body.readableBytesView))) }
    }

    var all: [Received] { requests.withLock { $0 } }
    func count(_ path: String) -> Int { all.filter { $0.path == path }.count }
}

/// Answers from a script, one per request, then the last one forever.
final class Script: Sendable {
    private let statuses: Mutex<[Int]>

    init(_ statuses: [Int]) {
        self.statuses = Mutex(statuses)
    }

    func next() -> Int {
        statuses.withLock { list in list.count > 1 ? list.removeFirst() : list[0] }
    }
}
