import Foundation
import NIOHTTP1
import Testing

/// Issue 17: the same unusual inputs (a tagged JPEG, a transparent PNG, a PNG stored sideways
/// with an eXIf tag, an animated WebP) through `inbetween generate`, through the API as data
/// URIs and through the API as URLs give identical first and last frames.
@Suite("inputs through every path", .serialized, .tags(.slow), .timeLimit(.minutes(10)))
struct InputPathsTests {
    /// Start, end, and the 540p bucket the start picks (the PNG is 16x24 upright: portrait).
    static let pairs = [("prophoto.jpg", "rgba.png", 960 * 540), ("orientation-6.png", "anim.webp", 612 * 828)]
    static let settings = ["--mode", "turbo", "--resolution", "540p", "--duration", "1", "--fps", "8", "--engine", "dissolve"]

    /// Writes the corpus of `scripts/make-input-corpus.py` into a fresh folder.
    static func corpus() throws -> String {
        let directory = GenerateCommandTests.temporary("corpus")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", GenerateCommandTests.root.appendingPathComponent("scripts/make-input-corpus.py").path, directory]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "scripts/make-input-corpus.py failed")
        return directory
    }

    /// The first and last frames of the MP4 at `source` (a path or URL), decoded to RGB.
    static func endFrames(_ source: String) throws -> [UInt8] {
        let output = GenerateCommandTests.temporary("frames.rgb")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = [
            "-nostdin", "-v", "error", "-y", "-i", source, "-vf", "select='eq(n\\,0)+eq(n\\,7)'", "-fps_mode", "passthrough", "-f", "rawvideo",
            "-pix_fmt", "rgb24", output,
        ]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: output)))
    }

    @Test func generateDataURIAndURLGiveIdenticalFrames() async throws {
        let directory = try Self.corpus()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let images = try GenerateURLTests.LoopbackServer(serving: directory)
        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await ServeCommandTests.createKey(data)
        let server = try await ServeCommandTests.Server(dataDirectory: data, extra: ["--engine", "dissolve"])
        func dataURI(_ name: String) throws -> String {
            let type = name.hasSuffix(".jpg") ? "jpeg" : name.hasSuffix(".png") ? "png" : "webp"
            return "data:image/\(type);base64,"
                + (try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent(name)).base64EncodedString())
        }
        for (start, end, pixels) in Self.pairs {
            let output = GenerateCommandTests.temporary("cli.mp4")
            defer { try? FileManager.default.removeItem(atPath: output) }
            let run = try await GenerateCommandTests.run(
                [
                    "--image", "\(directory)/\(start)", "--image-tail", "\(directory)/\(end)", "--prompt", "a still moment", "--output", output,
                ] + Self.settings)
            try #require(run.status == 0, "\(start) → \(end): \(run.stderr)")
            let expected = try Self.endFrames(output)
            #expect(expected.count == pixels * 3 * 2, "\(start) → \(end): two frames of the bucket the start picks")
            let base = "http://127.0.0.1:\(images.port)"
            for (form, image, tail) in [
                ("data URI", try dataURI(start), try dataURI(end)), ("URL", "\(base)/\(start)", "\(base)/\(end)"),
            ] {
                let args: [String: Any] = [
                    "prompt": "a still moment", "mode": "turbo", "resolution": "540p", "duration": 1, "fps": 8, "image": image, "image_tail": tail,
                ]
                let created = try await ServeCommandTests.json(
                    .POST, "\(server.base)/api/v1/job/create", key: key, body: ["model": "vidu/vidu-q2/start-end-to-video", "args": args])
                let job = try #require((created["data"] as? [String: Any])?["job_id"] as? String, "\(created)")
                let ended = try await ServeCommandTests.waitForEnd(server, key: key, job: job)
                try #require(ended["status"] as? Int == 2, "\(start) → \(end) by \(form): \(ended)")
                let video = try #require(((ended["result"] as? [String: Any])?["videos"] as? [[String: Any]])?.first?["url"] as? String)
                let frames = try Self.endFrames(video)
                #expect(frames == expected, "\(start) → \(end) by \(form): the first and last frames differ from the CLI's")
            }
        }
    }

    @Test func thePlanAndTheSummarySayWhatWasDoneToEachInput() async throws {
        let directory = try Self.corpus()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let output = GenerateCommandTests.temporary("inputs.mp4")
        let plan = GenerateCommandTests.temporary("plan.json")
        defer { for path in [output, plan] { try? FileManager.default.removeItem(atPath: path) } }
        let run = try await GenerateCommandTests.run(
            [
                "--image", "\(directory)/anim-alpha.webp", "--image-tail", "\(directory)/displayp3.jpg", "--prompt", "x", "--plan", plan, "--json",
                "--output", output,
            ] + Self.settings)
        try #require(run.status == 0, "\(run.stderr)")
        let planJSON = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any])
        #expect(planJSON["steps"] != nil, "the engine's plan is all there")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        for inputs in [planJSON["inputs"], summary["inputs"]] {
            let reports = try #require(inputs as? [[String: Any]])
            try #require(reports.count == 2)
            #expect(reports[0]["field"] as? String == "image" && reports[0]["frames"] as? Int == 2)
            #expect(reports[0]["note"] as? String == "animated (2 frames): the first frame is used")
            #expect(reports[0]["alpha"] as? String == "composited over white (#FFFFFF)")
            #expect(reports[1]["colour"] as? String == "ICC profile \"Display P3 (test)\" converted to sRGB (perceptual)")
            #expect(reports[1]["alpha"] == nil && reports[1]["note"] == nil)
        }
    }

    @Test func theCLITrimsADataURIAndQuotesNoWholeInput() async throws {
        let directory = try Self.corpus()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let png = try Data(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent("logo.png")).base64EncodedString()
        let output = GenerateCommandTests.temporary("trim.mp4")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try await GenerateCommandTests.run(
            [
                "--image", "\n  data:image/png;base64,\(png)\n", "--image-tail", "\(directory)/rgba.png", "--prompt", "x", "--output", output,
            ] + Self.settings)
        #expect(run.status == 0, "\(run.stderr)")
        let missing = "/no/such/folder/" + String(repeating: "long-name-", count: 90) + ".png"
        let refused = try await GenerateCommandTests.run(
            ["--image", missing, "--image-tail", "\(directory)/rgba.png", "--prompt", "x", "--output", output] + Self.settings)
        #expect(refused.status == 2)
        #expect(refused.stderr.hasPrefix("error: `image` file not found: /no/such/folder/"), "\(refused.stderr)")
        #expect(refused.stderr.utf8.count < 160, "\(refused.stderr.utf8.count) bytes: \(refused.stderr)")
    }
}
