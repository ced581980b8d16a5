import ArgumentParser
import Foundation
import Hummingbird
import InbetweenEngine
import InbetweenJobs
import InbetweenPostgres
import InbetweenServer
import InbetweenWorker
import Logging
import Metrics
import PostgresNIO
import Prometheus
import ServiceLifecycle
import UnixSignals

/// What `serve` and `worker` share: how jobs run and how results and callbacks go out.
struct RunOptions: ParsableArguments {
    @Option(name: .customLong("public-url"), help: "Base URL clients reach the API at, for result URLs (default http://HOST:PORT).")
    var publicURL: String?
    @Flag(
        name: .customLong("allow-private-networks"), help: "Let image and callback URLs reach loopback and private addresses (local setups, tests).")
    var allowPrivateNetworks = false
    @Option(name: .customLong("url-ttl"), help: "Seconds a signed result URL works.") var urlTTL = 86_400
    @Option(
        name: .customLong("max-attempts"),
        help: "Claims a job gets (crashes count) before it fails; recorded on each job when it is created, so the API node's value counts.")
    var maxAttempts = 3
    @Option(name: .customLong("lease"), help: "Seconds a worker's claim lasts without a heartbeat.") var lease = 30
    @Option(
        name: .customLong("webhook-retries"), help: "Seconds between callback attempts, comma-separated (default 5,30,120,600,1800,3600,10800,21600)."
    )
    var webhookRetries: String?
    @Option(name: .customLong("webhook-timeout"), help: "Seconds a callback receiver has to answer.") var webhookTimeout = 10
    @Option(help: "motion (default), homography or dissolve.") var engine: EngineKind = .motion
    @Option(
        name: .customLong("upstream"),
        help: ArgumentHelp(
            "An upstream job API a route may send jobs to, as NAME=BASE_URL (repeatable).",
            discussion: "Its key is read from the environment variable INBETWEEN_UPSTREAM_<NAME>_KEY (NAME upper-cased, - as _), never from a flag."))
    var upstreams: [String] = []
    @Option(name: .customLong("upstream-model"), help: "NAME=MODEL: the model to ask upstream NAME for (default: the job's own).")
    var upstreamModels: [String] = []
    @Option(
        name: .customLong("route"),
        help: ArgumentHelp(
            "Which engines make which jobs, as SELECTOR=TARGET[,TARGET...] (repeatable; the most specific selector wins).",
            discussion:
                "SELECTOR is *, a mode, a model or MODEL:MODE; TARGET is local or upstream:NAME; later targets are fall backs. Example: --route 'pro=upstream:gpu,local'. Default: everything local."
        ))
    var routes: [String] = []
    @Flag(name: .customLong("no-cache"), help: "Make every job anew instead of answering identical requests from the result cache.")
    var noCache = false
    @Flag(name: .customLong("no-notify"), help: "PostgreSQL: do not NOTIFY on create (workers find jobs by polling alone).") var noNotify = false
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.") var logLevel = "info"

    /// What the HTTP edge takes from these options.
    func apply(to configuration: inout ServerConfiguration) {
        configuration.publicURL = publicURL
        configuration.resultURLLifetime = .seconds(urlTTL)
        configuration.maxAttempts = maxAttempts
    }

    /// The worker runtime's configuration in `dataDirectory`, from these options.
    func runtime(dataDirectory: URL, concurrency: Int) throws -> RuntimeConfiguration {
        var configuration = RuntimeConfiguration(dataDirectory: dataDirectory)
        configuration.worker.concurrency = concurrency
        configuration.allowPrivateNetworks = allowPrivateNetworks
        configuration.engine = engine
        configuration.cache = !noCache
        configuration.upstreams = try Self.upstreams(upstreams, models: upstreamModels, environment: ProcessInfo.processInfo.environment)
        do {
            configuration.routes = EngineRoutes(rules: try routes.map { try EngineRoutes.parseRule($0) })
            try configuration.checkRoutes()
        } catch let error as RouteError {
            throw ValidationError("--route/--upstream: \(error.description).")
        }
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
        return configuration
    }

    /// `NAME=BASE_URL` flags, each with its key from `INBETWEEN_UPSTREAM_<NAME>_KEY`.
    static func upstreams(_ flags: [String], models: [String], environment: [String: String]) throws -> [UpstreamConfiguration] {
        func pair(_ text: String, _ flag: String) throws -> (String, String) {
            let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, UpstreamConfiguration.isValidName(parts[0]), !parts[1].isEmpty else {
                throw ValidationError("\(flag) must be NAME=VALUE with a NAME of letters, digits, - and _; got \"\(text)\".")
            }
            return (parts[0], parts[1])
        }
        let modelByName = Dictionary(try models.map { try pair($0, "--upstream-model") }, uniquingKeysWith: { $1 })
        return try flags.map { flag in
            let (name, base) = try pair(flag, "--upstream")
            guard let url = URL(string: base), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme), url.host != nil else {
                throw ValidationError("--upstream \(name): \"\(base)\" is not an http:// or https:// base URL.")
            }
            let variable = "INBETWEEN_UPSTREAM_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))_KEY"
            guard let key = environment[variable], !key.isEmpty else {
                throw ValidationError("--upstream \(name): set its API key in the environment variable \(variable).")
            }
            return UpstreamConfiguration(name: name, baseURL: base, apiKey: key, model: modelByName[name])
        }
    }

    func logger() throws -> Logger {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("--log-level: unknown level \"\(logLevel)\".") }
        var logger = Logger(label: "inbetween")
        logger.logLevel = level
        return logger
    }
}

/// `inbetween serve`: the HTTP API, and (unless `--workers 0`) workers and the callback sender.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the job API (with in-process workers unless --workers 0).",
        discussion:
            "Create a key first with `inbetween keys create --name NAME`. With --database postgres://..., any number of API nodes and `inbetween worker` processes share one queue. SIGTERM or SIGINT stops accepting, releases running jobs and exits."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var run: RunOptions
    @OptionGroup var results: ResultOptions
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0: any free port).") var port = 8080
    @Option(help: "Jobs rendered at once in this process (0: an API node without workers).") var workers = 1
    @Option(name: .customLong("creates-per-minute"), help: "Creates per minute per key, unless the key has its own (`inbetween keys`).")
    var createsPerMinute = 600
    @Option(
        name: .customLong("reads-per-minute"),
        help: "Other requests (queries, cancels, listings) per minute per key, a budget apart from the creates', unless the key has its own.")
    var readsPerMinute = 6000

    func run() async throws {
        Terminal.ignoreBrokenPipes()
        var configuration = ServerConfiguration(dataDirectory: store.dataDirectoryURL)
        configuration.host = host
        configuration.port = port
        guard createsPerMinute > 0, readsPerMinute > 0 else {
            throw ValidationError("--creates-per-minute and --reads-per-minute must be at least 1.")
        }
        configuration.createRateLimit = RateLimitPolicy(limit: createsPerMinute, window: .seconds(60))
        configuration.readRateLimit = RateLimitPolicy(limit: readsPerMinute, window: .seconds(60))
        run.apply(to: &configuration)
        let runtime = try run.runtime(dataDirectory: store.dataDirectoryURL, concurrency: workers)
        // Creative controls only where the job's route takes them.
        configuration.admission = runtime.controlAdmission
        let logger = try run.logger()
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        try store.prepareDirectory()
        let (resultStore, links) = try results.makeStore(directory: runtime.resultsDirectory, urlTTL: run.urlTTL, logger: logger)
        try await results.checkStore(resultStore, logger: logger)
        let signal = JobSignal()
        if let url = store.postgresURL {
            let (postgres, dependencies, signingKey) = try await Self.openPostgres(url: url, signal: signal, notify: !run.noNotify, logger: logger)
            // On PostgreSQL the URL-signing key lives in the database: nodes share no directory.
            var presenter = JobPresenter(
                signer: URLSigner(keyBytes: signingKey), publicURL: configuration.publicURL,
                defaultBase: configuration.defaultBaseURL, lifetime: configuration.resultURLLifetime)
            presenter.directLinks = links
            try await Self.serve(
                configuration, runtime, store: postgres, results: resultStore, presenter: presenter, registry: registry, signal: signal,
                dependencies: dependencies, logger: logger)
        } else {
            var presenter = try configuration.makePresenter()
            presenter.directLinks = links
            try await Self.serve(
                configuration, runtime, store: try store.openSQLite(), results: resultStore, presenter: presenter, registry: registry, signal: signal,
                logger: logger)
        }
    }

    /// The HTTP edge with the worker runtime beside it, sharing one presenter, until shut down.
    static func serve(
        _ configuration: ServerConfiguration, _ runtime: RuntimeConfiguration, store: some JobStore, results: some ResultStore,
        presenter: JobPresenter, registry: PrometheusCollectorRegistry, signal: JobSignal, dependencies: [any Service] = [], logger: Logger
    ) async throws {
        let services = try buildWorkerServices(
            configuration: runtime, store: store, results: results, presenter: presenter, registry: registry, signal: signal, logger: logger)
        let app = try buildApplication(
            configuration: configuration, store: store, results: results, presenter: presenter, registry: registry, signal: signal,
            dependencies: dependencies, services: services, logger: logger)
        try await app.runService()
    }

    /// Migrates and reads the URL-signing key (on a client of its own), then a long-lived client
    /// and its LISTEN loop, to run first in the service group.
    static func openPostgres(url: String, signal: JobSignal, notify: Bool, logger: Logger) async throws -> (
        PostgresJobStore, [any Service], [UInt8]
    ) {
        try StoreOptions.checkPostgresURL(url)
        let signingKey = try await PostgresJobStore.withStore(url: url, logger: logger) { try await $0.sharedSecret("url-signing") }
        let client = PostgresClient(configuration: try PostgresJobStore.configuration(url: url), backgroundLogger: logger)
        let store = PostgresJobStore(client: client, logger: logger, notifies: notify)
        return (
            store,
            [
                client,
                JobNotificationListener(
                    client: client, signal: signal, cancellations: store.cancellations, changes: store.changes, logger: logger),
            ],
            signingKey
        )
    }
}

/// `inbetween worker`: workers, the lease reaper and the callback sender, without HTTP.
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run workers against a shared PostgreSQL queue (no HTTP).",
        discussion:
            "Give it the API's --database, and either a --data-dir every node shares (results live there) or --results s3://BUCKET/PREFIX (then each node may have its own --data-dir). The URL-signing key lives in the database."
    )

    @OptionGroup var store: StoreOptions
    @OptionGroup var run: RunOptions
    @OptionGroup var results: ResultOptions
    @Option(help: "Jobs rendered at once in this process.") var concurrency = 1

    func run() async throws {
        Terminal.ignoreBrokenPipes()
        guard let url = store.postgresURL else {
            throw ValidationError("--database postgres://... is required: a worker shares its queue with API nodes. (SQLite: use `inbetween serve`.)")
        }
        let runtime = try run.runtime(dataDirectory: store.dataDirectoryURL, concurrency: max(1, concurrency))
        let logger = try run.logger()
        try store.prepareDirectory()
        let (resultStore, links) = try results.makeStore(directory: runtime.resultsDirectory, urlTTL: run.urlTTL, logger: logger)
        try await results.checkStore(resultStore, logger: logger)
        let signal = JobSignal()
        let (postgres, dependencies, signingKey) = try await Serve.openPostgres(url: url, signal: signal, notify: !run.noNotify, logger: logger)
        // Callbacks carry result URLs under --public-url (else the API's default address),
        // signed with the key every node reads from the database.
        var presenter = JobPresenter(
            signer: URLSigner(keyBytes: signingKey), publicURL: run.publicURL,
            defaultBase: "http://127.0.0.1:8080", lifetime: .seconds(run.urlTTL))
        presenter.directLinks = links
        let services = try buildWorkerServices(
            configuration: runtime, store: postgres, results: resultStore, presenter: presenter, signal: signal, logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: dependencies + services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
