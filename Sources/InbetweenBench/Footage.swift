public import Foundation
public import InbetweenEngine
public import InbetweenMedia

/// Real footage: a span of a video file, decoded once into memory (optionally scaled to a
/// width, cropped to even sides), with the shots it holds and the pairs chosen across cuts.
public struct Footage: GroundTruthSequence {
    public var info: SequenceInfo
    /// The decoded frames.
    public var frames: [RGBImage]
    public var shots: [ClosedRange<Int>]
    public var cutPairs: [KeyframePair]
    public var firstFrame: Int
    public var frameCount: Int { frames.count }

    /// Where a benchmark clip comes from and how it is cut.
    public struct Source: Sendable {
        /// What it is.
        public var info: SequenceInfo
        /// The file's name in the footage folder.
        public var file: String
        /// Frames of the file to load.
        public var range: ClosedRange<Int>
        /// Width to scale to (height keeps the aspect, rounded to even); nil keeps the size.
        public var width: Int?
        /// Its shots, as frame ranges of the file (inside `range`); nil: one shot.
        public var shots: [ClosedRange<Int>]?
        /// Pairs across a cut, by file frame index.
        public var cutPairs: [KeyframePair]

        /// A clip of `file`.
        public init(
            info: SequenceInfo, file: String, range: ClosedRange<Int>, width: Int? = nil, shots: [ClosedRange<Int>]? = nil,
            cutPairs: [KeyframePair] = []
        ) {
            self.info = info
            self.file = file
            self.range = range
            self.width = width
            self.shots = shots
            self.cutPairs = cutPairs
        }
    }

    /// The containers the benchmark's clips come in (MPEG-PS, MP4, AVI): ffmpeg opens no other.
    static let formats = "mpeg,mov,mp4,m4a,3gp,3g2,mj2,avi"
    /// The codecs they use (`tree.avi` is Cinepak): ffmpeg decodes no other.
    static let codecs = "mpeg1video,mpeg2video,h264,mpeg4,msmpeg4,cinepak"

    /// Decodes `source` from the folder `directory` with the hardened ffmpeg.
    /// - Throws: when the file cannot be read or has fewer frames than asked.
    public static func load(_ source: Source, directory: URL, ffmpeg: FFmpeg) async throws -> Footage {
        let url = directory.appendingPathComponent(source.file)
        let (probed, probe) = try await ffmpeg.probeSize(url.path, options: ["-format_whitelist", formats])
        guard let probed else { throw MediaError(.decodeFailed, "cannot read the size of \(url.path): \(probe.firstErrorLine)") }
        var size = probed
        var filters = ["select=between(n\\,\(source.range.lowerBound)\\,\(source.range.upperBound))"]
        if let width = source.width {
            size = PixelSize(width: width, height: Int((Double(probed.height) * Double(width) / Double(probed.width)).rounded()))
            filters.append("scale=\(width):\(size.height):flags=area")
        }
        size = PixelSize(width: size.width / 2 * 2, height: size.height / 2 * 2)
        filters.append("crop=\(size.width):\(size.height):0:0,format=rgb24")
        let frameBytes = size.pixelCount * 3
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            FFmpeg.hardening + [
                "-format_whitelist", formats, "-codec_whitelist", codecs, "-i", url.path, "-vf", filters.joined(separator: ","), "-fps_mode",
                "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
            ], outputLimit: frameBytes * source.range.count + 1, timeout: .seconds(300))
        guard outcome.succeeded, outcome.output.count == frameBytes * source.range.count else {
            throw MediaError(
                .decodeFailed, "decoding frames \(source.range) of \(url.path) gave \(outcome.output.count) bytes: \(outcome.firstErrorLine)")
        }
        let frames = (0..<source.range.count).map { i in
            RGBImage(size: size, pixels: Array(outcome.output[(i * frameBytes)..<((i + 1) * frameBytes)]))
        }
        let first = source.range.lowerBound
        let shots = (source.shots ?? [source.range]).map { ($0.lowerBound - first)...($0.upperBound - first) }
        let cuts = source.cutPairs.map { KeyframePair(start: $0.start - first, gap: $0.gap, spansCut: true) }
        return Footage(info: source.info, frames: frames, shots: shots, cutPairs: cuts, firstFrame: first)
    }

    public func frame(_ index: Int) throws -> RGBImage { frames[index] }
}
