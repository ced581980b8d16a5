import Foundation
import InbetweenAPI
import InbetweenJobs
import Testing

@testable import InbetweenWorker

/// An engine that only names itself: what the cache key reads of an engine.
struct NamedEngine: VideoEngine {
    var name: String
    var cacheIdentity: String
    var deterministic: Bool

    func render(_ request: EngineRequest, output: URL, progress: @escaping @Sendable (Double) -> Void) async throws -> JobOutput {
        throw JobFailure(code: APIError.Code.internalError.rawValue, message: "not a renderer")
    }
}

@Suite("Result cache keys")
struct ResultCacheKeyTests {
    static let local = NamedEngine(name: "local:motion", cacheIdentity: "local:motion/v1", deterministic: true)
    static let upstream = NamedEngine(name: "upstream:gpu", cacheIdentity: "upstream:gpu@https://gpu#", deterministic: false)

    static func arguments(_ extra: [String: JSONValue] = [:]) throws -> GenerationArguments {
        var args: [String: JSONValue] = [
            "prompt": "The camera pushes in", "image": "https://example.com/a.png", "image_tail": "https://example.com/b.png",
        ]
        for (name, value) in extra { args[name] = value }
        return try GenerationArguments(validating: args)
    }

    static func key(_ arguments: GenerationArguments, on engine: NamedEngine, start: [UInt8] = [1, 2, 3], end: [UInt8] = [4, 5]) -> String? {
        ResultCache<DirectoryResultStore>.key(model: modelID, arguments: arguments, on: engine, start: start, end: end)
    }

    @Test("the same request on the same engine has one key; another prompt, image, seed or engine another")
    func sameAndDifferent() throws {
        let plain = try Self.arguments()
        let key = try #require(Self.key(plain, on: Self.local))
        #expect(key.count == 64)
        // Where the images came from does not count, only their bytes.
        #expect(Self.key(try Self.arguments(["image": "https://elsewhere.example/x.png"]), on: Self.local) == key)
        #expect(Self.key(try Self.arguments(["prompt": "The camera pulls back"]), on: Self.local) != key)
        #expect(Self.key(plain, on: Self.local, start: [1, 2, 4]) != key)
        #expect(Self.key(try Self.arguments(["seed": 7]), on: Self.local) != key)
        let other = NamedEngine(name: "local:motion", cacheIdentity: "local:motion/v2", deterministic: true)
        #expect(Self.key(plain, on: other) != key)
    }

    @Test("a generative engine's results are reused only when the request names a seed")
    func generativeNeedsSeed() throws {
        #expect(Self.key(try Self.arguments(), on: Self.upstream) == nil)
        #expect(Self.key(try Self.arguments(["seed": 7]), on: Self.upstream) != nil)
    }
}
