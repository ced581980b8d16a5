public import Foundation
import InbetweenAPI
public import InbetweenEngine
import Subprocess
import SystemPackage

#if canImport(Glibc)
    import Glibc
#endif

/// How a clip is encoded: libx264, High profile, yuv420p, BT.709 tags, `+faststart` MP4.
/// Frames arrive as raw YUV 4:2:0 (BT.709, limited range), so ffmpeg converts nothing.
public struct EncoderSettings: Sendable, Hashable, Codable {
    public var size: PixelSize
    public var fps: Int
    public var frameCount: Int
    /// libx264 preset (ultrafast ... veryslow).
    public var preset: String
    /// libx264 constant rate factor (lower is better).
    public var crf: Int
    /// Quantiser for the first and the last frame, which must reproduce the inputs closely.
    public var keyframeQuantizer: Int
    /// More libx264 options (`key=value:key=value`) over the preset.
    public var x264Options: String

    public init(size: PixelSize, fps: Int, frameCount: Int, preset: String, crf: Int, keyframeQuantizer: Int = 12, x264Options: String = "") {
        self.size = size
        self.fps = fps
        self.frameCount = frameCount
        self.preset = preset
        self.crf = crf
        self.keyframeQuantizer = keyframeQuantizer
        self.x264Options = x264Options
    }

    /// The ffmpeg arguments that read raw YUV frames from stdin and write `output`.
    func arguments(output: String) -> [String] {
        let last = frameCount - 1
        return FFmpeg.hardening + [
            "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p", "-color_range", "tv", "-colorspace", "bt709", "-video_size",
            "\(size.width)x\(size.height)", "-framerate", String(fps), "-i", "pipe:0", "-pix_fmt", "yuv420p",
            "-frames:v", String(frameCount),
            "-c:v", "libx264", "-profile:v", "high", "-preset", preset, "-crf", String(crf),
            "-x264-params",
            "zones=0,0,q=\(keyframeQuantizer)/\(last),\(last),q=\(keyframeQuantizer)" + (x264Options.isEmpty ? "" : ":" + x264Options),
            "-colorspace", "bt709", "-color_primaries", "bt709", "-color_trc", "bt709", "-color_range", "tv",
            "-movflags", "+faststart", "-f", "mp4", output,
        ]
    }
}

/// Frames streamed into a running ffmpeg.
public struct EncoderSink: FrameSink {
    let writer: StandardInputWriter
    let size: PixelSize
    /// Frames written so far.
    public private(set) var written = 0

    /// Writes one frame. Throws `CancellationError` when the task is cancelled, so a canceled
    /// job's render stops between frames (and ffmpeg is stopped, its partial file removed).
    public mutating func write(_ frame: YUVImage) async throws {
        try Task.checkCancellation()
        precondition(frame.size == size, "frame is \(frame.size), the encoder expects \(size)")
        _ = try await writer.write(frame.bytes)
        written += 1
    }
}

/// Encodes frames to an MP4 through an ffmpeg subprocess reading a pipe. The file appears at
/// its path only when it is complete: ffmpeg writes a temporary file beside it that is renamed
/// on success and removed on failure.
public struct VideoEncoder: Sendable {
    public var ffmpeg: FFmpeg
    /// Longest an encode may take.
    public var timeout: Duration

    /// The encoder's `nice` value: below the server's, so its threads wait for ours.
    static let niceness: Int32 = 10

    public init(ffmpeg: FFmpeg, timeout: Duration = .seconds(600)) {
        self.ffmpeg = ffmpeg
        self.timeout = timeout
    }

    /// Starts ffmpeg, hands `body` a sink for exactly `settings.frameCount` frames, and waits
    /// for the MP4 at `output`.
    public func encode(
        to output: URL, settings: EncoderSettings, _ body: @escaping @Sendable (inout EncoderSink) async throws -> Void
    ) async throws {
        let partial = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).\(UUID().uuidString).partial")
        defer { try? FileManager.default.removeItem(at: partial) }
        let ffmpegPath = ffmpeg.ffmpegPath
        let stderrLimit = ffmpeg.stderrLimit
        let result = try await withDeadline(
            timeout, orThrow: MediaError(.timedOut, "ffmpeg (encoding) did not finish within \(timeout.components.seconds) s and was stopped.")
        ) {
            try await Subprocess.run(
                .path(FilePath(ffmpegPath)), arguments: Arguments(settings.arguments(output: partial.path)), input: .inputWriter,
                output: .discarded, error: .string(limit: stderrLimit)
            ) { execution in
                // The encoder yields the cores to the server, the heartbeats and the render
                // that feeds it: a busy machine delays the video, never a lease.
                _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), id_t(execution.processIdentifier.value), Self.niceness)
                var sink = EncoderSink(writer: execution.standardInputWriter, size: settings.size)
                do {
                    try await body(&sink)
                } catch let error as SubprocessError {
                    // Stopped: thrown, so ffmpeg is torn down rather than waited for.
                    try Task.checkCancellation()
                    // The pipe broke: ffmpeg stopped reading. Its own message says why.
                    return (sink.written, "\(error)")
                }
                try await execution.standardInputWriter.finish()
                return (sink.written, "")
            }
        }
        let (written, pipeError) = result.closureResult
        let stderr = result.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        guard result.terminationStatus.isSuccess, pipeError.isEmpty else {
            throw MediaError(.encodeFailed, "ffmpeg could not encode the video (\(result.terminationStatus)): \(stderr.isEmpty ? pipeError : stderr)")
        }
        guard written == settings.frameCount else {
            throw MediaError(.encodeFailed, "the encoder received \(written) frames, \(settings.frameCount) were expected")
        }
        do {
            if FileManager.default.fileExists(atPath: output.path) { try FileManager.default.removeItem(at: output) }
            try FileManager.default.moveItem(at: partial, to: output)
        } catch {
            throw MediaError(.ioFailed, "could not move the finished video to \(output.path): \(error.localizedDescription)")
        }
    }
}
