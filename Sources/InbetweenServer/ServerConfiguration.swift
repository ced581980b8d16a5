public import Foundation
public import InbetweenAPI
public import InbetweenJobs

/// Everything the HTTP edge of `inbetween serve` can be told, with the defaults a single
/// machine wants. Only the executable reads flags and environment; tests build these directly.
/// How jobs are rendered is the worker runtime's configuration, not this one.
public struct ServerConfiguration: Sendable {
    /// Address to listen on.
    public var host = "127.0.0.1"
    /// Port to listen on; 0 picks a free one.
    public var port = 8080
    /// Where the SQLite database and the URL-signing key live (and, for the worker runtime, the result files).
    public var dataDirectory: URL
    /// The base of result URLs as clients reach the server (`https://videos.example.com`).
    /// Default: `http://<host>:<bound port>`.
    public var publicURL: String?
    /// How long a signed result URL works.
    public var resultURLLifetime: Duration = .seconds(24 * 3600)
    /// Largest request body (two 20 MiB images as base64 data URIs fit).
    public var maxBodyBytes = 64 * 1024 * 1024
    /// Creates per key per window before 429, unless the key has its own (`inbetween keys`).
    public var createRateLimit = RateLimitPolicy(limit: 600, window: .seconds(60))
    /// Every other request (queries, cancels, listings) per key per window before 429, a
    /// budget apart from the creates': a client can poll dozens of jobs every second.
    public var readRateLimit = RateLimitPolicy(limit: 6000, window: .seconds(60))
    /// Longest any API request takes before it is answered 503: nothing holds a client
    /// indefinitely (a `Prefer: wait` create may take its wait on top).
    public var requestTimeout: Duration = .seconds(30)
    /// Claims a job gets before it is failed (a crash mid-render uses one).
    public var maxAttempts = 3
    /// Longest `Prefer: wait=N` honoured.
    public var maxWait: Duration = .seconds(60)
    /// Longest a request waits on the database before answering 503.
    public var databaseTimeout: Duration = .seconds(5)
    /// Checked at create for a job with creative controls (model, validated arguments): throws
    /// the `APIError` to answer (a 422 naming a control no engine on the job's route takes).
    /// nil: every control is taken (the local engine makes every job).
    public var admission: (@Sendable (String, GenerationArguments) async throws -> Void)?
    /// How often a live stream (`/api/v1/job/stream`) with nothing to say sends a heartbeat comment.
    public var streamHeartbeat: Duration = .seconds(15)

    /// A configuration with the defaults, keeping its data in `dataDirectory`.
    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// The SQLite database in the data directory.
    public var databasePath: String { dataDirectory.appendingPathComponent("inbetween.sqlite").path }

    /// The base of result URLs until the server knows the port it bound.
    public var defaultBaseURL: String { "http://\(host):\(port)" }

    /// The presenter of this server's jobs: the data directory's URL-signing key, the public URL.
    public func makePresenter() throws -> JobPresenter {
        try JobPresenter(dataDirectory: dataDirectory, publicURL: publicURL, defaultBase: defaultBaseURL, lifetime: resultURLLifetime)
    }
}
