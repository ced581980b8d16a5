public import Foundation
public import InbetweenAPI
public import InbetweenJobs

/// Makes the video of one job: the seam between the queue and whatever renders. The local
/// motion engine is one implementation; an upstream service that speaks the job API is
/// another. The worker's runner picks one per job by the configured route.
public protocol VideoEngine: Sendable {
    /// How results and logs name it: `local`, `upstream:gpu`.
    var name: String { get }
    /// Part of the cache key: changes when the same request would make another video
    /// (a new renderer version, another upstream model).
    var cacheIdentity: String { get }
    /// Whether the same request always makes the same video. A non-deterministic engine's
    /// results are cached only when the request names a `seed`.
    var deterministic: Bool { get }

    /// Writes the job's MP4 to `output` (whole or not at all) and says what it is.
    /// Reports progress as 0 ... 1. Throws `JobFailure` or `APIError` for failures a user can
    /// act on; stops promptly (throwing) when the task is cancelled.
    func render(_ request: EngineRequest, output: URL, progress: @escaping @Sendable (Double) -> Void) async throws -> RenderedVideo
}

/// One job as an engine sees it: its arguments with both images already in hand.
public struct EngineRequest: Sendable {
    public var jobID: String
    /// Which claim of the job this is (1 on the first run; a re-run after a crash is 2).
    public var attempt: Int
    public var model: String
    /// Validated; both images are `.data`.
    public var arguments: GenerationArguments
    /// The client's `args` as sent (images as the client wrote them).
    public var args: [String: JSONValue]

    public init(jobID: String, attempt: Int, model: String, arguments: GenerationArguments, args: [String: JSONValue]) {
        self.jobID = jobID
        self.attempt = attempt
        self.model = model
        self.arguments = arguments
        self.args = args
    }

    /// `args` with `image` and `image_tail` as data URIs of the bytes in hand: what an upstream
    /// is sent. Made when asked, since only an upstream needs the base64.
    public var json: [String: JSONValue] {
        var json = args
        for (field, reference) in [("image", arguments.image), ("image_tail", arguments.imageTail)] {
            if case .data(let format, let bytes) = reference {
                json[field] = .string("data:\(format.mediaType);base64,\(Data(bytes).base64EncodedString())")
            }
        }
        return json
    }
}

/// What an engine made.
public struct RenderedVideo: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public var fps: Int
    public var frames: Int
    public var duration: Int
    public var bytes: Int
    /// Set when an upstream made it.
    public var upstream: UpstreamReceipt?

    public init(width: Int, height: Int, fps: Int, frames: Int, duration: Int, bytes: Int, upstream: UpstreamReceipt? = nil) {
        self.width = width
        self.height = height
        self.fps = fps
        self.frames = frames
        self.duration = duration
        self.bytes = bytes
        self.upstream = upstream
    }
}
