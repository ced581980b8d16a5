import ArgumentParser
import Foundation
import Hummingbird
import InbetweenEngine
import InbetweenJobs
import InbetweenServer
import Logging
import Metrics
import Prometheus

/// `inbetween serve`: the HTTP API, workers and the callback sender in one process.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the job API (SQLite queue, local results, in-process workers).",
        discussion: "Create a key first with `inbetween keys create --name NAME`. SIGTERM or SIGINT stops accepting, releases running jobs and exits."
    )

    @OptionGroup var store: StoreOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port = 8080
    @Option(help: "Jobs rendered at once (0: an API node without workers).") var workers = 1
    @Option(name: .customLong("public-url"), help: "Base URL clients reach this server at, for result URLs (default http://HOST:PORT).")
    var publicURL: String?
    @Flag(
        name: .customLong("allow-private-networks"), help: "Let image and callback URLs reach loopback and private addresses (local setups, tests).")
    var allowPrivateNetworks = false
    @Option(name: .customLong("url-ttl"), help: "Seconds a signed result URL works.") var urlTTL = 86_400
    @Option(name: .customLong("rate-limit"), help: "Requests per minute per key.") var rateLimit = 120
    @Option(name: .customLong("max-attempts"), help: "Claims a job gets (crashes count) before it fails.") var maxAttempts = 3
    @Option(name: .customLong("lease"), help: "Seconds a worker's claim lasts without a heartbeat.") var lease = 30
    @Option(
        name: .customLong("webhook-retries"), help: "Seconds between callback attempts, comma-separated (default 5,30,120,600,1800,3600,10800,21600)."
    )
    var webhookRetries: String?
    @Option(name: .customLong("webhook-timeout"), help: "Seconds a callback receiver has to answer.") var webhookTimeout = 10
    @Option(help: "motion (default), homography or dissolve.") var engine: EngineKind = .motion
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    func run() async throws {
        var configuration = ServerConfiguration(dataDirectory: store.dataDirectoryURL)
        configuration.host = host
        configuration.port = port
        configuration.publicURL = publicURL
        configuration.allowPrivateNetworks = allowPrivateNetworks
        configuration.resultURLLifetime = .seconds(urlTTL)
        configuration.rateLimit = RateLimitPolicy(limit: rateLimit, window: .seconds(60))
        configuration.maxAttempts = maxAttempts
        configuration.engine = engine
        configuration.worker.concurrency = workers
        configuration.worker.lease = .seconds(lease)
        configuration.worker.heartbeat = .seconds(max(1, Double(lease) / 6))
        configuration.reapInterval = .seconds(max(1, Double(lease) / 3))
        configuration.webhooks.timeout = .seconds(webhookTimeout)
        if let webhookRetries {
            guard let schedule = RetrySchedule(parsing: webhookRetries) else {
                throw ValidationError("--webhook-retries must be seconds separated by commas, like 5,30,120; got \"\(webhookRetries)\".")
            }
            configuration.webhooks.schedule = schedule
        }
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: unknown level \"\(logLevel)\".") }

        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        var logger = Logger(label: "inbetween")
        logger.logLevel = level
        let app = try buildApplication(configuration: configuration, store: try store.openStore(), registry: registry, logger: logger)
        try await app.runService()
    }
}
