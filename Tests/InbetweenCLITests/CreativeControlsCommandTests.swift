import Foundation
import Testing

/// `inbetween generate` with each creative control: the `--plan` JSON shows what it did, as the
/// README documents, and a plan without controls has none of their keys.
@Suite("inbetween generate: creative controls", .tags(.slow), .timeLimit(.minutes(8)))
struct CreativeControlsCommandTests {
    /// A black PNG of the start sample's size (1280×720) with a white box: a mask.
    static func mask(_ name: String, box: String) throws -> String {
        let path = GenerateCommandTests.temporary(name)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = [
            "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=black:s=1280x720", "-vf",
            "drawbox=\(box):color=white:t=fill", "-frames:v", "1", path,
        ]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
        return path
    }

    /// Runs a short turbo clip of the samples with `extra` flags and returns its plan.
    static func plan(_ extra: [String], prompt: String = "the camera zooms in slowly") async throws -> [String: Any] {
        let output = GenerateCommandTests.temporary("clip.mp4")
        let plan = GenerateCommandTests.temporary("plan.json")
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: plan)
        }
        let result = try await GenerateCommandTests.run(
            [
                "--image", GenerateCommandTests.samples.start, "--image-tail", GenerateCommandTests.samples.end, "--prompt", prompt, "--mode",
                "turbo",
                "--resolution", "540p", "--duration", "1", "--fps", "12", "--plan", plan, "--output", output,
            ] + extra)
        try #require(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any])
    }

    static func controls(_ plan: [String: Any]) -> [String: Any]? { plan["controls"] as? [String: Any] }
    static func steps(_ plan: [String: Any]) -> [[String: Any]] { plan["steps"] as? [[String: Any]] ?? [] }

    @Test func eachControlChangesThePlanAsDocumented() async throws {
        let plain = try await Self.plan([])
        #expect(Self.controls(plain) == nil)
        #expect(Self.steps(plain).allSatisfy { $0["cameraMatrix"] == nil })
        #expect((plain["camera"] as? [String: Any])?["source"] as? String == "found")

        // camera_control on a matched pair: the path, a matrix per frame.
        let camera = try await Self.plan(["--camera-control", "zoom=5,pan=-2"])
        #expect(Self.controls(camera)?["cameraRole"] as? String == "path")
        #expect((Self.controls(camera)?["camera"] as? [String: Any])?["zoom"] as? Double == 5)
        #expect(Self.steps(camera).allSatisfy { ($0["cameraMatrix"] as? [Double])?.count == 9 })
        let preset = try await Self.plan(["--camera-control", "down_back"])
        #expect((Self.controls(preset)?["camera"] as? [String: Any])?["vertical"] as? Double == -5)

        // negative_prompt: the pace word and the zoom are switched off and listed.
        let negative = try await Self.plan(["--negative-prompt", "slow motion, watermark"])
        #expect(Self.controls(negative)?["removed"] as? [String] == ["pace slow"])
        #expect((negative["cues"] as? [String: Any])?["pace"] as? String == "normal")

        // loop: out and back; the last frame is not the end image.
        let loop = try await Self.plan(["--loop"])
        #expect(Self.controls(loop)?["loop"] as? Bool == true)
        let cameras = Self.steps(loop).compactMap { $0["camera"] as? Double }
        #expect(cameras.count == 12 && cameras[6] == 1 && cameras[11] < 0.5)

        // static_mask: the share it keeps still.
        let still = try await Self.plan(["--static-mask", try Self.mask("still.png", box: "x=0:y=0:w=320:h=180")])
        let share = try #require(Self.controls(still)?["staticShare"] as? Double)
        #expect(abs(share - 0.0625) < 0.01)

        // dynamic_masks: the stroke, its path in output pixels (the 1280×720 start fitted to 960×540).
        let brush = try await Self.plan(["--motion-brush", "\(try Self.mask("brush.png", box: "x=600:y=300:w=80:h=80")):640,340;800,200;1000,400"])
        let stroke = try #require((Self.controls(brush)?["brushes"] as? [[String: Any]])?.first)
        let first = try #require((stroke["path"] as? [[String: Double]])?.first)
        #expect(abs(first["x"]! - 479.875) < 0.01 && abs(first["y"]! - 254.875) < 0.01)
        #expect(abs((stroke["pixels"] as? Int ?? 0) - 3600) < 200)
    }

    @Test(
        "a broken control exits 2 with the API's message",
        arguments: [
            (["--camera-control", "zoom=12"], "`camera_control.config.zoom` must be a number from -10 to 10; got 12."),
            (["--camera-control", "spin=2"], "`camera_control.config` takes horizontal, vertical, pan, tilt, roll and zoom; got `spin`."),
            (["--motion-brush", "m.png:1,2"], "`dynamic_masks[0].trajectories` must hold 2 to 77 points; it has 1."),
            (["--camera-control", ""], "`--camera-control` is empty: give axes such as zoom=5,pan=-2 or a preset such as forward_up."),
            (["--camera-control", "zoom=5,zoom=-5"], "`--camera-control` names `zoom` twice: give each axis once."),
            (["--camera-control", "zoom=5,"], "`--camera-control` has an empty item in \"zoom=5,\""),
            (["--motion-brush", "m.png:1,2;;3,4"], "`--motion-brush` number 1 has an empty point"),
        ])
    func refused(extra: [String], message: String) async throws {
        let result = try await GenerateCommandTests.run(
            [
                "--image", GenerateCommandTests.samples.start, "--image-tail", GenerateCommandTests.samples.end, "--prompt", "x", "--output",
                GenerateCommandTests.temporary("o.mp4"),
            ] + extra)
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: \(message)"), "\(result.stderr)")
    }

    @Test("an all-black mask paints nothing: exit 2 naming the mask and the rule")
    func emptyMask() async throws {
        let black = try Self.mask("black.png", box: "x=-20:y=-20:w=5:h=5")
        for flags in [["--static-mask", black], ["--motion-brush", "\(black):10,10;200,200"]] {
            let result = try await GenerateCommandTests.run(
                [
                    "--image", GenerateCommandTests.samples.start, "--image-tail", GenerateCommandTests.samples.end, "--prompt", "x", "--mode",
                    "turbo", "--duration", "1", "--output", GenerateCommandTests.temporary("o.mp4"),
                ] + flags)
            let field = flags[0] == "--static-mask" ? "static_mask" : "dynamic_masks[0].mask"
            #expect(result.status == 2)
            #expect(result.stderr.contains("error: `\(field)` paints no region: no pixel is white"), "\(result.stderr)")
        }
    }

    @Test("submit sends the controls, local masks as data URIs; the server makes the video with them")
    func submitSendsThem() async throws {
        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await ServeCommandTests.createKey(data)
        let server = try await ServeCommandTests.Server(dataDirectory: data)
        let output = GenerateCommandTests.temporary("submitted.mp4")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let run = try await ServeCommandTests.inbetween([
            "submit", "--server", server.base, "--key", key, "--image", GenerateCommandTests.samples.start, "--image-tail",
            GenerateCommandTests.samples.end, "--prompt", "push in", "--mode", "turbo", "--resolution", "540p", "--duration", "1", "--output",
            output, "--camera-control", "forward_up", "--static-mask", try Self.mask("still.png", box: "x=0:y=0:w=320:h=180"), "--motion-brush",
            "\(try Self.mask("brush.png", box: "x=600:y=300:w=80:h=80")):640,340;800,200", "--negative-prompt", "dissolve", "--loop",
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("960x540, 24 frames at 24 fps"), "\(run.stdout)")
        // A mask of another size is refused by the server at create, naming it.
        let small = try Self.mask("small.png", box: "x=0:y=0:w=10:h=10")
        let scaled = GenerateCommandTests.temporary("scaled.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-loglevel", "error", "-y", "-i", small, "-vf", "scale=640:360", scaled]
        try process.run()
        process.waitUntilExit()
        let refused = try await ServeCommandTests.inbetween([
            "submit", "--server", server.base, "--key", key, "--image", GenerateCommandTests.samples.start, "--image-tail",
            GenerateCommandTests.samples.end, "--prompt", "push in", "--static-mask", scaled,
        ])
        #expect(refused.status == 2, "\(refused.stderr)")
        #expect(refused.stderr.contains("`static_mask` must be the start image's size, 1280×720 pixels; it is 640×360."), "\(refused.stderr)")
    }

    @Test func aMaskOfAnotherSizeIsRefusedNamingIt() async throws {
        let small = GenerateCommandTests.temporary("small.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = ["-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "color=c=white:s=64x64", "-frames:v", "1", small]
        try process.run()
        process.waitUntilExit()
        let result = try await GenerateCommandTests.run([
            "--image", GenerateCommandTests.samples.start, "--image-tail", GenerateCommandTests.samples.end, "--prompt", "x", "--mode", "turbo",
            "--duration", "1", "--fps", "8", "--static-mask", small, "--output", GenerateCommandTests.temporary("o.mp4"),
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: `static_mask` must be the start image's size, 1280×720 pixels; it is 64×64."), "\(result.stderr)")
    }
}
