public import Foundation
public import InbetweenAPI

/// A job as the store keeps it.
public struct JobRecord: Sendable, Hashable {
    public var id: String
    /// The API key that created it; only that key sees it.
    public var keyID: String
    public var model: String
    /// `args` as sent (validated), JSON. Loaded only for the worker that claims the job
    /// (data URIs make it large); nil elsewhere.
    public var arguments: String?
    /// Price in thousandths of a dollar.
    public var amount: Int
    public var callbackURL: String?
    public var lifecycle: JobLifecycle
    /// 0–100.
    public var progress: Int
    public var createdAt: Date
    public var startedAt: Date?
    public var finishedAt: Date?
    public var failure: JobFailure?
    public var output: JobOutput?
    public var leaseExpiresAt: Date?
    public var webhook: WebhookState?
    /// The client's `payload`, echoed in every view of the job.
    public var payload: String?
    /// When the job is canceled if it has not finished (`Cancel-After`); nil: never.
    public var deadline: Date?
    /// When its results and input copies were removed (a `DELETE`, or the key's retention).
    public var dataRemovedAt: Date?
    /// Off-peak: claimed only when no normal job is queued; its deadline is at most 48 h.
    public var offPeak: Bool = false
    /// Which events are POSTed to `callbackURL` (`callback_events`).
    public var callbackEvents: Set<CallbackEvent> = [.completed]

    public var status: JobStatus { lifecycle.status }

    public init(
        id: String, keyID: String, model: String, arguments: String?, amount: Int, callbackURL: String?, lifecycle: JobLifecycle,
        progress: Int = 0, createdAt: Date, startedAt: Date? = nil, finishedAt: Date? = nil, failure: JobFailure? = nil,
        output: JobOutput? = nil, leaseExpiresAt: Date? = nil, webhook: WebhookState? = nil, payload: String? = nil, deadline: Date? = nil,
        dataRemovedAt: Date? = nil
    ) {
        self.id = id
        self.keyID = keyID
        self.model = model
        self.arguments = arguments
        self.amount = amount
        self.callbackURL = callbackURL
        self.lifecycle = lifecycle
        self.progress = progress
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.failure = failure
        self.output = output
        self.leaseExpiresAt = leaseExpiresAt
        self.webhook = webhook
        self.payload = payload
        self.deadline = deadline
        self.dataRemovedAt = dataRemovedAt
    }
}

/// Why a job failed.
public struct JobFailure: Sendable, Hashable, Error {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }

    public init(_ error: APIError) {
        self.init(code: error.code.rawValue, message: error.message)
    }

    /// A thrown error as a job's `error`: the user's own problems keep their code and words;
    /// anything else is an internal error.
    public static func describing(_ error: any Error) -> JobFailure {
        switch error {
        case let failure as JobFailure: failure
        case let apiError as APIError: JobFailure(apiError)
        default: JobFailure(code: APIError.Code.internalError.rawValue, message: "rendering failed: \(error)")
        }
    }
}

/// What a succeeded job made: files under the result store, and their facts.
public struct JobOutput: Sendable, Hashable, Codable {
    /// Path of the video relative to the result store's root.
    public var video: String
    /// Path of the poster (middle frame, JPEG) relative to the result store's root.
    public var cover: String
    public var width: Int
    public var height: Int
    public var fps: Int
    public var frames: Int
    public var duration: Int
    public var bytes: Int
    /// Which engine made it: `local:motion`, `upstream:gpu`.
    public var engine: String
    /// True when the video came from the result cache (made for an earlier, identical job).
    public var cached: Bool?
    /// The upstream's job and charge, when an upstream made it (nil on a cache hit: nothing was charged).
    public var upstream: UpstreamReceipt?
    /// Set when the route's first engine failed and a later one made the video.
    public var fallback: EngineFallback?

    public init(
        video: String, cover: String, width: Int, height: Int, fps: Int, frames: Int, duration: Int, bytes: Int, engine: String,
        cached: Bool? = nil, upstream: UpstreamReceipt? = nil, fallback: EngineFallback? = nil
    ) {
        self.video = video
        self.cover = cover
        self.width = width
        self.height = height
        self.fps = fps
        self.frames = frames
        self.duration = duration
        self.bytes = bytes
        self.engine = engine
        self.cached = cached
        self.upstream = upstream
        self.fallback = fallback
    }
}

/// A job's callback delivery.
public struct WebhookState: Sendable, Hashable {
    public enum State: String, Sendable {
        case pending, retrying, delivered, failed
    }

    public var state: State
    /// The `webhook-id`, the same on every attempt.
    public var id: String
    public var attempts: Int
    public var lastStatus: Int?
    public var lastError: String?
    public var nextAttemptAt: Date?

    public init(state: State, id: String, attempts: Int = 0, lastStatus: Int? = nil, lastError: String? = nil, nextAttemptAt: Date? = nil) {
        self.state = state
        self.id = id
        self.attempts = attempts
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
    }
}

/// What a create asks the store to record.
public struct NewJob: Sendable, Hashable {
    public var id: String
    public var keyID: String
    public var model: String
    public var arguments: String
    public var amount: Int
    public var callbackURL: String?
    public var maxAttempts: Int
    public var createdAt: Date
    /// The client's `Idempotency-Key`, and a hash of the body it came with.
    public var idempotencyKey: String?
    public var idempotencyBodyHash: String?
    /// The client's `payload` (at most 1 MiB).
    public var payload: String?
    /// When the job is canceled unless it has finished (`Cancel-After`); nil: never.
    public var deadline: Date?
    /// Off-peak: claimed only when no normal job is queued (set `deadline` to at most 48 h too).
    public var offPeak: Bool = false
    /// Which events are POSTed to `callbackURL` (`callback_events`).
    public var callbackEvents: Set<CallbackEvent> = [.completed]

    public init(
        id: String, keyID: String, model: String, arguments: String, amount: Int, callbackURL: String?, maxAttempts: Int,
        createdAt: Date, idempotencyKey: String? = nil, idempotencyBodyHash: String? = nil, payload: String? = nil, deadline: Date? = nil
    ) {
        self.id = id
        self.keyID = keyID
        self.model = model
        self.arguments = arguments
        self.amount = amount
        self.callbackURL = callbackURL
        self.maxAttempts = maxAttempts
        self.createdAt = createdAt
        self.idempotencyKey = idempotencyKey
        self.idempotencyBodyHash = idempotencyBodyHash
        self.payload = payload
        self.deadline = deadline
    }
}

/// An API key as stored: the key itself never is, only its SHA-256.
public struct APIKeyRecord: Sendable, Hashable {
    public var id: String
    public var name: String
    /// The first characters of the key, to tell keys apart in listings.
    public var prefix: String
    /// Hex SHA-256 of the whole key.
    public var hash: String
    /// The Standard Webhooks secret (`whsec_...`) callbacks are signed with.
    public var webhookSecret: String
    /// Spending budget in thousandths of a dollar; nil is unlimited.
    public var budget: Int?
    public var createdAt: Date
    public var revokedAt: Date?
    /// This key's own request budgets; nil fields take the server's defaults.
    public var rateLimits: KeyRateLimits
    /// Seconds after a job ends that its results and input copies are removed; nil: kept.
    public var retentionSeconds: Int?

    public init(
        id: String, name: String, prefix: String, hash: String, webhookSecret: String, budget: Int?, createdAt: Date, revokedAt: Date? = nil,
        rateLimits: KeyRateLimits = KeyRateLimits(), retentionSeconds: Int? = nil
    ) {
        self.id = id
        self.name = name
        self.prefix = prefix
        self.hash = hash
        self.webhookSecret = webhookSecret
        self.budget = budget
        self.createdAt = createdAt
        self.revokedAt = revokedAt
        self.rateLimits = rateLimits
        self.retentionSeconds = retentionSeconds
    }
}

/// A key's request budgets per minute, apart for creates and for everything else (queries,
/// cancels, listings): polling never eats into the creates. nil: the server's default.
public struct KeyRateLimits: Sendable, Hashable {
    /// Creates per minute.
    public var creates: Int?
    /// Other requests per minute.
    public var reads: Int?

    public init(creates: Int? = nil, reads: Int? = nil) {
        self.creates = creates
        self.reads = reads
    }
}

extension JobRecord {
    /// Does to the record what `transition` (just applied to its lifecycle) implies, for a
    /// store to write back: a requeue clears the lease; an end records the time, clears the
    /// lease, writes the failure of an exhausted job and schedules the callback. Returns 1 when
    /// this transition completed the job (stores count completions to prove there is one).
    public mutating func settle(after transition: JobLifecycle.Transition, now: Date) -> Int {
        switch transition {
        case .rejected, .claimed:
            return 0
        case .requeued:
            leaseExpiresAt = nil
            progress = 0
            return 0
        case .finished, .exhausted:
            if case .exhausted = transition { failure = lifecycle.exhaustedFailure }
            finishedAt = now
            leaseExpiresAt = nil
            if callbackURL != nil, callbackEvents.contains(.completed) {
                webhook = WebhookState(state: .pending, id: "msg_" + id.replacingOccurrences(of: "job_", with: ""), nextAttemptAt: now)
            }
            return status == .succeeded ? 1 : 0
        }
    }
}

extension JobRecord {
    /// Applies `.deadlinePassed` when the job has a deadline at or before `now`, recording an
    /// error that names it; nil when there is no deadline yet. A store writes the result back
    /// (after `settle`) as for any transition.
    public mutating func expireDeadline(now: Date) -> JobLifecycle.Transition? {
        guard let deadline, deadline <= now else { return nil }
        let started = status == .running
        let transition = lifecycle.apply(.deadlinePassed)
        if case .finished = transition {
            failure =
                offPeak && deadline >= createdAt.adding(JobLifecycle.offPeakWindow).addingTimeInterval(-1)
                ? JobLifecycle.offPeakFailure
                : JobLifecycle.deadlineFailure(deadline: deadline, createdAt: createdAt, started: started)
        }
        return transition
    }
}

/// The upstream's side of a job it made for us: its name, its job id and what it charged.
/// Stored with the job's output and shown as `result.upstream`.
public typealias UpstreamReceipt = JobResult.Upstream

/// An engine that was tried first and failed, so the next one in the route made the video.
/// Stored with the job's output and shown as `result.fallback`.
public typealias EngineFallback = JobResult.Fallback
