public import Foundation
public import InbetweenEngine
public import InbetweenJobs

/// Everything `inbetween serve` can be told, with the defaults a single machine wants.
/// Only the executable reads flags and environment; tests build these directly.
public struct ServerConfiguration: Sendable {
    /// Address to listen on.
    public var host = "127.0.0.1"
    /// Port to listen on; 0 picks a free one.
    public var port = 8080
    /// Where the database, the result files and the URL-signing key live.
    public var dataDirectory: URL
    /// The base of result URLs as clients reach the server (`https://videos.example.com`).
    /// Default: `http://<host>:<bound port>`.
    public var publicURL: String?
    /// Let image and callback URLs reach loopback and private networks (local setups, tests).
    /// Cloud metadata addresses stay refused.
    public var allowPrivateNetworks = false
    /// How long a signed result URL works.
    public var resultURLLifetime: Duration = .seconds(24 * 3600)
    /// Largest request body (two 20 MiB images as base64 data URIs fit).
    public var maxBodyBytes = 64 * 1024 * 1024
    /// Requests per key per window before 429.
    public var rateLimit = RateLimitPolicy(limit: 120, window: .seconds(60))
    /// Claims a job gets before it is failed (a crash mid-render uses one).
    public var maxAttempts = 3
    /// Longest `Prefer: wait=N` honoured.
    public var maxWait: Duration = .seconds(60)
    /// Longest a request waits on the database before answering 503.
    public var databaseTimeout: Duration = .seconds(5)
    /// Time limit and size limit for fetching an image URL.
    public var fetchTimeout: Duration = .seconds(30)
    /// Which renderer the local engine uses.
    public var engine: EngineKind = .motion
    /// Which engines make each job's video (default: all local).
    public var routes: EngineRoutes = .local
    /// The upstream services routes may name.
    public var upstreams: [UpstreamConfiguration] = []
    /// Answer a request identical to an earlier one (same images, arguments, seed and engine)
    /// with the stored video instead of making it again.
    public var cache = true
    public var worker = WorkerConfiguration()
    public var webhooks = WebhookConfiguration()
    /// How often running jobs with expired leases are looked for.
    public var reapInterval: Duration = .seconds(5)

    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

    /// The SQLite database in the data directory.
    public var databasePath: String { dataDirectory.appendingPathComponent("inbetween.sqlite").path }
    /// Where result files go: `<data-dir>/results/<job id>/`.
    public var resultsDirectory: URL { dataDirectory.appendingPathComponent("results", isDirectory: true) }

    /// Throws when a route names an upstream that is not configured, or two upstreams share a name.
    public func checkRoutes() throws {
        let names = upstreams.map(\.name)
        if let twice = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw RouteError("two upstreams are named \(twice)")
        }
        if let missing = routes.upstreamNames.sorted().first(where: { !names.contains($0) }) {
            throw RouteError("a route names upstream:\(missing), but no upstream of that name is configured")
        }
    }
}
