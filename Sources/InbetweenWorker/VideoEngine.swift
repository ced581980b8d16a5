public import Foundation
public import InbetweenAPI
public import InbetweenJobs
public import InbetweenMedia

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

    /// Writes the job's MP4 to `output` (whole or not at all) and says what it is: the job's
    /// output with the video's facts, `engine` (its `name`) and, from an upstream, `upstream`;
    /// the runner puts the files in place and fills in where they are, `cached` and `fallback`.
    /// Reports progress as 0 ... 1. Throws `JobFailure` or `APIError` for failures a user can
    /// act on; stops promptly (throwing) when the task is cancelled.
    func render(_ request: EngineRequest, output: URL, progress: @escaping @Sendable (Double) -> Void) async throws -> JobOutput
}

/// One job as an engine sees it: its arguments with both images already in hand, read,
/// checked and staged once by the runner.
public struct EngineRequest: Sendable {
    /// The job's id.
    public var jobID: String
    /// Which claim of the job this is (1 on the first run; a re-run after a crash is 2).
    public var attempt: Int
    /// The model the client asked for.
    public var model: String
    /// Validated; both images are `.data`, with their sniffed formats.
    public var arguments: GenerationArguments
    /// The client's `args` as sent (images as the client wrote them).
    public var args: [String: JSONValue]
    /// `image`, staged: a checked file in the job's work directory.
    public var start: StagedImage
    /// `image_tail`, staged.
    public var end: StagedImage

    /// A request for job `jobID`'s claim `attempt`.
    public init(
        jobID: String, attempt: Int, model: String, arguments: GenerationArguments, args: [String: JSONValue], start: StagedImage, end: StagedImage
    ) {
        self.jobID = jobID
        self.attempt = attempt
        self.model = model
        self.arguments = arguments
        self.args = args
        self.start = start
        self.end = end
    }

    /// `args` with `image` and `image_tail` as data URIs of the bytes in hand: what an upstream
    /// is sent. Made when asked, since only an upstream needs the base64.
    public var json: [String: JSONValue] {
        var json = args
        func dataURI(_ reference: ImageReference) -> JSONValue? {
            guard case .data(let format, let bytes) = reference else { return nil }
            return .string("data:\(format.mediaType);base64,\(Data(bytes).base64EncodedString())")
        }
        for (field, reference) in [("image", arguments.image), ("image_tail", arguments.imageTail)] {
            if let uri = dataURI(reference) { json[field] = uri }
        }
        if let mask = arguments.staticMask, let uri = dataURI(mask) { json["static_mask"] = uri }
        if let brushes = arguments.dynamicMasks, case .array(var entries)? = json["dynamic_masks"], entries.count == brushes.count {
            for (index, brush) in brushes.enumerated() {
                if case .object(var entry) = entries[index], let uri = dataURI(brush.mask) {
                    entry["mask"] = uri
                    entries[index] = .object(entry)
                }
            }
            json["dynamic_masks"] = .array(entries)
        }
        return json
    }
}
