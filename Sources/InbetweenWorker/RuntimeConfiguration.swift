public import Foundation
public import InbetweenEngine
public import InbetweenJobs

/// Everything the worker runtime can be told (`inbetween serve` runs one beside the HTTP edge,
/// `inbetween worker` runs one alone), with the defaults a single machine wants. Only the
/// executable reads flags and environment; tests build these directly.
public struct RuntimeConfiguration: Sendable {
    /// Where the result files live (`<data-dir>/results/`), shared by every node.
    public var dataDirectory: URL
    /// Let image and callback URLs reach loopback and private networks (local setups, tests).
    /// Cloud metadata addresses stay refused.
    public var allowPrivateNetworks = false
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
    /// The claim loop: jobs at once (0: no workers, only the reaper and the callback sender), lease, heartbeat.
    public var worker = WorkerConfiguration()
    /// How callbacks are sent.
    public var webhooks = WebhookConfiguration()
    /// How often running jobs with expired leases are looked for.
    public var reapInterval: Duration = .seconds(5)

    /// A configuration with the defaults, keeping results under `dataDirectory`.
    public init(dataDirectory: URL) {
        self.dataDirectory = dataDirectory
    }

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
