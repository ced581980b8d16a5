public import Foundation
public import InbetweenEngine
public import InbetweenMedia

/// Interpolation quality against ground truth: keyframes cut from a known clip at several
/// gaps, every in-between frame made by each method and compared with the real one (luma PSNR
/// and SSIM, so the 4:2:0 step every method shares does not count), with the time each took.
public struct QualityBenchmark: Sendable {
    /// A way of making the in-between frames.
    public enum Method: Sendable, Hashable {
        case engine(EngineKind)
        case minterpolate

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

    /// One row: a sequence, a gap, a method, averaged over its clips.
    public struct Row: Sendable {
        public var sequence: String
        public var gap: Int
        public var method: Method
        public var psnr: Double
        public var ssim: Double
        public var secondsPerClip: Double
        public var clips: Int
    }

    public static let gaps = [8, 16, 24, 48]

    /// ffmpeg's motion-compensated interpolation as ENGINE.md names the peer.
    public static func minterpolateFilter(fps: Int) -> String {
        "minterpolate=fps=\(fps):mi_mode=mci:mc_mode=aobmc:me_mode=bidir:vsbmc=1:scd=none"
    }
    public static let methods: [Method] = [.engine(.dissolve), .minterpolate, .engine(.homography), .engine(.motion)]

    public var ffmpeg: FFmpeg
    public var work: URL
    public var profile: EngineProfile
    /// Clips per gap, spread over the sequence.
    public var clipsPerGap: Int

    public init(ffmpeg: FFmpeg, work: URL, profile: EngineProfile = .pro, clipsPerGap: Int = 3) {
        self.ffmpeg = ffmpeg
        self.work = work
        self.profile = profile
        self.clipsPerGap = clipsPerGap
    }

    /// Measures every method at every gap on `sequence`.
    public func run(_ sequence: some GroundTruthSequence, log: (String) -> Void) async throws -> [Row] {
        var rows: [Row] = []
        var truth: [Int: YUVImage] = [:]
        var rgb: [Int: RGBImage] = [:]
        func frame(_ index: Int) throws -> (RGBImage, YUVImage) {
            if let y = truth[index], let r = rgb[index] { return (r, y) }
            let r = try sequence.frame(index)
            let y = try YUVImage(r)
            (rgb[index], truth[index]) = (r, y)
            return (r, y)
        }
        for gap in Self.gaps where gap < sequence.frameCount {
            let last = sequence.frameCount - 1 - gap
            let starts = Array(Set((0..<clipsPerGap).map { clipsPerGap == 1 ? 0 : $0 * last / (clipsPerGap - 1) })).sorted()
            for method in Self.methods {
                var psnr = 0.0
                var ssim = 0.0
                var seconds = 0.0
                var count = 0
                for first in starts {
                    let (startRGB, _) = try frame(first)
                    let (endRGB, _) = try frame(first + gap)
                    let began = ContinuousClock.now
                    let made = try await frames(method, start: startRGB, end: endRGB, gap: gap)
                    let elapsed = ContinuousClock.now - began
                    seconds += elapsed.inSeconds
                    for offset in 1..<gap {
                        let (_, real) = try frame(first + offset)
                        psnr += ImageMetrics.lumaPSNR(made[offset], real)
                        ssim += try ImageMetrics.lumaSSIM(made[offset], real)
                        count += 1
                    }
                }
                let row = Row(
                    sequence: sequence.name, gap: gap, method: method, psnr: psnr / Double(count), ssim: ssim / Double(count),
                    secondsPerClip: seconds / Double(starts.count), clips: starts.count)
                log("\(row.sequence) gap \(gap) \(method.name): \(format(row.psnr)) dB, SSIM \(format(row.ssim, digits: 4))")
                rows.append(row)
            }
        }
        return rows
    }

    /// All `gap + 1` frames of a clip from `start` to `end` made by `method`.
    func frames(_ method: Method, start: RGBImage, end: RGBImage, gap: Int) async throws -> [YUVImage] {
        switch method {
        case .engine(let kind):
            let request = RenderRequest(size: start.size, frameCount: gap + 1, fps: 24, profile: profile)
            let clip = try kind.engine.prepare(start: start, end: end, request: request)
            let renderer = try FrameRenderer(clip: clip, start: start, end: end, profile: profile)
            return try (0...gap).map { try renderer.frame($0) }
        case .minterpolate:
            return try await minterpolate(start: try YUVImage(start), end: try YUVImage(end), gap: gap)
        }
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
                "-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", "\(size.width)x\(size.height)", "-framerate", "24/\(gap)", "-i", input.path,
                "-vf", Self.minterpolateFilter(fps: 24), "-frames:v", String(gap + 1), "-f", "rawvideo",
                "-pix_fmt", "yuv420p", "pipe:1",
            ], outputLimit: frameBytes * (gap + 1) + 1, timeout: .seconds(600))
        guard outcome.succeeded, outcome.output.count == frameBytes * (gap + 1) else {
            throw MediaError(.decodeFailed, "minterpolate gave \(outcome.output.count) bytes for \(gap + 1) frames: \(outcome.firstErrorLine)")
        }
        return (0...gap).map { index in
            YUVImage(size: size, bytes: Array(outcome.output[(index * frameBytes)..<((index + 1) * frameBytes)]))
        }
    }
}
