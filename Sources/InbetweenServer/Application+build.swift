import Foundation
public import Hummingbird
import InbetweenAPI
public import InbetweenJobs
import InbetweenMedia
public import Logging
import NIOCore
public import Prometheus
public import ServiceLifecycle

/// Builds the whole server (routes, workers, callback sender, lease reaper) over `store`:
/// the executable and the tests call this same function.
///
/// - Parameters:
///   - registry: where `/metrics` reads from; the executable also bootstraps swift-metrics
///     with it, so render times and HTTP latencies land there.
///   - resolver: host names for the SSRF guard (tests inject answers here).
///   - signal: wakes the workers; a store that hears other nodes (LISTEN) notifies it too.
///   - dependencies: services that must run before and stop after everything else (a
///     database client).
public func buildApplication<Store: JobStore>(
    configuration: ServerConfiguration,
    store: Store,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    resolver: any HostResolver = SystemHostResolver(),
    signal: JobSignal = JobSignal(),
    dependencies: [any Service] = [],
    logger: Logger
) throws -> some ApplicationProtocol {
    let context = try ServerContext(configuration: configuration, resolver: resolver)

    let router = Router(context: InbetweenRequestContext.self)
    router.middlewares.add(EnvelopeErrorMiddleware())
    router.middlewares.add(MetricsMiddleware())
    OperationsController(store: store, registry: registry, timeout: configuration.databaseTimeout).addRoutes(to: router)
    FilesController(signer: context.signer, results: context.results).addRoutes(to: router)
    PlaygroundController().addRoutes(to: router)
    let api = router.group("api/v1")
        .add(middleware: APIKeyAuthenticator(store: store, timeout: configuration.databaseTimeout))
        .add(middleware: RateLimitMiddleware(store: store, policy: configuration.rateLimit, timeout: configuration.databaseTimeout))
    JobsController(store: store, presenter: context.presenter, signal: signal, configuration: configuration).addRoutes(to: api)
    OperationsController(store: store, registry: registry, timeout: configuration.databaseTimeout).addAPIRoutes(to: api)

    let base = context.base
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "inbetween"),
        services: dependencies
            + (try backgroundServices(
                configuration: configuration, store: store, context: context, registry: registry, signal: signal, logger: logger)),
        onServerRunning: { channel in
            if configuration.publicURL == nil, let port = channel.localAddress?.port {
                base.set("http://\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(port)")
            }
            logger.info("listening", metadata: ["url": "\(base.current)"])
        },
        logger: logger
    )
}

/// The services of a worker process without HTTP (`inbetween worker`): workers, the lease
/// reaper and the callback sender, after `dependencies`.
public func buildWorkerServices<Store: JobStore>(
    configuration: ServerConfiguration,
    store: Store,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    resolver: any HostResolver = SystemHostResolver(),
    signal: JobSignal = JobSignal(),
    dependencies: [any Service] = [],
    logger: Logger
) throws -> [any Service] {
    let context = try ServerContext(configuration: configuration, resolver: resolver)
    return dependencies
        + (try backgroundServices(configuration: configuration, store: store, context: context, registry: registry, signal: signal, logger: logger))
}

/// What the HTTP side and the background services share.
struct ServerContext: Sendable {
    let signer: URLSigner
    let base: BaseURL
    let presenter: JobPresenter
    let guarded: GuardedHTTPClient
    let results: DirectoryResultStore

    init(configuration: ServerConfiguration, resolver: any HostResolver) throws {
        try configuration.checkRoutes()
        results = try DirectoryResultStore(root: configuration.resultsDirectory)
        signer = try URLSigner(keyFile: configuration.dataDirectory.appendingPathComponent("url-signing.key"))
        base = BaseURL(configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)")
        if let publicURL = configuration.publicURL { base.set(publicURL) }
        presenter = JobPresenter(signer: signer, lifetime: configuration.resultURLLifetime, base: base)
        guarded = GuardedHTTPClient(policy: AddressPolicy(allowPrivateNetworks: configuration.allowPrivateNetworks), resolver: resolver)
    }
}

/// Workers (when `configuration.worker.concurrency > 0`), the lease reaper and the callback sender.
func backgroundServices<Store: JobStore>(
    configuration: ServerConfiguration, store: Store, context: ServerContext, registry: PrometheusCollectorRegistry, signal: JobSignal,
    logger: Logger
) throws -> [any Service] {
    var services: [any Service] = []
    if configuration.worker.concurrency > 0 {
        let ffmpeg = try FFmpeg()
        var engines: [EngineTarget: any VideoEngine] = [.local: LocalEngine(generator: VideoGenerator(ffmpeg: ffmpeg, engine: configuration.engine))]
        for upstream in configuration.upstreams {
            engines[.upstream(upstream.name)] = UpstreamEngine(configuration: upstream, guarded: context.guarded, ffmpeg: ffmpeg, logger: logger)
        }
        let fetcher = GuardedImageFetcher(client: context.guarded, timeout: configuration.fetchTimeout)
        let runner = EngineJobRunner(
            engines: engines, routes: configuration.routes,
            images: ImageStager(ffmpeg: ffmpeg, directory: FileManager.default.temporaryDirectory, fetcher: fetcher), results: context.results,
            cache: configuration.cache ? ResultCache(results: context.results) : nil, ffmpeg: ffmpeg, registry: registry, logger: logger)
        services.append(WorkerService(store: store, runner: runner, configuration: configuration.worker, signal: signal, logger: logger))
    }
    services.append(LeaseReaper(store: store, interval: configuration.reapInterval, signal: signal, logger: logger))
    let presenter = context.presenter
    services.append(
        WebhookService(
            store: store, transport: GuardedWebhookTransport(client: context.guarded), configuration: configuration.webhooks, signal: JobSignal(),
            logger: logger
        ) { job in
            let position = job.status == .queued ? try await store.queuePosition(jobID: job.id) : nil
            return Array(try EnvelopeResponse.encoder.encode(Envelope(data: presenter.view(job, queuePosition: position))))
        })
    return services
}
