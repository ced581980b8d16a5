import Foundation
import InbetweenAPI
import InbetweenJobs
import Synchronization

/// The base of the URLs we hand out: `--public-url`, or the address the server bound.
final class BaseURL: Sendable {
    private let value: Mutex<String>

    init(_ value: String) {
        self.value = Mutex(value)
    }

    var current: String { value.withLock { $0 } }

    func set(_ text: String) {
        value.withLock { $0 = text.hasSuffix("/") ? String(text.dropLast()) : text }
    }
}

/// A stored job as clients see it (query, list, callback, `Prefer: wait`), with freshly
/// signed result URLs.
struct JobPresenter: Sendable {
    let signer: URLSigner
    let lifetime: Duration
    let base: BaseURL

    static func timestamp(_ date: Date) -> String {
        date.ISO8601Format(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    func view(_ job: JobRecord, queuePosition: Int?, now: Date = Date()) -> JobView {
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
            if let output = job.output {
                let expires = Int(now.adding(lifetime).timeIntervalSince1970)
                let base = base.current
                let video = signer.url(base: base, job: job.id, file: "video.mp4", expires: expires)
                let cover = signer.url(base: base, job: job.id, file: "cover.jpg", expires: expires)
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
        }
        if let webhook = job.webhook {
            view.webhook = WebhookStatus(
                state: webhook.state.rawValue, id: webhook.id, attempts: webhook.attempts, lastStatus: webhook.lastStatus,
                lastError: webhook.lastError, nextAttemptAt: webhook.state == .retrying ? webhook.nextAttemptAt.map(Self.timestamp) : nil)
        }
        return view
    }
}
