public import Foundation
public import InbetweenAPI
public import InbetweenEngine

/// Where a generation is, for progress bars.
public struct GenerationProgress: Sendable, Hashable {
    public enum Stage: String, Sendable {
        case decoding
        case analysing
        case rendering
        case done
    }

    public var stage: Stage
    /// 0 ... 1 over the whole generation.
    public var fraction: Double
}

/// What a generation produced, for `--json` and job records.
public struct GenerationSummary: Sendable, Hashable, Codable {
    public var output: String
    public var width: Int
    public var height: Int
    public var frames: Int
    public var fps: Int
    public var duration: Int
    public var mode: String
    public var resolution: String
    public var amount: String
    public var engine: String
    /// Where the camera path came from: found, prompt or none.
    public var camera: String
    /// The camera model found between the images, or "none".
    public var motion: String
    public var confidence: Double
    public var bytes: Int
    /// Seconds spent per stage: decode, analyse, render (with encoding), total.
    public var seconds: [String: Double]
    /// What staging did with each input (colour, transparency, animation, orientation);
    /// nil in records written before it was reported.
    public var inputs: [InputReport]?
}

/// Start image + end image + arguments → MP4: decode and fit, analyse and plan, render and
/// encode. The same code serves the command line and the workers.
public struct VideoGenerator: Sendable {
    public var ffmpeg: FFmpeg
    public var fetcher: (any ImageFetcher)?
    public var limits: ImageLimits
    public var engine: EngineKind

    public init(ffmpeg: FFmpeg, fetcher: (any ImageFetcher)? = nil, limits: ImageLimits = .contract, engine: EngineKind = .motion) {
        self.ffmpeg = ffmpeg
        self.fetcher = fetcher
        self.limits = limits
        self.engine = engine
    }

    /// Makes the video and writes it to `output` (complete or not at all). Returns the
    /// summary and the plan that was rendered.
    public func generate(
        _ arguments: GenerationArguments, output: URL, progress: @escaping @Sendable (GenerationProgress) -> Void = { _ in }
    ) async throws -> (summary: GenerationSummary, plan: MotionPlan) {
        let began = ContinuousClock.now
        let work = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: work) }

        // 1. Stage (read, check and copy in) both images.
        progress(GenerationProgress(stage: .decoding, fraction: 0))
        let stager = ImageStager(ffmpeg: ffmpeg, directory: work, limits: limits, fetcher: fetcher)
        async let stagedStart = stager.stage(arguments.image, field: "image")
        async let stagedEnd = stager.stage(arguments.imageTail, field: "image_tail")
        let (start, end) = try await (stagedStart, stagedEnd)
        return try await render(arguments, start: start, end: end, output: output, began: began, progress: progress)
    }

    /// Makes the video from images already staged (read, checked and copied in once, by the
    /// caller) and writes it to `output` (complete or not at all). `arguments`' own images are
    /// not read again. Returns the summary and the plan that was rendered.
    public func render(
        _ arguments: GenerationArguments, start: StagedImage, end: StagedImage, output: URL,
        progress: @escaping @Sendable (GenerationProgress) -> Void = { _ in }
    ) async throws -> (summary: GenerationSummary, plan: MotionPlan) {
        progress(GenerationProgress(stage: .decoding, fraction: 0))
        return try await render(arguments, start: start, end: end, output: output, began: ContinuousClock.now, progress: progress)
    }

    private func render(
        _ arguments: GenerationArguments, start stagedStart: StagedImage, end stagedEnd: StagedImage, output: URL, began: ContinuousClock.Instant,
        progress: @escaping @Sendable (GenerationProgress) -> Void
    ) async throws -> (summary: GenerationSummary, plan: MotionPlan) {
        let clock = ContinuousClock()
        var seconds: [String: Double] = [:]
        func lap(_ stage: String, since: ContinuousClock.Instant) {
            seconds[stage] = (clock.now - since).inSeconds
        }

        // 1. Decode and fit (the stager's directory is not used: the images are staged).
        let stager = ImageStager(ffmpeg: ffmpeg, directory: FileManager.default.temporaryDirectory, limits: limits)
        let (start, end) = try await stager.fittedPair(staged: stagedStart, stagedEnd, resolution: arguments.resolution)
        let size = start.size
        lap("decode", since: began)

        // 2. Analyse and plan, off the cooperative pool.
        progress(GenerationProgress(stage: .analysing, fraction: 0.05))
        let analyseStart = clock.now
        let settings = ModeSettings.for(arguments.mode)
        let controls = arguments.hasControls ? try await creativeControls(arguments, start: stagedStart, size: size) : CreativeControls()
        let request = RenderRequest(
            size: size, frameCount: arguments.frameCount, fps: arguments.fps, prompt: arguments.prompt, seed: arguments.seed ?? 0,
            amplitude: ModeSettings.amplitude(arguments.movementAmplitude), profile: settings.profile, controls: controls)
        let engine = self.engine.engine
        let thread = RenderThread()
        let (clip, renderer) = try await thread.run {
            let clip = try engine.prepare(start: start, end: end, request: request)
            return (clip, try FrameRenderer(clip: clip, start: start, end: end, profile: settings.profile))
        }
        let plan = clip.plan
        lap("analyse", since: analyseStart)
        // A job canceled during the analysis stops before its encoder starts.
        try Task.checkCancellation()

        // 3. Render and encode, streaming.
        progress(GenerationProgress(stage: .rendering, fraction: 0.1))
        let renderStart = clock.now
        let encoder = VideoEncoder(ffmpeg: ffmpeg)
        let total = Double(plan.frameCount)
        try await encoder.encode(
            to: output,
            settings: settings.encoder(size: size, fps: arguments.fps, frameCount: plan.frameCount)
        ) { sink in
            try await renderer.render(into: &sink) { written in
                progress(GenerationProgress(stage: .rendering, fraction: 0.1 + 0.9 * Double(written) / total))
            }
        }
        lap("render", since: renderStart)
        lap("total", since: began)
        progress(GenerationProgress(stage: .done, fraction: 1))

        let bytes = (try? FileManager.default.attributesOfItem(atPath: output.path)[.size] as? Int) ?? 0
        let summary = GenerationSummary(
            output: output.path, width: size.width, height: size.height, frames: plan.frameCount, fps: arguments.fps, duration: arguments.duration,
            mode: arguments.mode.rawValue, resolution: arguments.resolution.rawValue, amount: Pricing.amount(for: arguments), engine: plan.engine,
            camera: plan.camera.source.rawValue, motion: plan.followsCamera ? plan.motion.model.rawValue : "none", confidence: plan.motion.confidence,
            bytes: bytes,
            seconds: seconds.mapValues { ($0 * 1000).rounded() / 1000 }, inputs: [InputReport(stagedStart), InputReport(stagedEnd)])
        return (summary, plan)
    }
}
