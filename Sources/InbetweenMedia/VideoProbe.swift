public import Foundation
public import InbetweenEngine

/// What ffprobe says about a video file we wrote.
public struct VideoInfo: Sendable, Hashable, Codable {
    public var codec: String
    public var profile: String
    public var pixelFormat: String
    public var size: PixelSize
    /// Frames per second as a fraction "num/den".
    public var frameRate: String
    /// Frames counted by decoding the whole stream.
    public var frameCount: Int
    public var colorSpace: String?
    public var colorPrimaries: String?
    public var colorTransfer: String?
    public var duration: Double
    /// Whether the `moov` atom comes before `mdat` (`+faststart`).
    public var fastStart: Bool
}

extension FFmpeg {
    /// The width and height of the first video stream of `path` (nil when ffprobe cannot tell),
    /// with ffprobe's outcome for messages. `options` go before the input (demuxer, limits).
    /// A picture beyond `-max_pixels` still gets its size: ffprobe names it while refusing it.
    public func probeSize(_ path: String, options: [String] = []) async throws -> (size: PixelSize?, outcome: Outcome) {
        let outcome = try await run(
            ffprobePath,
            Self.probeHardening + options + ["-select_streams", "v:0", "-show_entries", "stream=width,height", "-of", "csv=p=0", path],
            outputLimit: 4096, timeout: decodeTimeout)
        if let match = outcome.error.firstMatch(of: /Picture size (\d+)x(\d+) exceeds/), let width = Int(match.1), let height = Int(match.2) {
            return (PixelSize(width: width, height: height), outcome)
        }
        let fields = String(decoding: outcome.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",")
        guard outcome.succeeded, fields.count >= 2, let width = Int(fields[0]), let height = Int(fields[1]), width > 0, height > 0 else {
            return (nil, outcome)
        }
        return (PixelSize(width: width, height: height), outcome)
    }

    /// Probes `url` (an MP4 we wrote), decoding it to count frames exactly.
    public func probeVideo(_ url: URL) async throws -> VideoInfo {
        let outcome = try await run(
            ffprobePath,
            Self.probeHardening + [
                "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2", "-count_frames", "-select_streams", "v:0", "-show_entries",
                "stream=codec_name,profile,pix_fmt,width,height,r_frame_rate,nb_read_frames,color_space,color_primaries,color_transfer:format=duration",
                "-of", "json", url.path,
            ], outputLimit: 1 << 20, timeout: .seconds(120))
        guard outcome.succeeded else { throw MediaError(.decodeFailed, "ffprobe could not read \(url.path): \(outcome.firstErrorLine)") }
        struct Probe: Decodable {
            struct Stream: Decodable {
                var codecName: String
                var profile: String?
                var pixFmt: String
                var width: Int
                var height: Int
                var rFrameRate: String
                var nbReadFrames: String?
                var colorSpace: String?
                var colorPrimaries: String?
                var colorTransfer: String?
            }
            struct Format: Decodable { var duration: String? }
            var streams: [Stream]
            var format: Format
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let probe = try decoder.decode(Probe.self, from: Data(outcome.output))
        guard let stream = probe.streams.first else { throw MediaError(.decodeFailed, "\(url.path) has no video stream") }
        return VideoInfo(
            codec: stream.codecName, profile: stream.profile ?? "", pixelFormat: stream.pixFmt,
            size: PixelSize(width: stream.width, height: stream.height),
            frameRate: stream.rFrameRate, frameCount: Int(stream.nbReadFrames ?? "") ?? 0, colorSpace: stream.colorSpace,
            colorPrimaries: stream.colorPrimaries, colorTransfer: stream.colorTransfer, duration: Double(probe.format.duration ?? "") ?? 0,
            fastStart: try Self.moovBeforeMdat(url))
    }

    /// Walks the top-level MP4 boxes: true when `moov` precedes `mdat`.
    static func moovBeforeMdat(_ url: URL) throws -> Bool {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var offset: UInt64 = 0
        while true {
            try handle.seek(toOffset: offset)
            guard let header = try handle.read(upToCount: 16), header.count >= 8 else { return false }
            let bytes = [UInt8](header)
            var size = UInt64(bytes[0]) << 24 | UInt64(bytes[1]) << 16 | UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            let type = String(decoding: bytes[4..<8], as: UTF8.self)
            if type == "moov" { return true }
            if type == "mdat" { return false }
            if size == 1, bytes.count >= 16 { size = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) } }
            guard size >= 8 else { return false }
            offset += size
        }
    }

    /// Decodes the frames at `indices` (in increasing order) of a video we wrote, as RGB.
    public func decodeFrames(_ url: URL, indices: [Int], size: PixelSize) async throws -> [RGBImage] {
        let select = indices.map { "eq(n\\,\($0))" }.joined(separator: "+")
        let frameBytes = size.pixelCount * 3
        let outcome = try await run(
            ffmpegPath,
            Self.hardening + [
                "-format_whitelist", "mov,mp4,m4a,3gp,3g2,mj2", "-i", url.path, "-vf",
                "select=\(select),scale=in_color_matrix=bt709:in_range=tv:flags=bicubic+accurate_rnd+full_chroma_int,format=rgb24", "-fps_mode",
                "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
            ], outputLimit: frameBytes * indices.count + 1, timeout: .seconds(120))
        guard outcome.succeeded, outcome.output.count == frameBytes * indices.count else {
            throw MediaError(
                .decodeFailed, "could not decode frames \(indices) of \(url.path) (\(outcome.output.count) bytes): \(outcome.firstErrorLine)")
        }
        return (0..<indices.count).map { i in
            RGBImage(size: size, pixels: Array(outcome.output[(i * frameBytes)..<((i + 1) * frameBytes)]))
        }
    }
}
