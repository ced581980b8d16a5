public import Foundation
public import InbetweenAPI
public import InbetweenEngine
public import InbetweenMedia

/// Interpolation quality against ground truth. Keyframe pairs are cut from a known clip at
/// several gaps; every method makes the frames between them; every method's frames then go
/// through the same x264 encode as ours (the mode's preset and CRF, via `VideoEncoder`) and
/// are decoded again, so no method is judged on pixels a user would never see. The decoded
/// in-between frames are compared with the real ones on luma: PSNR, SSIM, VMAF, and PSNR over
/// the moving region only (`MovingRegion`, from the raw cross-fade).
public struct QualityBenchmark: Sendable {
    /// A way of making the in-between frames.
    public enum Method: Sendable, Hashable, CaseIterable {
        case engine(EngineKind)
        case minterpolate

        /// Every method, peers first and ours last.
        public static let allCases: [Method] = [.engine(.dissolve), .minterpolate, .engine(.homography), .engine(.motion)]

        /// The method's name in prose.
        public var name: String {
            switch self {
            case .engine(.dissolve): "cross-fade"
            case .engine(.homography): "global homography (inbetween --engine homography)"
            case .engine(.motion): "inbetween motion (default)"
            case .minterpolate: "ffmpeg minterpolate"
            }
        }

        /// The name in a table cell.
        public var shortName: String {
            switch self {
            case .engine(.dissolve): "cross-fade"
            case .engine(.homography): "homography"
            case .engine(.motion): "motion"
            case .minterpolate: "minterpolate"
            }
        }
    }

    /// One method's scores on one keyframe pair, over its in-between frames.
    public struct Score: Sendable, Hashable {
        /// Mean luma PSNR of the frames, dB.
        public var psnr: Double
        /// Mean luma SSIM of the frames.
        public var ssim: Double
        /// Pooled VMAF of the frames; nil when no VMAF ffmpeg was found.
        public var vmaf: Double?
        /// Luma PSNR over the moving region, its error pooled over the frames; nil when nothing moved.
        public var movingPSNR: Double?
        /// Mean luma PSNR, dB, when each real frame is matched with the method's own frame
        /// that fits it best, at whatever time (`timeAlignedPSNR(_:reals:)`): how good the path
        /// is with its pace set aside. Nil when not measured.
        public var timeAlignedPSNR: Double?
        /// Seconds to make the frames (not counting the encode every method shares).
        public var seconds: Double

        /// A score.
        public init(psnr: Double, ssim: Double, vmaf: Double?, movingPSNR: Double?, timeAlignedPSNR: Double? = nil, seconds: Double) {
            self.psnr = psnr
            self.ssim = ssim
            self.vmaf = vmaf
            self.movingPSNR = movingPSNR
            self.timeAlignedPSNR = timeAlignedPSNR
            self.seconds = seconds
        }
    }

    /// Every method on one keyframe pair.
    public struct PairResult: Sendable {
        /// The sequence the pair was cut from.
        public var sequence: SequenceInfo
        /// The pair, by frame index in the loaded sequence.
        public var pair: KeyframePair
        /// The source file's frame number of the start keyframe.
        public var sourceStart: Int
        /// The moving region's mean share of the in-between frames, 0...1.
        public var movingShare: Double
        /// Each method's scores.
        public var scores: [Method: Score]

        /// A result.
        public init(sequence: SequenceInfo, pair: KeyframePair, sourceStart: Int, movingShare: Double, scores: [Method: Score]) {
            self.sequence = sequence
            self.pair = pair
            self.sourceStart = sourceStart
            self.movingShare = movingShare
            self.scores = scores
        }
    }

    /// Gaps measured by default, in frames.
    public static let gaps = [8, 24, 48, 96]

    /// Pairs per gap for at most `clips` wanted: all of them up to gap 48, two at 96 (whose
    /// pairs overlap most and cost most), which keeps the whole report near 10 minutes on 2 cores.
    public static func pairsPerGap(_ gap: Int, clips: Int) -> Int {
        gap >= 96 ? min(clips, 2) : clips
    }

    /// ffmpeg's motion-compensated interpolation as ENGINE.md names the peer.
    public static func minterpolateFilter(fps: Int) -> String {
        "minterpolate=fps=\(fps):mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1:scd=none"
    }

    /// Frame rate the clips are made and encoded at.
    public static let fps = 24

    public var ffmpeg: FFmpeg
    /// Scratch folder for encodes, frames and logs.
    public var work: URL
    /// The mode whose engine profile and x264 settings every method gets.
    public var mode: Mode
    /// Keyframe pairs per gap, at most (see `pairsPerGap`).
    public var clips: Int
    /// Gaps to measure.
    public var gaps: [Int]
    /// Methods to run; the cross-fade always runs (the moving region is made from it).
    public var methods: [Method]
    /// VMAF, when an ffmpeg with libvmaf was found.
    public var vmaf: VMAF?
    /// When set, each pair's middle frame is written there as a PNG per method.
    public var frameDump: URL?

    /// A benchmark with the given settings.
    public init(
        ffmpeg: FFmpeg, work: URL, mode: Mode = .pro, clips: Int = 3, gaps: [Int] = Self.gaps, methods: [Method] = Method.allCases, vmaf: VMAF? = nil,
        frameDump: URL? = nil
    ) {
        self.ffmpeg = ffmpeg
        self.work = work
        self.mode = mode
        self.clips = clips
        self.gaps = gaps
        self.methods = [.engine(.dissolve)] + methods.filter { $0 != .engine(.dissolve) }
        self.vmaf = vmaf
        self.frameDump = frameDump
    }

    /// The pairs measured on `sequence`: spread inside shots per gap (a gap longer than every
    /// shot is skipped), then the sequence's cut pairs at the gaps asked for.
    public func pairs(_ sequence: some GroundTruthSequence) -> [KeyframePair] {
        let inside = gaps.flatMap { KeyframePair.spread(gap: $0, shots: sequence.shots, count: Self.pairsPerGap($0, clips: clips)) }
        return (inside + sequence.cutPairs.filter { gaps.contains($0.gap) && $0.end < sequence.frameCount }).sorted()
    }

    /// Measures every method on every pair of `sequence`.
    public func run(_ sequence: some GroundTruthSequence, log: (String) -> Void) async throws -> [PairResult] {
        var truth: [Int: YUVImage] = [:]
        func real(_ index: Int) throws -> YUVImage {
            if let frame = truth[index] { return frame }
            let frame = try YUVImage(try sequence.frame(index))
            truth[index] = frame
            return frame
        }
        var results: [PairResult] = []
        for pair in pairs(sequence) {
            let reals = try (pair.start...pair.end).map(real)
            let result = try await measure(
                sequence.info, pair: pair, sourceStart: sequence.firstFrame + pair.start, start: try sequence.frame(pair.start),
                end: try sequence.frame(pair.end), reals: reals)
            let line = methods.compactMap { method in
                result.scores[method].map { score in
                    "\(method.shortName) \(format(score.psnr))/\(format(score.ssim, digits: 3))/\(score.vmaf.map { format($0, digits: 1) } ?? "—")/"
                        + "\(score.movingPSNR.map { format($0) } ?? "—")"
                }
            }
            log(
                "\(sequence.info.id) \(result.sourceStart)+\(pair.gap)\(pair.spansCut ? " (cut)" : "") moving \(format(100 * result.movingShare, digits: 1)) %: "
                    + line.joined(separator: ", ") + " (PSNR/SSIM/VMAF/moving PSNR)")
            results.append(result)
        }
        return results
    }

    /// Every method on one pair whose real frames (keyframes included) are `reals`.
    func measure(
        _ info: SequenceInfo, pair: KeyframePair, sourceStart: Int, start: RGBImage, end: RGBImage, reals: [YUVImage]
    ) async throws -> PairResult {
        let inner = 1..<pair.gap
        var regions: [MovingRegion] = []
        var scores: [Method: Score] = [:]
        var middles: [YUVImage] = [reals[pair.gap / 2]]
        for method in methods {
            let began = ContinuousClock.now
            let made = try await frames(method, start: start, end: end, gap: pair.gap)
            let seconds = (ContinuousClock.now - began).inSeconds
            if method == .engine(.dissolve) {
                regions = inner.map { i in
                    MovingRegion(real: reals[i].luma, crossFade: made[i].luma, width: start.size.width, height: start.size.height)
                }
            }
            let decoded = try await encodeAndDecode(made)
            var psnr = 0.0
            var ssim = 0.0
            var moving = ErrorSum()
            for (i, region) in zip(inner, regions) {
                psnr += min(ErrorSum.maxPSNR, ImageMetrics.lumaPSNR(decoded[i], reals[i]))
                ssim += try ImageMetrics.lumaSSIM(decoded[i], reals[i])
                moving += region.squaredError(decoded[i].luma, reals[i].luma)
            }
            let vmafScore = try await vmaf?.score(Array(decoded[inner]), reference: Array(reals[inner]), runner: ffmpeg)
            let count = Double(inner.count)
            scores[method] = Score(
                psnr: psnr / count, ssim: ssim / count, vmaf: vmafScore, movingPSNR: moving.psnr,
                timeAlignedPSNR: Self.timeAlignedPSNR(decoded, reals: reals), seconds: seconds)
            middles.append(decoded[pair.gap / 2])
        }
        let share = regions.map(\.share).reduce(0, +) / Double(max(1, regions.count))
        if let frameDump {
            let mask = regions[pair.gap / 2 - 1]
            var maskFrame = YUVImage(size: start.size)
            for (i, inside) in mask.mask.enumerated() where inside != 0 { maskFrame.bytes[i] = 235 }
            let name = "\(info.id)-\(sourceStart)-gap\(pair.gap)\(pair.spansCut ? "-cut" : "").png"
            try await writeTile(middles + [maskFrame], to: frameDump.appendingPathComponent(name))
        }
        return PairResult(sequence: info, pair: pair, sourceStart: sourceStart, movingShare: share, scores: scores)
    }

    /// Mean luma PSNR, dB, of the in-between `reals` (all but the first and last), each against
    /// whichever of `made` (the same count, keyframes included) fits it best. Real motion seldom
    /// keeps an even pace (a hand holds a box still, then moves it; a handheld camera jumps),
    /// and two keyframes cannot tell when it happened: a sharp frame on the right path at the
    /// wrong moment then scores below a cross-fade's two half copies. With each frame free to
    /// take its best moment, every method is judged on its path alone. The best frame is
    /// picked on a 1-in-4 subsample of luma in each direction, then scored at full resolution.
    public static func timeAlignedPSNR(_ made: [YUVImage], reals: [YUVImage]) -> Double {
        precondition(made.count == reals.count && made.count > 2, "time-aligned PSNR needs the keyframes and an in-between frame")
        let size = reals[0].size
        func coarseError(_ a: YUVImage, _ b: YUVImage) -> Int {
            var sum = 0
            for y in stride(from: 0, to: size.height, by: 4) {
                let row = y * size.width
                for x in stride(from: 0, to: size.width, by: 4) {
                    let d = Int(a.bytes[row + x]) - Int(b.bytes[row + x])
                    sum += d * d
                }
            }
            return sum
        }
        let inner = 1..<(reals.count - 1)
        var total = 0.0
        for i in inner {
            let errors = made.map { coarseError($0, reals[i]) }
            let best = errors.indices.min { errors[$0] < errors[$1] } ?? i
            total += min(ErrorSum.maxPSNR, ImageMetrics.lumaPSNR(made[best], reals[i]))
        }
        return total / Double(inner.count)
    }

    /// All `gap + 1` frames of a clip from `start` to `end` made by `method`, raw.
    func frames(_ method: Method, start: RGBImage, end: RGBImage, gap: Int) async throws -> [YUVImage] {
        let profile = ModeSettings.for(mode).profile
        switch method {
        case .engine(let kind):
            let request = RenderRequest(size: start.size, frameCount: gap + 1, fps: Self.fps, profile: profile)
            let clip = try kind.engine.prepare(start: start, end: end, request: request)
            let renderer = try FrameRenderer(clip: clip, start: start, end: end, profile: profile)
            return try renderer.frames(0..<(gap + 1))
        case .minterpolate:
            return try await minterpolate(start: try YUVImage(start), end: try YUVImage(end), gap: gap)
        }
    }

    /// `frames` through the mode's x264 encode (the product's own `VideoEncoder`, preset, CRF
    /// and options), then decoded back to raw frames.
    func encodeAndDecode(_ frames: [YUVImage]) async throws -> [YUVImage] {
        let size = frames[0].size
        let video = work.appendingPathComponent("method.mp4")
        try await VideoEncoder(ffmpeg: ffmpeg).encode(
            to: video, settings: ModeSettings.for(mode).encoder(size: size, fps: Self.fps, frameCount: frames.count)
        ) { sink in
            for frame in frames { try await sink.write(frame) }
        }
        let frameBytes = YUVImage.byteCount(size)
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            FFmpeg.hardening + [
                "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2", "-codec_whitelist", "h264", "-i", video.path, "-fps_mode", "passthrough",
                "-f", "rawvideo", "-pix_fmt", "yuv420p", "pipe:1",
            ], outputLimit: frameBytes * frames.count + 1, timeout: .seconds(120))
        guard outcome.succeeded, outcome.output.count == frameBytes * frames.count else {
            throw MediaError(
                .decodeFailed, "decoding \(video.path) gave \(outcome.output.count) bytes for \(frames.count) frames: \(outcome.firstErrorLine)")
        }
        return (0..<frames.count).map { i in YUVImage(size: size, bytes: Array(outcome.output[(i * frameBytes)..<((i + 1) * frameBytes)])) }
    }

    /// ffmpeg's minterpolate between two keyframes `gap` frames apart: fed (start, end, end)
    /// one gap apart in time, so it has frames past the end to emit the whole span.
    func minterpolate(start: YUVImage, end: YUVImage, gap: Int) async throws -> [YUVImage] {
        let input = work.appendingPathComponent("pair.yuv")
        try Data(start.bytes + end.bytes + end.bytes).write(to: input)
        let size = start.size
        let frameBytes = YUVImage.byteCount(size)
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            FFmpeg.hardening + [
                "-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", "\(size.width)x\(size.height)", "-framerate", "\(Self.fps)/\(gap)", "-i",
                input.path, "-vf", Self.minterpolateFilter(fps: Self.fps), "-frames:v", String(gap + 1), "-f", "rawvideo",
                "-pix_fmt", "yuv420p", "pipe:1",
            ], outputLimit: frameBytes * (gap + 1) + 1, timeout: .seconds(600))
        guard outcome.succeeded, outcome.output.count == frameBytes * (gap + 1) else {
            throw MediaError(.decodeFailed, "minterpolate gave \(outcome.output.count) bytes for \(gap + 1) frames: \(outcome.firstErrorLine)")
        }
        return (0...gap).map { index in
            YUVImage(size: size, bytes: Array(outcome.output[(index * frameBytes)..<((index + 1) * frameBytes)]))
        }
    }

    /// Frames side by side in one PNG, three to a row.
    func writeTile(_ frames: [YUVImage], to url: URL) async throws {
        let size = frames[0].size
        let input = work.appendingPathComponent("tile.yuv")
        try Data(frames.flatMap(\.bytes)).write(to: input)
        let rows = (frames.count + 2) / 3
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            FFmpeg.hardening + [
                "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", "\(size.width)x\(size.height)", "-i", input.path, "-vf",
                "tile=3x\(rows):padding=4", "-frames:v", "1", "-c:v", "png", "-f", "image2", "-update", "1", url.path,
            ], outputLimit: 1 << 16, timeout: .seconds(60))
        guard outcome.succeeded else { throw MediaError(.encodeFailed, "could not write \(url.path): \(outcome.firstErrorLine)") }
    }
}
