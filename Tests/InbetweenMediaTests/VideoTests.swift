import Foundation
import InbetweenAPI
import InbetweenEngine
import InbetweenMedia
import Testing

@Suite("Video encode and generate", .tags(.slow), .timeLimit(.minutes(5)))
struct VideoTests {
    /// A smooth gradient that drifts a little every frame.
    static func gradient(_ size: PixelSize, frame: Int) -> RGBImage {
        var image = RGBImage(size: size)
        for y in 0..<size.height {
            for x in 0..<size.width {
                let i = (y * size.width + x) * 3
                image.pixels[i] = UInt8(min(255, (x + frame * 2) * 200 / size.width))
                image.pixels[i + 1] = UInt8(y * 255 / size.height)
                image.pixels[i + 2] = UInt8((x + y) * 255 / (size.width + size.height))
            }
        }
        return image
    }

    @Test func encodeDecodeRoundTrip() async throws {
        let fixtures = try Fixtures()
        let size = PixelSize(width: 320, height: 180)
        let frames = (0..<30).map { Self.gradient(size, frame: $0) }
        let output = URL(fileURLWithPath: fixtures.path("round.mp4"))
        try await VideoEncoder(ffmpeg: fixtures.ffmpeg).encode(
            to: output, settings: EncoderSettings(size: size, fps: 15, frameCount: 30, preset: "veryfast", crf: 20)
        ) { sink in
            for frame in frames { try await sink.write(try YUVImage(frame)) }
        }
        let info = try await fixtures.ffmpeg.probeVideo(output)
        #expect(info.codec == "h264")
        #expect(info.profile == "High")
        #expect(info.pixelFormat == "yuv420p")
        #expect(info.size == size)
        #expect(info.frameRate == "15/1")
        #expect(info.frameCount == 30)
        #expect(info.colorSpace == "bt709" && info.colorPrimaries == "bt709" && info.colorTransfer == "bt709")
        #expect(info.fastStart)
        let decoded = try await fixtures.ffmpeg.decodeFrames(output, indices: [0, 15, 29], size: size)
        #expect(ImageMetrics.psnr(decoded[0], frames[0]) >= 38)
        #expect(ImageMetrics.psnr(decoded[1], frames[15]) >= 30)
        #expect(ImageMetrics.psnr(decoded[2], frames[29]) >= 38)
    }

    @Test func aFailedEncodeLeavesNoFile() async throws {
        let fixtures = try Fixtures()
        let size = PixelSize(width: 64, height: 64)
        let output = URL(fileURLWithPath: fixtures.path("never.mp4"))
        await #expect(throws: MediaError.self) {
            try await VideoEncoder(ffmpeg: fixtures.ffmpeg).encode(
                to: output, settings: EncoderSettings(size: size, fps: 10, frameCount: 10, preset: "veryfast", crf: 20)
            ) { sink in
                for index in 0..<4 { try await sink.write(try YUVImage(Self.gradient(size, frame: index))) }
            }
        }
        #expect(!FileManager.default.fileExists(atPath: output.path))
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixtures.directory.path).isEmpty, "no partial file is left")
    }

    /// Generates from the shipped samples and checks what the issue asks for: the bucket's
    /// size, the fps, exactly duration × fps frames, and ends within 38 dB of the fitted inputs.
    @Test(arguments: [("pro", "540p", 1, 24), ("turbo", "720p", 1, 12), ("pro-fast", "720p", 1, 10)])
    func generateFromSamples(mode: String, resolution: String, duration: Int, fps: Int) async throws {
        let fixtures = try Fixtures()
        let samples = Fixtures.samples
        let arguments = try GenerationArguments(
            validating: [
                "image": .string(samples.start), "image_tail": .string(samples.end), "prompt": .string("the camera pushes in"),
                "mode": .string(mode), "resolution": .string(resolution), "duration": .number(Double(duration)), "fps": .number(Double(fps)),
            ], allowFilePaths: true)
        let output = URL(fileURLWithPath: fixtures.path("clip.mp4"))
        let (summary, plan) = try await VideoGenerator(ffmpeg: fixtures.ffmpeg).generate(arguments, output: output)
        let expectedSize = resolution == "540p" ? PixelSize(width: 960, height: 540) : PixelSize(width: 1280, height: 720)
        let info = try await fixtures.ffmpeg.probeVideo(output)
        #expect(info.codec == "h264" && info.pixelFormat == "yuv420p" && info.profile == "High")
        #expect(info.size == expectedSize)
        #expect(info.frameRate == "\(fps)/1")
        #expect(info.frameCount == duration * fps)
        #expect(summary.frames == duration * fps)
        #expect(plan.followsCamera, "the samples are one photo, pushed in: \(plan.reason)")
        #expect(plan.motion.model == .homography)

        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        let start = try await stager.stage(.file(samples.start), field: "image")
        let end = try await stager.stage(.file(samples.end), field: "image_tail")
        let fittedStart = try await stager.decode(start, fit: OutputGeometry.coverFit(source: start.size, target: expectedSize))
        let fittedEnd = try await stager.decode(end, fit: OutputGeometry.coverFit(source: end.size, target: expectedSize))
        let decoded = try await fixtures.ffmpeg.decodeFrames(output, indices: [0, duration * fps - 1], size: expectedSize)
        let first = ImageMetrics.psnr(decoded[0], fittedStart)
        let last = ImageMetrics.psnr(decoded[1], fittedEnd)
        #expect(first >= 38, "frame 0: \(first) dB")
        #expect(last >= 38, "last frame: \(last) dB")
    }

    @Test func portraitStartPicksThePortraitBucket() async throws {
        let fixtures = try Fixtures()
        let start = try fixtures.image("tall.png", width: 540, height: 960)
        let end = try fixtures.image("wide.png", width: 640, height: 360, source: "testsrc")
        let arguments = try GenerationArguments(
            validating: [
                "image": .string(start), "image_tail": .string(end), "prompt": .string("a dissolve"), "mode": .string("turbo"),
                "resolution": .string("540p"), "duration": .number(1), "fps": .number(8),
            ], allowFilePaths: true)
        let output = URL(fileURLWithPath: fixtures.path("tall.mp4"))
        let (summary, _) = try await VideoGenerator(ffmpeg: fixtures.ffmpeg).generate(arguments, output: output)
        #expect(summary.width == 540 && summary.height == 960)
        let info = try await fixtures.ffmpeg.probeVideo(output)
        #expect(info.size == PixelSize(width: 540, height: 960))
        #expect(info.frameCount == 8)
    }

    @Test func aRefusedImageWritesNoVideo() async throws {
        let fixtures = try Fixtures()
        let arguments = try GenerationArguments(
            validating: [
                "image": .string(Fixtures.samples.start), "image_tail": .string(try fixtures.file("zero.jpg", [])), "prompt": .string("x"),
            ], allowFilePaths: true)
        let output = URL(fileURLWithPath: fixtures.path("none.mp4"))
        await #expect(throws: APIError.self) {
            _ = try await VideoGenerator(ffmpeg: fixtures.ffmpeg).generate(arguments, output: output)
        }
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }
}
