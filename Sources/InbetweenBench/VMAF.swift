public import Foundation
public import InbetweenEngine
public import InbetweenMedia

/// VMAF (Netflix's perceptual video quality model, `vmaf_v0.6.1`) through an ffmpeg built with
/// libvmaf. Debian's ffmpeg has none; the static ffmpeg in PyPI's `imageio-ffmpeg` wheel has
/// it, and `scripts/bench-data.sh` installs that into `.bench-data/venv`. The tool only ever
/// reads raw frames this process wrote, with the same hardening as every other ffmpeg call.
public struct VMAF: Sendable {
    /// The ffmpeg with the libvmaf filter.
    public var ffmpegPath: String
    /// Where the frames and the JSON log go.
    public var work: URL

    /// Why no VMAF can be computed, in words a user can act on.
    public struct Unavailable: Error, CustomStringConvertible {
        /// The message.
        public var description: String
    }

    /// The environment variable that names the VMAF ffmpeg.
    public static let environmentVariable = "INBETWEEN_VMAF_FFMPEG"

    /// Finds the VMAF ffmpeg: `explicit` (a flag), else `$INBETWEEN_VMAF_FFMPEG`, else the
    /// imageio-ffmpeg binary under `dataDirectory/venv`, and checks that it has libvmaf.
    /// - Throws: `Unavailable` naming what is missing and how to get it.
    public static func locate(explicit: String?, dataDirectory: String, work: URL, ffmpeg: FFmpeg) async throws -> VMAF {
        let fromEnvironment = ProcessInfo.processInfo.environment[environmentVariable].flatMap { $0.isEmpty ? nil : $0 }
        guard let path = explicit ?? fromEnvironment ?? venvBinary(dataDirectory) else {
            throw Unavailable(
                description: "no ffmpeg with libvmaf: run scripts/bench-data.sh (it installs imageio-ffmpeg into \(dataDirectory)/venv), "
                    + "or name one with --vmaf-ffmpeg or \(environmentVariable)")
        }
        guard FileManager.default.isExecutableFile(atPath: path) else { throw Unavailable(description: "\(path) is not an executable file") }
        let outcome = try await ffmpeg.run(path, ["-hide_banner", "-nostdin", "-filters"], outputLimit: 1 << 20, timeout: .seconds(30))
        guard outcome.succeeded, String(decoding: outcome.output, as: UTF8.self).contains("libvmaf") else {
            throw Unavailable(description: "\(path) has no libvmaf filter")
        }
        return VMAF(ffmpegPath: path, work: work)
    }

    /// The imageio-ffmpeg binary under `dataDirectory/venv/lib/python3.*/site-packages`, if any.
    static func venvBinary(_ dataDirectory: String) -> String? {
        let lib = URL(fileURLWithPath: dataDirectory).appendingPathComponent("venv/lib")
        let files = FileManager.default
        for python in ((try? files.contentsOfDirectory(atPath: lib.path)) ?? []).sorted() where python.hasPrefix("python3") {
            let binaries = lib.appendingPathComponent("\(python)/site-packages/imageio_ffmpeg/binaries")
            for name in ((try? files.contentsOfDirectory(atPath: binaries.path)) ?? []).sorted() where name.hasPrefix("ffmpeg-") {
                return binaries.appendingPathComponent(name).path
            }
        }
        return nil
    }

    /// The pooled (mean) VMAF of `distorted` against `reference`, frame by frame.
    /// - Parameters:
    ///   - distorted: the frames to judge (here: encoded and decoded again).
    ///   - reference: the real frames, as many and of the same size.
    ///   - runner: the hardened subprocess runner.
    /// - Throws: when ffmpeg fails or its log has no pooled VMAF.
    public func score(_ distorted: [YUVImage], reference: [YUVImage], runner: FFmpeg) async throws -> Double {
        precondition(distorted.count == reference.count && !distorted.isEmpty, "VMAF needs as many distorted frames as reference frames")
        let size = reference[0].size
        let tag = UUID().uuidString
        let distortedFile = work.appendingPathComponent("vmaf-\(tag)-distorted.yuv")
        let referenceFile = work.appendingPathComponent("vmaf-\(tag)-reference.yuv")
        let logFile = work.appendingPathComponent("vmaf-\(tag).json")
        defer { for file in [distortedFile, referenceFile, logFile] { try? FileManager.default.removeItem(at: file) } }
        // The log path goes inside a filter graph: allow only characters that need no escaping.
        guard logFile.path.allSatisfy({ $0.isLetter || $0.isNumber || "/._-".contains($0) }) else {
            throw MediaError(.ioFailed, "the work folder \(work.path) has characters a filter graph would need escaped")
        }
        try Data(distorted.flatMap(\.bytes)).write(to: distortedFile)
        try Data(reference.flatMap(\.bytes)).write(to: referenceFile)
        let raw = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", "\(size.width)x\(size.height)", "-framerate", "24"]
        let outcome = try await runner.run(
            ffmpegPath,
            FFmpeg.hardening + raw + ["-i", distortedFile.path] + raw + ["-i", referenceFile.path] + [
                "-lavfi", "[0:v][1:v]libvmaf=log_fmt=json:log_path=\(logFile.path):n_threads=\(ProcessInfo.processInfo.activeProcessorCount)",
                "-f", "null", "-",
            ], outputLimit: 1 << 16, timeout: .seconds(300))
        guard outcome.succeeded else { throw MediaError(.decodeFailed, "VMAF failed: \(outcome.firstErrorLine)") }
        guard let score = Self.pooledMean(json: try Data(contentsOf: logFile)) else {
            throw MediaError(.decodeFailed, "the VMAF log \(logFile.path) has no pooled_metrics.vmaf.mean")
        }
        return score
    }

    /// `pooled_metrics.vmaf.mean` from libvmaf's JSON log; nil when the log has none.
    public static func pooledMean(json: Data) -> Double? {
        struct Log: Decodable {
            struct Pooled: Decodable {
                struct Metric: Decodable { var mean: Double }
                var vmaf: Metric?
            }
            var pooledMetrics: Pooled
            enum CodingKeys: String, CodingKey { case pooledMetrics = "pooled_metrics" }
        }
        if let log = try? JSONDecoder().decode(Log.self, from: json) { return log.pooledMetrics.vmaf?.mean }
        // libvmaf writes a bare `nan` for a feature it could not compute, which is not JSON:
        // then read the number after "pooled_metrics" … "vmaf" … "mean" from the text.
        let text = String(decoding: json, as: UTF8.self)
        guard let pooled = text.range(of: "\"pooled_metrics\""), let vmaf = text[pooled.upperBound...].range(of: "\"vmaf\"") else { return nil }
        guard let match = text[vmaf.upperBound...].firstMatch(of: /"mean"\s*:\s*(-?[0-9]+(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?)/) else { return nil }
        return Double(match.1)
    }
}
