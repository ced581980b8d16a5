public import Foundation
public import InbetweenEngine
public import InbetweenMedia

/// Real footage: one shot of a video file, decoded once into memory (cropped to even sides).
public struct Footage: GroundTruthSequence {
    public var name: String
    public var frames: [RGBImage]
    public var frameCount: Int { frames.count }

    /// Frames `range` of the video at `url`, decoded with the hardened ffmpeg.
    public static func load(name: String, url: URL, range: ClosedRange<Int>, ffmpeg: FFmpeg) async throws -> Footage {
        let (probed, probe) = try await ffmpeg.probeSize(url.path)
        guard let probed else { throw MediaError(.decodeFailed, "cannot read the size of \(url.path): \(probe.firstErrorLine)") }
        let size = PixelSize(width: probed.width / 2 * 2, height: probed.height / 2 * 2)
        let frameBytes = size.pixelCount * 3
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            FFmpeg.hardening + [
                "-i", url.path, "-vf",
                "select=between(n\\,\(range.lowerBound)\\,\(range.upperBound)),crop=\(size.width):\(size.height):0:0,format=rgb24", "-fps_mode",
                "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1",
            ], outputLimit: frameBytes * range.count + 1, timeout: .seconds(300))
        guard outcome.succeeded, outcome.output.count == frameBytes * range.count else {
            throw MediaError(.decodeFailed, "decoding frames \(range) of \(url.path) gave \(outcome.output.count) bytes: \(outcome.firstErrorLine)")
        }
        let frames = (0..<range.count).map { i in RGBImage(size: size, pixels: Array(outcome.output[(i * frameBytes)..<((i + 1) * frameBytes)])) }
        return Footage(name: name, frames: frames)
    }

    public func frame(_ index: Int) throws -> RGBImage { frames[index] }
}
