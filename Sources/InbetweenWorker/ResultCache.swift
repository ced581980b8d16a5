import Crypto
import Foundation
import InbetweenAPI
import InbetweenJobs

/// Content-addressed results: a finished video is kept under the SHA-256 of what made it
/// (the engine, the model, every argument in canonical form, the bytes of both images), so
/// an identical request is answered with it at once, whichever engine made it. Entries live
/// in the result store (`cache-<hex>/`), shared by every node; `output.json` is written last,
/// so an entry without it is ignored.
struct ResultCache<Results: ResultStore>: Sendable {
    let results: Results

    /// The key of a request for `model` with `arguments` (and images `start` and `end`) on
    /// `engine`, or nil when its result must not be reused: an engine that is not deterministic
    /// (a generative upstream) is cached only when a seed is given.
    static func key(model: String, arguments: GenerationArguments, on engine: some VideoEngine, start: [UInt8], end: [UInt8]) -> String? {
        guard engine.deterministic || arguments.seed != nil else { return nil }
        var canonical: [String: JSONValue] = [
            "engine": .string(engine.cacheIdentity), "model": .string(model), "mode": .string(arguments.mode.rawValue),
            "prompt": .string(arguments.prompt), "duration": .number(Double(arguments.duration)),
            "resolution": .string(arguments.resolution.rawValue), "seed": arguments.seed.map { .number(Double($0)) } ?? .null,
            "movement_amplitude": .string(arguments.movementAmplitude.rawValue), "fps": .number(Double(arguments.fps)),
            "image": .string(Self.hex(SHA256.hash(data: start))), "image_tail": .string(Self.hex(SHA256.hash(data: end))),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // The creative controls, only when sent: a request without them keeps its key.
        if arguments.hasControls { canonical["controls"] = controls(arguments) }
        guard let bytes = try? encoder.encode(JSONValue.object(canonical)) else { return nil }
        return hex(SHA256.hash(data: bytes))
    }

    /// The controls in canonical form, each mask by the SHA-256 of its bytes.
    static func controls(_ arguments: GenerationArguments) -> JSONValue {
        func mask(_ reference: ImageReference) -> JSONValue {
            switch reference {
            case .data(_, let bytes): .string(hex(SHA256.hash(data: bytes)))
            case .url(let url): .string(url.absoluteString)
            case .file(let path): .string(path)
            }
        }
        var object: [String: JSONValue] = ["loop": .bool(arguments.loop), "negative_prompt": arguments.negativePrompt.map(JSONValue.string) ?? .null]
        if let camera = arguments.cameraControl {
            let axes = camera.config
            object["camera_control"] = .array(
                [.string(camera.type.rawValue)] + [axes.horizontal, axes.vertical, axes.pan, axes.tilt, axes.roll, axes.zoom].map(JSONValue.number))
        }
        if let staticMask = arguments.staticMask { object["static_mask"] = mask(staticMask) }
        if let brushes = arguments.dynamicMasks {
            object["dynamic_masks"] = .array(
                brushes.map { brush in
                    .object(["mask": mask(brush.mask), "path": .array(brush.trajectory.flatMap { [.number(Double($0.x)), .number(Double($0.y))] })])
                })
        }
        return .object(object)
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { String(format: "%02x", $0) }.joined()
    }

    private static func entry(_ key: String) -> String { "cache-\(key)" }

    /// The stored output for `key`, its files copied to `job`'s; nil on a miss.
    func answer(_ key: String, job: String) async throws -> JobOutput? {
        guard let bytes = try await results.contents(job: Self.entry(key), name: "output.json", maxBytes: 64 * 1024),
            var output = try? JSONDecoder().decode(JobOutput.self, from: Data(bytes))
        else { return nil }
        guard try await results.copy(from: Self.entry(key), to: job, name: "cover.jpg"),
            try await results.copy(from: Self.entry(key), to: job, name: "video.mp4")
        else { return nil }
        output.video = "\(job)/video.mp4"
        output.cover = "\(job)/cover.jpg"
        output.cached = true
        output.upstream = nil
        output.fallback = nil
        return output
    }

    /// Keeps a finished job's files and output under `key`.
    func store(_ key: String, video: URL, cover: URL, output: JobOutput) async throws {
        try await results.put(job: Self.entry(key), name: "video.mp4", from: video)
        try await results.put(job: Self.entry(key), name: "cover.jpg", from: cover)
        let description = video.deletingLastPathComponent().appendingPathComponent("output-\(UUID().uuidString).json")
        try JSONEncoder().encode(output).write(to: description)
        defer { try? FileManager.default.removeItem(at: description) }
        try await results.put(job: Self.entry(key), name: "output.json", from: description)
    }
}
