public import Foundation
public import InbetweenAPI
public import InbetweenEngine
public import InbetweenMedia

/// End-to-end speed: our binary making whole MP4s (decode → MP4) per mode and resolution, with
/// wall time and peak memory, against ffmpeg's `minterpolate` making the same number of frames
/// from the same keyframes and encoding them with the same settings, in the same run.
public struct SpeedBenchmark: Sendable {
    /// One measured configuration.
    public struct Case: Sendable, Hashable {
        public var mode: Mode
        public var resolution: Resolution
        public var duration: Int
        public var fps: Int = 24
        /// The ENGINE.md target for its wall time, if one is set.
        public var targetSeconds: Double?
        public var targetPeakBytes: Int?

        public init(mode: Mode, resolution: Resolution, duration: Int, targetSeconds: Double? = nil, targetPeakBytes: Int? = nil) {
            self.mode = mode
            self.resolution = resolution
            self.duration = duration
            self.targetSeconds = targetSeconds
            self.targetPeakBytes = targetPeakBytes
        }

        public var label: String { "\(duration) s \(resolution.rawValue) \(mode.rawValue)" }
    }

    /// One row of the results table.
    public struct Row: Sendable {
        public var method: String
        public var label: String
        public var frames: Int
        /// Median wall time over the runs.
        public var seconds: Double
        public var peakBytes: Int
        public var target: String
        public var met: Bool?
    }

    /// The cases with speed targets (engine v2, issue 16: what v1 managed, held while the
    /// engine does more), plus pro-fast.
    public static let standardCases: [Case] = [
        Case(mode: .pro, resolution: .p720, duration: 5, targetSeconds: 2.5),
        Case(mode: .turbo, resolution: .p720, duration: 5, targetSeconds: 1.5),
        Case(mode: .proFast, resolution: .p720, duration: 5),
        Case(mode: .pro, resolution: .p1080, duration: 8, targetSeconds: 8, targetPeakBytes: 1 << 30),
    ]

    public var binary: String
    public var start: String
    public var end: String
    public var engine: EngineKind
    public var runs: Int
    public var ffmpeg: FFmpeg
    public var work: URL

    public init(binary: String, start: String, end: String, engine: EngineKind, runs: Int, ffmpeg: FFmpeg, work: URL) {
        self.binary = binary
        self.start = start
        self.end = end
        self.engine = engine
        self.runs = runs
        self.ffmpeg = ffmpeg
        self.work = work
    }

    /// Runs every case with our binary and, for the first case, minterpolate.
    public func run(cases: [Case], log: (String) -> Void) async throws -> [Row] {
        var rows: [Row] = []
        for item in cases {
            let output = work.appendingPathComponent("speed.mp4").path
            var outcomes: [ChildProcess.Outcome] = []
            for _ in 0..<runs {
                let outcome = try ChildProcess.run(
                    binary,
                    [
                        "generate", "--image", start, "--image-tail", end, "--prompt", "the camera pushes in", "--mode", item.mode.rawValue,
                        "--resolution",
                        item.resolution.rawValue, "--duration", String(item.duration), "--fps", String(item.fps), "--engine", engine.rawValue,
                        "--output",
                        output,
                    ])
                guard outcome.status == 0 else { throw MediaError(.encodeFailed, "inbetween generate failed (\(outcome.status)) for \(item.label)") }
                outcomes.append(outcome)
            }
            let seconds = median(outcomes.map(\.seconds))
            let peak = outcomes.map(\.peakBytes).max() ?? 0
            var target = "—"
            var met: Bool?
            if let limit = item.targetSeconds {
                target = "≤ \(format(limit)) s"
                met = seconds <= limit
                if let bytes = item.targetPeakBytes {
                    target += ", ≤ \(bytes >> 20) MiB"
                    met = met! && peak <= bytes
                }
            }
            let row = Row(
                method: "inbetween (\(engine.rawValue))", label: item.label, frames: item.duration * item.fps, seconds: seconds, peakBytes: peak,
                target: target, met: met)
            log("\(row.method) \(row.label): \(format(row.seconds)) s, \(row.peakBytes >> 20) MiB")
            rows.append(row)
        }
        if let first = cases.first {
            let row = try await minterpolate(first)
            log("\(row.method) \(row.label): \(format(row.seconds)) s, \(row.peakBytes >> 20) MiB")
            rows.append(row)
        }
        return rows
    }

    /// ffmpeg's motion-compensated interpolation on the same fitted keyframes, the same frame
    /// count, encoded with the same x264 settings. The keyframes are written as a three-frame
    /// raw clip (start, end, end) whose frame interval is the clip's length, so that
    /// minterpolate has enough frames to emit the whole span.
    func minterpolate(_ item: Case) async throws -> Row {
        let fitted = try await ImageStager(ffmpeg: ffmpeg, directory: work).fittedPair(
            start: .file(start), end: .file(end), resolution: item.resolution)
        let size = fitted.start.size
        let a = try YUVImage(fitted.start)
        let b = try YUVImage(fitted.end)
        let keyframes = work.appendingPathComponent("keyframes.yuv")
        try Data(a.bytes + b.bytes + b.bytes).write(to: keyframes)
        let frames = item.duration * item.fps
        let settings = ModeSettings.for(item.mode)
        var outcomes: [ChildProcess.Outcome] = []
        for _ in 0..<runs {
            outcomes.append(
                try ChildProcess.run(
                    ffmpeg.ffmpegPath,
                    [
                        "-nostdin", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", "\(size.width)x\(size.height)", "-framerate",
                        "\(item.fps)/\(frames - 1)", "-i", keyframes.path, "-vf",
                        QualityBenchmark.minterpolateFilter(fps: item.fps), "-frames:v", String(frames), "-c:v",
                        "libx264", "-preset", settings.preset, "-crf", String(settings.crf),
                    ] + (settings.x264Options.isEmpty ? [] : ["-x264-params", settings.x264Options]) + [
                        "-pix_fmt", "yuv420p",
                        work.appendingPathComponent("minterpolate.mp4").path,
                    ]))
        }
        return Row(
            method: "ffmpeg minterpolate", label: item.label, frames: frames, seconds: median(outcomes.map(\.seconds)),
            peakBytes: outcomes.map(\.peakBytes).max() ?? 0, target: "—", met: nil)
    }
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return 0 }
    return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
}

func format(_ value: Double, digits: Int = 2) -> String { String(format: "%.\(digits)f", value) }

extension SpeedBenchmark {
    /// Where the time of one case goes, measured in this process one stage at a time:
    /// rendering every frame with nothing consuming them, then encoding the same number of
    /// frames with nothing rendering them.
    public func breakdown(_ item: Case) async throws -> [(stage: String, seconds: Double)] {
        let clock = ContinuousClock()
        func seconds(since instant: ContinuousClock.Instant) -> Double { (clock.now - instant).inSeconds }
        var began = clock.now
        let (a, b) = try await ImageStager(ffmpeg: ffmpeg, directory: work).fittedPair(
            start: .file(start), end: .file(end), resolution: item.resolution)
        let size = a.size
        let decode = seconds(since: began)
        let settings = ModeSettings.for(item.mode)
        let frames = item.duration * item.fps
        began = clock.now
        let request = RenderRequest(size: size, frameCount: frames, fps: item.fps, prompt: "", profile: settings.profile)
        let clip = try engine.engine.prepare(start: a, end: b, request: request)
        let renderer = try FrameRenderer(clip: clip, start: a, end: b, profile: settings.profile)
        let analyse = seconds(since: began)
        began = clock.now
        // In batches of one frame per core, as the pipeline draws them.
        var middle = renderer.start
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount)
        for first in stride(from: 0, to: frames, by: batch) {
            let drawn = try renderer.frames(first..<min(first + batch, frames))
            if (first..<(first + drawn.count)).contains(frames / 2) { middle = drawn[frames / 2 - first] }
        }
        let render = seconds(since: began)
        began = clock.now
        let still = middle
        try await VideoEncoder(ffmpeg: ffmpeg).encode(
            to: work.appendingPathComponent("encode-only.mp4"),
            settings: settings.encoder(size: size, fps: item.fps, frameCount: frames)
        ) { sink in
            for _ in 0..<frames { try await sink.write(still) }
        }
        let encode = seconds(since: began)
        return [("decode + fit", decode), ("analyse", analyse), ("render only", render), ("encode only", encode)]
    }
}

extension SpeedBenchmark {
    /// Staging (decode and fit to 720p) a 12-megapixel JPEG made from the start image, plain
    /// and with a Display P3 profile embedded, whose colours are then converted to sRGB; the
    /// median of `max(5, runs)` runs each, alternating.
    /// - Returns: seconds for the untagged and the tagged file.
    public func taggedStaging() async throws -> (untagged: Double, tagged: Double) {
        let plain = work.appendingPathComponent("staging-12mp.jpg").path
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            FFmpeg.hardening + ["-y", "-i", start, "-frames:v", "1", "-vf", "scale=4000:3000:flags=lanczos", "-q:v", "2", plain],
            outputLimit: 0, timeout: .seconds(120))
        guard outcome.succeeded else { throw MediaError(.ioFailed, "could not make the 12-megapixel JPEG: \(outcome.firstErrorLine)") }
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: plain)))
        let tagged = work.appendingPathComponent("staging-12mp-p3.jpg").path
        try Data(ColourConverter.embedding(ColourConverter.displayP3Profile(), inJPEG: bytes)).write(to: URL(fileURLWithPath: tagged))
        let stager = ImageStager(ffmpeg: ffmpeg, directory: work)
        let clock = ContinuousClock()
        func once(_ path: String) async throws -> Double {
            let began = clock.now
            let staged = try await stager.stage(.file(path), field: "image")
            let size = OutputGeometry.bucket(for: staged.size, shortSide: Resolution.p720.shortSide)
            _ = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: size))
            return (clock.now - began).inSeconds
        }
        var plainTimes: [Double] = []
        var taggedTimes: [Double] = []
        for _ in 0..<max(5, runs) {
            plainTimes.append(try await once(plain))
            taggedTimes.append(try await once(tagged))
        }
        return (median(plainTimes), median(taggedTimes))
    }
}
