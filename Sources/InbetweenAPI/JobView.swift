/// The `data` of `GET /api/v1/job/query`, of each item of `GET /api/v1/jobs`, and of a callback.
public struct JobView: Sendable, Hashable, Codable {
    public var jobID: String
    public var model: String
    public var status: JobStatus
    public var amount: String
    /// RFC 3339 timestamps in UTC.
    public var createdAt: String
    public var startedAt: String?
    public var finishedAt: String?
    /// 0–100 while running, 100 once succeeded.
    public var progress: Int?
    /// Jobs ahead of this one while it is queued (0: it is next).
    public var queuePosition: Int?
    /// Claims so far (a crash mid-render makes another).
    public var attempts: Int
    public var error: JobError?
    public var result: JobResult?
    /// Where the callback stands, when the job has a `callback_url`.
    public var webhook: WebhookStatus?
    /// The create's `payload`, as sent.
    public var payload: String?
    /// True once the job's results and input copies were removed (`DELETE /api/v1/job`, or
    /// the key's retention): there is no `result` any more.
    public var dataRemoved: Bool?
    /// True for an off-peak job (half price, runs when no normal job is queued).
    public var offPeak: Bool?

    public init(
        jobID: String, model: String, status: JobStatus, amount: String, createdAt: String, startedAt: String? = nil,
        finishedAt: String? = nil, progress: Int? = nil, queuePosition: Int? = nil, attempts: Int = 0, error: JobError? = nil,
        result: JobResult? = nil, webhook: WebhookStatus? = nil, payload: String? = nil, dataRemoved: Bool? = nil
    ) {
        self.jobID = jobID
        self.model = model
        self.status = status
        self.amount = amount
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.progress = progress
        self.queuePosition = queuePosition
        self.attempts = attempts
        self.error = error
        self.result = result
        self.webhook = webhook
        self.payload = payload
        self.dataRemoved = dataRemoved
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case model, status, amount
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case progress
        case queuePosition = "queue_position"
        case attempts, error, result, webhook, payload
        case dataRemoved = "data_removed"
        case offPeak = "off_peak"
    }
}

/// Why a job failed: a code from `APIError.Code` and a sentence a user can act on.
public struct JobError: Sendable, Hashable, Codable {
    public var code: Int
    public var message: String

    public init(code: Int, message: String) {
        self.code = code
        self.message = message
    }
}

/// What a succeeded job made: the seed page's `images[0].url` and the fuller `videos[0]`.
public struct JobResult: Sendable, Hashable, Codable {
    public struct Image: Sendable, Hashable, Codable {
        public var url: String
        public init(url: String) { self.url = url }
    }

    public struct Video: Sendable, Hashable, Codable {
        public var url: String
        public var coverURL: String
        public var width: Int
        public var height: Int
        public var fps: Int
        public var frames: Int
        /// Seconds.
        public var duration: Int
        public var bytes: Int
        public var contentType: String

        public init(url: String, coverURL: String, width: Int, height: Int, fps: Int, frames: Int, duration: Int, bytes: Int) {
            self.url = url
            self.coverURL = coverURL
            self.width = width
            self.height = height
            self.fps = fps
            self.frames = frames
            self.duration = duration
            self.bytes = bytes
            self.contentType = "video/mp4"
        }

        enum CodingKeys: String, CodingKey {
            case url
            case coverURL = "cover_url"
            case width, height, fps, frames, duration, bytes
            case contentType = "content_type"
        }
    }

    /// The engine that was tried first and failed, so a later one in the route made the video.
    public struct Fallback: Sendable, Hashable, Codable {
        public var from: String
        public var reason: String

        public init(from: String, reason: String) {
            self.from = from
            self.reason = reason
        }
    }

    /// The upstream job that made the video, and what the upstream charged for it.
    public struct Upstream: Sendable, Hashable, Codable {
        public var name: String
        public var jobID: String
        public var amount: String?

        public init(name: String, jobID: String, amount: String?) {
            self.name = name
            self.jobID = jobID
            self.amount = amount
        }

        enum CodingKeys: String, CodingKey {
            case name
            case jobID = "job_id"
            case amount
        }
    }

    public var images: [Image]
    public var videos: [Video]
    /// Until when the signed URLs work (RFC 3339); query the job again for fresh ones.
    public var urlsExpireAt: String
    /// Which engine made the video: `local:motion`, `upstream:<name>`.
    public var engine: String?
    /// True when the video was answered from the result cache (an identical earlier job).
    public var cached: Bool?
    public var fallback: Fallback?
    public var upstream: Upstream?

    public init(
        images: [Image], videos: [Video], urlsExpireAt: String, engine: String? = nil, cached: Bool? = nil, fallback: Fallback? = nil,
        upstream: Upstream? = nil
    ) {
        self.images = images
        self.videos = videos
        self.urlsExpireAt = urlsExpireAt
        self.engine = engine
        self.cached = cached
        self.fallback = fallback
        self.upstream = upstream
    }

    enum CodingKeys: String, CodingKey {
        case images, videos
        case urlsExpireAt = "urls_expire_at"
        case engine, cached, fallback, upstream
    }
}

/// Delivery state of a job's callback.
public struct WebhookStatus: Sendable, Hashable, Codable {
    /// `pending` (not sent yet), `retrying`, `delivered` or `failed` (gave up).
    public var state: String
    /// The `webhook-id` every attempt carries.
    public var id: String
    public var attempts: Int
    /// The receiver's last HTTP status, when it answered.
    public var lastStatus: Int?
    public var lastError: String?
    public var nextAttemptAt: String?

    public init(state: String, id: String, attempts: Int, lastStatus: Int?, lastError: String?, nextAttemptAt: String?) {
        self.state = state
        self.id = id
        self.attempts = attempts
        self.lastStatus = lastStatus
        self.lastError = lastError
        self.nextAttemptAt = nextAttemptAt
    }

    enum CodingKeys: String, CodingKey {
        case state, id, attempts
        case lastStatus = "last_status"
        case lastError = "last_error"
        case nextAttemptAt = "next_attempt_at"
    }
}
