import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenMedia

/// Renders a job with the local engine: the same `VideoGenerator` as `inbetween generate`,
/// its URLs fetched through the SSRF guard; the video and its poster are made in a private
/// work directory, then put into the result store (complete or not at all).
struct MediaJobRunner<Results: ResultStore>: JobRunner {
    let generator: VideoGenerator
    let results: Results

    func run(_ job: JobRecord, progress: @escaping @Sendable (Int) -> Void) async throws -> JobOutput {
        guard let text = job.arguments, case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw JobFailure(code: APIError.Code.internalError.rawValue, message: "the job's stored arguments cannot be read.")
        }
        let arguments = try GenerationArguments(validating: object, limits: generator.limits)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-job-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        let video = directory.appendingPathComponent("video.mp4")
        let (summary, _) = try await generator.generate(arguments, output: video) { update in
            progress(Int(update.fraction * 95))
        }
        let cover = directory.appendingPathComponent("cover.jpg")
        try await Self.writeCover(of: video, to: cover, duration: arguments.duration, ffmpeg: generator.ffmpeg)
        try await results.put(job: job.id, name: "cover.jpg", from: cover)
        try await results.put(job: job.id, name: "video.mp4", from: video)
        progress(99)
        return JobOutput(
            video: "\(job.id)/video.mp4", cover: "\(job.id)/cover.jpg", width: summary.width, height: summary.height, fps: summary.fps,
            frames: summary.frames, duration: summary.duration, bytes: summary.bytes, engine: summary.engine)
    }

    /// The middle frame as a JPEG poster.
    static func writeCover(of video: URL, to cover: URL, duration: Int, ffmpeg: FFmpeg) async throws {
        let temporary = cover.deletingLastPathComponent().appendingPathComponent(".cover-\(UUID().uuidString).jpg")
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            FFmpeg.hardening + [
                "-ss", String(format: "%.3f", Double(duration) / 2), "-i", video.path, "-frames:v", "1", "-q:v", "3", "-f", "image2",
                "-c:v", "mjpeg", "-y", temporary.path,
            ], outputLimit: 0, timeout: .seconds(30))
        guard outcome.succeeded else {
            try? FileManager.default.removeItem(at: temporary)
            throw MediaError(.encodeFailed, "the poster could not be made: \(outcome.firstErrorLine)")
        }
        guard rename(temporary.path, cover.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw MediaError(.ioFailed, "the poster could not be moved into place.")
        }
    }
}
