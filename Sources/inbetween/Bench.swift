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
        subcommands: [Speed.self, Quality.self, Report.self, Results.self]
    )

    struct Options: ParsableArguments {
        @Option(help: "Start image used for speed runs and as the photo under the quality benchmark's camera.")
        var image = "samples/start.jpg"
        @Option(name: .customLong("image-tail"), help: "End image for the speed runs; the quality benchmark's sprite is cut from it.")
        var imageTail = "samples/end.jpg"
        @Option(help: "Runs per speed case (the median is reported).") var runs = 1
        @Option(help: "Keyframe pairs per gap in the quality benchmark, at most (gap 96 takes at most 2).") var clips = 3
        @Option(help: "Engine measured for speed.") var engine: EngineKind = .motion
        @Option(
            name: [.customLong("mode"), .customLong("profile")],
            help: "Mode whose engine profile and x264 settings the quality benchmark uses (turbo, pro-fast, pro).")
        var mode: Mode = .pro
        @Option(help: "Folder with the real footage (and the VMAF ffmpeg's venv) that scripts/bench-data.sh fetches.")
        var footage = ".bench-data"
        @Option(
            name: .customLong("sequence"),
            help:
                "Measure only this sequence (repeatable): \(([BenchFootage.camera, BenchFootage.sprite] + BenchFootage.sources.map(\.info)).map(\.id).joined(separator: ", "))."
        )
        var sequences: [String] = []
        @Option(name: .customLong("gap"), help: "Measure only this gap in frames (repeatable; default 8, 24, 48, 96).") var gaps: [Int] = []
        @Flag(help: "Leave out ffmpeg minterpolate (the slowest peer); the targets then compare with the others only.")
        var skipMinterpolate = false
        @Option(
            name: .customLong("vmaf-ffmpeg"),
            help: "An ffmpeg with the libvmaf filter (default: $INBETWEEN_VMAF_FFMPEG, else the imageio-ffmpeg binary in <footage>/venv).")
        var vmafFFmpeg: String?
        @Option(
            name: .customLong("frames"),
            help: ArgumentHelp(
                "Write each pair's middle frame as a PNG into this folder.",
                discussion: "Tiles, three to a row: the real frame, then each method after the encode (cross-fade, minterpolate, "
                    + "homography, motion), then the moving region in white."))
        var frames: String?
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
        static let configuration = CommandConfiguration(
            abstract: "PSNR, SSIM, VMAF and moving-region PSNR against ground truth at gaps 8, 24, 48 and 96 frames, every method encoded alike.")
        @OptionGroup var options: Options
        func run() async throws { print(BenchReport.qualityTables(try await BenchRunner(options).quality())) }
    }

    struct Report: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Both benchmarks, written as Markdown (docs/BENCHMARKS.md).")
        @OptionGroup var options: Options
        @Option(help: "Where to write the report.") var output = "docs/BENCHMARKS.md"
        @Flag(help: "Leave out the speed benchmark (its numbers mean little from a debug build).") var skipSpeed = false
        func run() async throws {
            let runner = try BenchRunner(options)
            let began = ContinuousClock.now
            let speed = skipSpeed ? nil : try await runner.speed()
            let quality = try await runner.quality()
            let minutes = (ContinuousClock.now - began).inSeconds / 60
            let release = Bench.isRelease
            let command = "inbetween bench report" + (skipSpeed ? " --skip-speed" : "")
            let speedSection =
                speed.map {
                    "## Speed (end to end: decode → MP4, engine `\(options.engine.rawValue)`)\n\n"
                        + (release ? "" : "Made by a debug build: these times are not comparable with a release build's.\n\n")
                        + BenchReport.speedTable($0) + "\n\n"
                } ?? ""
            let text = """
                # Benchmarks

                Made by `\(command)` (\(release ? "release" : "debug") build) on \(BenchReport.machine()), \
                \(Date().formatted(.iso8601.year().month().day())), in \(String(format: "%.0f", minutes)) minutes.

                \(speedSection)## Quality against ground truth

                \(runner.qualityMethodText())

                \(BenchReport.qualityTables(quality))

                """
            try text.write(toFile: output, atomically: true, encoding: .utf8)
            print(text)
        }
    }

    /// Whether this binary is a release build (speed numbers from a debug build are not comparable).
    static var isRelease: Bool {
        #if DEBUG
            false
        #else
            true
        #endif
    }
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
        // Staging first, before the engine's cases have loaded the process (and its threads).
        let staging = try await benchmark.taggedStaging()
        var lines = ["| clip | stage | s |", "|---|---|---:|"]
        for item in SpeedBenchmark.standardCases {
            for (stage, seconds) in try await benchmark.breakdown(item) {
                lines.append("| \(item.label) | \(stage) | \(String(format: "%.2f", seconds)) |")
            }
        }
        let ratio = staging.tagged / max(staging.untagged, 1e-9)
        lines.append("| 12 MP JPEG → 720p | stage, untagged | \(String(format: "%.3f", staging.untagged)) |")
        lines.append(
            "| 12 MP JPEG → 720p | stage, Display P3 → sRGB (\(String(format: "%.2f", ratio))×; target ≤ 1.30×) | \(String(format: "%.3f", staging.tagged)) |"
        )
        return lines.joined(separator: "\n")
    }

    /// The footage folder as a URL.
    var footageDirectory: URL { URL(fileURLWithPath: options.footage) }

    func quality() async throws -> [QualityBenchmark.PairResult] {
        let wanted = Set(options.sequences)
        let known = [BenchFootage.camera.id, BenchFootage.sprite.id] + BenchFootage.sources.map(\.info.id)
        if let unknown = wanted.subtracting(known).first {
            throw ValidationError("unknown sequence \(unknown); known: \(known.joined(separator: ", "))")
        }
        func included(_ id: String) -> Bool { wanted.isEmpty || wanted.contains(id) }
        var vmaf: VMAF?
        do {
            vmaf = try await VMAF.locate(explicit: options.vmafFFmpeg, dataDirectory: options.footage, work: work, ffmpeg: ffmpeg)
        } catch let error as VMAF.Unavailable {
            log("VMAF will show —: \(error.description)")
        }
        var frameDump: URL?
        if let frames = options.frames {
            frameDump = URL(fileURLWithPath: frames)
            try FileManager.default.createDirectory(at: frameDump!, withIntermediateDirectories: true)
        }
        let benchmark = QualityBenchmark(
            ffmpeg: ffmpeg, work: work, mode: options.mode, clips: options.clips, gaps: options.gaps.isEmpty ? QualityBenchmark.gaps : options.gaps,
            methods: QualityBenchmark.Method.allCases.filter { !(options.skipMinterpolate && $0 == .minterpolate) }, vmaf: vmaf, frameDump: frameDump)
        var results: [QualityBenchmark.PairResult] = []
        if included(BenchFootage.camera.id) || included(BenchFootage.sprite.id) {
            let stager = ImageStager(ffmpeg: ffmpeg, directory: work)
            let photo = try await stager.stage(.file(options.image), field: "image")
            let world = try await stager.decode(photo, fit: OutputGeometry.coverFit(source: photo.size, target: photo.size))
            if included(BenchFootage.camera.id) {
                results += try await benchmark.run(GroundTruth(info: BenchFootage.camera, world: world, sprite: nil), log: log)
            }
            if included(BenchFootage.sprite.id) {
                let other = try await stager.stage(.file(options.imageTail), field: "image_tail")
                let sprite = try await stager.decode(
                    other, fit: OutputGeometry.coverFit(source: other.size, target: PixelSize(width: 110, height: 110)))
                results += try await benchmark.run(GroundTruth(info: BenchFootage.sprite, world: world, sprite: sprite), log: log)
            }
        }
        for source in BenchFootage.sources where included(source.info.id) {
            guard FileManager.default.fileExists(atPath: footageDirectory.appendingPathComponent(source.file).path) else {
                log("skipping \(source.info.id): \(options.footage)/\(source.file) is missing; scripts/bench-data.sh fetches it")
                continue
            }
            results += try await benchmark.run(try await Footage.load(source, directory: footageDirectory, ffmpeg: ffmpeg), log: log)
        }
        return results
    }

    /// What the quality section measured and how, for the report.
    func qualityMethodText() -> String {
        let settings = ModeSettings.for(options.mode)
        let methods = QualityBenchmark.Method.allCases.filter { !(options.skipMinterpolate && $0 == .minterpolate) }.map(\.shortName)
            .joined(separator: ", ")
        let gaps = (options.gaps.isEmpty ? QualityBenchmark.gaps : options.gaps).map(String.init).joined(separator: ", ")
        let sequences = ([BenchFootage.camera, BenchFootage.sprite] + BenchFootage.sources.map(\.info))
            .filter { options.sequences.isEmpty || options.sequences.contains($0.id) }
            .map { "- `\($0.id)`: \($0.name)\($0.stillCamera ? " — still camera" : "")" }
        return """
            Sequences (real footage fetched by `scripts/bench-data.sh`, never committed):

            \(sequences.joined(separator: "\n"))

            Keyframes are cut \(gaps) frames apart, inside one shot (a gap longer than every shot is skipped); up to \
            \(options.clips) pairs per gap spread over the shots (at most 2 at gap 96, to keep the run short on 2 cores; a \
            short shot can hold fewer). Pairs that span a cut are reported apart as "(cut)". Every method (\(methods)) makes all frames from \
            the two keyframes with the `\(options.mode.rawValue)` engine profile; then every method's frames go through the same \
            x264 encode as ours (`\(options.mode.rawValue)`: preset \(settings.preset), CRF \(settings.crf)\
            \(settings.x264Options.isEmpty ? "" : ", \(settings.x264Options)"), keyframes at q 12) and are decoded again. The \
            decoded in-between frames are compared with the real ones on luma: PSNR (mean over frames), SSIM (mean), VMAF \
            (libvmaf `vmaf_v0.6.1`, pooled mean, through the static ffmpeg of PyPI `imageio-ffmpeg`; — where none was found) and \
            the moving-region PSNR: over the pixels whose real luma differs from the raw (unencoded) cross-fade by more than \
            \(MovingRegion.threshold) levels, dilated \(2 * MovingRegion.radius + 1)×\(2 * MovingRegion.radius + 1), the error \
            pooled over a pair's frames ("moving %" is that region's share of the frame). A diagnostic beside them, the \
            time-aligned PSNR, matches each real frame with the method's own decoded frame that fits it best at any moment \
            (picked on a 1-in-4 subsample, scored in full): real motion seldom keeps an even pace, and two keyframes cannot tell \
            when it happened, so this judges every method's path with its pace set aside. A cell is the mean over its pairs; \
            "s / clip" is the time to make one pair's frames, without the encode.
            """
    }
}
