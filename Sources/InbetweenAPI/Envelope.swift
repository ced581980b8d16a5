/// Every response body: `{"code": 0, "message": "ok", "data": {...}}`, or a non-zero code, a
/// sentence and `"data": null`.
public struct Envelope<Payload: Codable & Sendable>: Codable, Sendable {
    public var code: Int
    public var message: String
    public var data: Payload?
    /// The seed page's JavaScript and Python read `job_id` at the top level of the create
    /// response, so creates echo it there too.
    public var jobID: String?

    public init(code: Int = 0, message: String = "ok", data: Payload?, jobID: String? = nil) {
        self.code = code
        self.message = message
        self.data = data
        self.jobID = jobID
    }

    enum CodingKeys: String, CodingKey {
        case code, message, data
        case jobID = "job_id"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(code, forKey: .code)
        try container.encode(message, forKey: .message)
        // `data` is always present: null on failure.
        try container.encode(data, forKey: .data)
        try container.encodeIfPresent(jobID, forKey: .jobID)
    }
}

/// The `data` of a successful create.
public struct CreatedJob: Sendable, Hashable, Codable {
    public var jobID: String
    public var amount: String
    /// Present when the create waited (`Prefer: wait=N`): the job as a query would show it.
    public var job: JobView?

    public init(jobID: String, amount: String, job: JobView? = nil) {
        self.jobID = jobID
        self.amount = amount
        self.job = job
    }

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id"
        case amount, job
    }
}

/// The `data` of `GET /api/v1/jobs`: newest first, with a cursor for the next page.
public struct JobPage: Sendable, Hashable, Codable {
    public var jobs: [JobView]
    /// Pass as `after` for the next (older) page; absent on the last page.
    public var nextCursor: String?

    public init(jobs: [JobView], nextCursor: String?) {
        self.jobs = jobs
        self.nextCursor = nextCursor
    }

    enum CodingKeys: String, CodingKey {
        case jobs
        case nextCursor = "next_cursor"
    }
}

/// An empty payload, for `"data": null`.
public struct NoPayload: Codable, Sendable, Hashable {
    public init() {}
}
