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

    @OptionGroup var arguments: GenerationOptions
    @Option(help: "motion (default: global camera motion refined by dense flow), homography (global motion only) or dissolve (a cross-fade).")
    var engine: EngineKind = .motion
    @Option(name: .shortAndLong, help: "Where to write the MP4.") var output: String = "out.mp4"
    @Option(help: "Also write the engine's plan, as JSON, to this file.") var plan: String?
    @Flag(help: "Print a one-line JSON summary (size, frames, fps, seconds per stage) on standard output.") var json = false

    func run() async throws {
        Terminal.ignoreBrokenPipes()
        let validated: GenerationArguments
        do {
            validated = try GenerationArguments(validating: arguments.rawArguments(), allowFilePaths: true)
        } catch {
            Terminal.fail(error.message)
            throw ExitCode(2)
        }
        if let problem = Terminal.outputProblem(output) {
            Terminal.fail(problem)
            throw ExitCode(2)
        }
        let generator = VideoGenerator(ffmpeg: try FFmpeg(), fetcher: URLSessionFetcher(), engine: engine)
        let bar = ProgressBar(enabled: !json && Terminal.isInteractive)
        let result: (summary: GenerationSummary, plan: MotionPlan)
        do {
            result = try await generator.generate(validated, output: URL(fileURLWithPath: output)) { bar.update($0) }
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
            // The engine's plan, with what staging did to each input beside it (`inputs`).
            try encoder.encode(PlanFile(plan: result.plan, inputs: result.summary.inputs ?? [])).write(to: URL(fileURLWithPath: plan))
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
}

extension EngineKind: ExpressibleByArgument {}
extension Mode: ExpressibleByArgument {}

/// The `--plan` file: the engine's plan as it encodes itself, and `inputs` beside its keys.
private struct PlanFile: Encodable {
    var plan: MotionPlan
    var inputs: [InputReport]

    enum Key: String, CodingKey { case inputs }

    func encode(to encoder: any Encoder) throws {
        try plan.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(inputs, forKey: .inputs)
    }
}
