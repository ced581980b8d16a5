public import Foundation
public import InbetweenAPI
import Synchronization

/// The base of the URLs we hand out: `--public-url`, or the address the server bound.
public final class BaseURL: Sendable {
    private let value: Mutex<String>

    /// A base of `value` until `set` changes it.
    public init(_ value: String) {
        self.value = Mutex(value)
    }

    /// The base now, without a trailing slash.
    public var current: String { value.withLock { $0 } }

    /// Replaces the base (a trailing slash is dropped).
    public func set(_ text: String) {
        value.withLock { $0 = text.hasSuffix("/") ? String(text.dropLast()) : text }
    }
}

/// A stored job as clients see it (query, list, callback, `Prefer: wait`), with freshly
/// signed result URLs. The HTTP edge and the callback sender share one, so both hand out the
/// same URLs.
public struct JobPresenter: Sendable {
    /// Signs the result URLs.
    public let signer: URLSigner
    /// How long a handed-out URL works.
    public let lifetime: Duration
    /// The base the URLs start with.
    public let base: BaseURL
    /// Where result URLs point instead of the API's `/files/` routes (an object store's
    /// presigned URLs); nil: the API serves them.
    public var directLinks: (any DirectResultLinks)?

    /// A presenter signing with `signer`, for URLs under `base` that work for `lifetime`.
    public init(signer: URLSigner, lifetime: Duration, base: BaseURL) {
        self.signer = signer
        self.lifetime = lifetime
        self.base = base
    }

    /// A presenter with the URL-signing key of `dataDirectory` (`url-signing.key`, made the first
    /// time), for URLs under `publicURL` or, until the server knows its address, `defaultBase`.
    public init(dataDirectory: URL, publicURL: String?, defaultBase: String, lifetime: Duration) throws {
        let signer = try URLSigner(keyFile: dataDirectory.appendingPathComponent("url-signing.key"))
        self.init(signer: signer, publicURL: publicURL, defaultBase: defaultBase, lifetime: lifetime)
    }

    /// A presenter signing with `signer`, for URLs under `publicURL` or, until the server knows
    /// its address, `defaultBase`.
    public init(signer: URLSigner, publicURL: String?, defaultBase: String, lifetime: Duration) {
        let base = BaseURL(publicURL ?? defaultBase)
        if let publicURL { base.set(publicURL) }
        self.init(signer: signer, lifetime: lifetime, base: base)
    }

    /// The JSON encoder of every envelope: the API's answers and the callbacks' bodies.
    public static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return encoder
    }()

    /// A callback's body: the query's envelope for `job`.
    public func callbackBody(_ job: JobRecord, queuePosition: Int?) throws -> [UInt8] {
        Array(try Self.encoder.encode(Envelope(data: view(job, queuePosition: queuePosition))))
    }

    /// ISO 8601 with fractional seconds, as every time in the API is written.
    public static func timestamp(_ date: Date) -> String {
        date.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// A result file's URL: the store's own link, or the API's signed `/files/` URL.
    func url(job: String, file: String, expires: Int, base: String, now: Date) -> String {
        directLinks?.link(job: job, name: file, expires: expires, now: now) ?? signer.url(base: base, job: job, file: file, expires: expires)
    }

    /// The job as clients see it, with URLs signed now.
    public func view(_ job: JobRecord, queuePosition: Int?, now: Date = Date()) -> JobView {
        var view = JobView(
            jobID: job.id, model: job.model, status: job.status, amount: Pricing.format(thousandths: job.amount),
            createdAt: Self.timestamp(job.createdAt), startedAt: job.startedAt.map(Self.timestamp), finishedAt: job.finishedAt.map(Self.timestamp),
            attempts: job.lifecycle.attempts)
        switch job.status {
        case .queued:
            view.progress = 0
            view.queuePosition = queuePosition
        case .running:
            view.progress = job.progress
        case .succeeded:
            view.progress = 100
            if let output = job.output, job.dataRemovedAt == nil {
                let expires = Int(now.adding(lifetime).timeIntervalSince1970)
                let base = base.current
                let video = url(job: job.id, file: "video.mp4", expires: expires, base: base, now: now)
                let cover = url(job: job.id, file: "cover.jpg", expires: expires, base: base, now: now)
                view.result = JobResult(
                    images: [.init(url: video)],
                    videos: [
                        .init(
                            url: video, coverURL: cover, width: output.width, height: output.height, fps: output.fps, frames: output.frames,
                            duration: output.duration, bytes: output.bytes)
                    ],
                    urlsExpireAt: Self.timestamp(Date(timeIntervalSince1970: Double(expires))), engine: output.engine,
                    cached: output.cached ?? false, fallback: output.fallback,
                    upstream: output.upstream)
            }
        case .failed:
            view.progress = job.progress
            view.error = job.failure.map { JobError(code: $0.code, message: $0.message) }
        case .canceled:
            view.progress = job.progress
            // Set when a deadline (`Cancel-After`) canceled it; a client's cancel has none.
            view.error = job.failure.map { JobError(code: $0.code, message: $0.message) }
        }
        view.payload = job.payload
        if job.offPeak { view.offPeak = true }
        if job.dataRemovedAt != nil { view.dataRemoved = true }
        if let webhook = job.webhook {
            view.webhook = WebhookStatus(
                state: webhook.state.rawValue, id: webhook.id, attempts: webhook.attempts, lastStatus: webhook.lastStatus,
                lastError: webhook.lastError, nextAttemptAt: webhook.state == .retrying ? webhook.nextAttemptAt.map(Self.timestamp) : nil)
        }
        return view
    }
}
