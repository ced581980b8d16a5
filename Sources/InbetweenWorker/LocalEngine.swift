import Foundation
import InbetweenAPI
import InbetweenEngine
import InbetweenJobs
import InbetweenMedia

/// The built-in motion engine behind the `VideoEngine` seam: the same `VideoGenerator` as
/// `inbetween generate`. Deterministic: the same images, arguments and seed make the same frames.
struct LocalEngine: VideoEngine {
    /// Bump when the renderer's output for the same request changes, so cached videos made
    /// by the old one are not handed out as the new one's.
    static let version = 1

    let generator: VideoGenerator

    var name: String { "local:\(generator.engine.rawValue)" }
    var cacheIdentity: String { "\(name)/v\(Self.version)" }
    var deterministic: Bool { true }

    func render(_ request: EngineRequest, output: URL, progress: @escaping @Sendable (Double) -> Void) async throws -> JobOutput {
        let (summary, _) = try await generator.render(request.arguments, start: request.start, end: request.end, output: output) { update in
            progress(update.fraction)
        }
        return JobOutput(
            video: output.lastPathComponent, cover: "", width: summary.width, height: summary.height, fps: summary.fps, frames: summary.frames,
            duration: summary.duration, bytes: summary.bytes, engine: name)
    }
}
