public import ArgumentParser
import Foundation
import InbetweenAPI
import InbetweenEngine
import InbetweenMedia

/// `inbetween generate`: one video from two images, on this machine.
struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Make a video from a start image and an end image.",
        discussion: "Images may be file paths, http(s) URLs or data: URIs (PNG, JPEG or WebP; at most 20 MiB, 40 megapixels, aspect under 4:1)."
    )

    @Option(help: "The start frame: a path, URL or data URI.") var image: String?
    @Option(name: .customLong("image-tail"), help: "The end frame: a path, URL or data URI.") var imageTail: String?
    @Option(help: "What happens between the frames, 1–5000 characters.") var prompt: String?
    @Option(help: "turbo | pro | pro-fast (default pro).") var mode: String?
    @Option(help: "Whole seconds, 1–8 (default 5).") var duration: String?
    @Option(help: "540p | 720p | 1080p (default 720p; 540p is not offered in pro-fast).") var resolution: String?
    @Option(help: "Frames per second, 8–60 (default 24).") var fps: String?
    @Option(help: "Seed, 0 to 2^53-1: the same inputs and seed give the same video.") var seed: String?
    @Option(name: .customLong("movement-amplitude"), help: "auto | small | medium | large (default auto).") var movementAmplitude: String?
    @Option(help: "motion (default: global camera motion refined by dense flow), homography (global motion only) or dissolve (a cross-fade).")
    var engine: EngineKind = .motion
    @Option(name: .shortAndLong, help: "Where to write the MP4.") var output: String = "out.mp4"
    @Option(help: "Also write the engine's plan, as JSON, to this file.") var plan: String?
    @Flag(help: "Print a one-line JSON summary (size, frames, fps, seconds per stage) on standard output.") var json = false

    func run() async throws {
        let arguments: GenerationArguments
        do {
            arguments = try GenerationArguments(validating: rawArguments(), allowFilePaths: true)
        } catch {
            Terminal.fail(error.message)
            throw ExitCode(2)
        }
        let generator = VideoGenerator(ffmpeg: try FFmpeg(), fetcher: URLSessionFetcher(), engine: engine)
        let bar = ProgressBar(enabled: !json && Terminal.isInteractive)
        let result: (summary: GenerationSummary, plan: MotionPlan)
        do {
            result = try await generator.generate(arguments, output: URL(fileURLWithPath: output)) { bar.update($0) }
        } catch let error as APIError {
            bar.finish()
            Terminal.fail(error.message)
            throw ExitCode(2)
        } catch {
            bar.finish()
            Terminal.fail("\(error)")
            throw ExitCode.failure
        }
        bar.finish()
        if let plan {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try encoder.encode(result.plan).write(to: URL(fileURLWithPath: plan))
        }
        let summary = result.summary
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
        } else {
            print(
                "\(summary.output): \(summary.width)x\(summary.height), \(summary.frames) frames at \(summary.fps) fps, "
                    + "camera \(summary.camera == "found" ? summary.motion : summary.camera), "
                    + "\(String(format: "%.2f", summary.seconds["total"] ?? 0)) s")
        }
    }

    /// The flags as the JSON `args` object the API takes, so the same rules and messages apply.
    private func rawArguments() -> [String: JSONValue] {
        var args: [String: JSONValue] = [:]
        func put(_ key: String, _ value: String?, numeric: Bool = false) {
            guard let value else { return }
            if numeric, let number = Double(value) {
                args[key] = .number(number)
            } else {
                args[key] = .string(value)
            }
        }
        put("image", image)
        put("image_tail", imageTail)
        put("prompt", prompt)
        put("mode", mode)
        put("duration", duration, numeric: true)
        put("resolution", resolution)
        put("fps", fps, numeric: true)
        put("seed", seed, numeric: true)
        put("movement_amplitude", movementAmplitude)
        return args
    }
}

extension EngineKind: ExpressibleByArgument {}
extension Mode: ExpressibleByArgument {}
