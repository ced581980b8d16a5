import Foundation
public import Hummingbird
import InbetweenAPI
public import InbetweenJobs
import InbetweenMedia
public import Logging
import NIOCore
public import Prometheus
import ServiceLifecycle

/// Builds the whole server (routes, workers, callback sender, lease reaper) over `store`:
/// the executable and the tests call this same function.
///
/// - Parameters:
///   - registry: where `/metrics` reads from; the executable also bootstraps swift-metrics
///     with it, so render times and HTTP latencies land there.
///   - resolver: host names for the SSRF guard (tests inject answers here).
public func buildApplication<Store: JobStore>(
    configuration: ServerConfiguration,
    store: Store,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    resolver: any HostResolver = SystemHostResolver(),
    logger: Logger
) throws -> some ApplicationProtocol {
    let fileManager = FileManager.default
    try fileManager.createDirectory(at: configuration.resultsDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    let signer = try URLSigner(keyFile: configuration.dataDirectory.appendingPathComponent("url-signing.key"))
    let base = BaseURL(configuration.publicURL ?? "http://\(configuration.host):\(configuration.port)")
    if let publicURL = configuration.publicURL { base.set(publicURL) }
    let presenter = JobPresenter(signer: signer, lifetime: configuration.resultURLLifetime, base: base)
    let signal = JobSignal()
    let guarded = GuardedHTTPClient(policy: AddressPolicy(allowPrivateNetworks: configuration.allowPrivateNetworks), resolver: resolver)

    let router = Router(context: InbetweenRequestContext.self)
    router.middlewares.add(EnvelopeErrorMiddleware())
    router.middlewares.add(MetricsMiddleware())
    OperationsController(store: store, registry: registry).addRoutes(to: router)
    FilesController(signer: signer, results: configuration.resultsDirectory).addRoutes(to: router)
    let api = router.group("api/v1")
        .add(middleware: APIKeyAuthenticator(store: store))
        .add(middleware: RateLimitMiddleware(limiter: RateLimiter(policy: configuration.rateLimit)))
    JobsController(store: store, presenter: presenter, signal: signal, configuration: configuration).addRoutes(to: api)
    OperationsController(store: store, registry: registry).addAPIRoutes(to: api)

    var services: [any Service] = []
    if configuration.worker.concurrency > 0 {
        let generator = VideoGenerator(
            ffmpeg: try FFmpeg(), fetcher: GuardedImageFetcher(client: guarded, timeout: configuration.fetchTimeout), engine: configuration.engine)
        let runner = MediaJobRunner(generator: generator, results: configuration.resultsDirectory)
        services.append(WorkerService(store: store, runner: runner, configuration: configuration.worker, signal: signal, logger: logger))
    }
    services.append(LeaseReaper(store: store, interval: configuration.reapInterval, signal: signal, logger: logger))
    let webhookSignal = JobSignal()
    services.append(
        WebhookService(
            store: store, transport: GuardedWebhookTransport(client: guarded), configuration: configuration.webhooks, signal: webhookSignal,
            logger: logger
        ) { job in
            let position = job.status == .queued ? try await store.queuePosition(jobID: job.id) : nil
            return Array(try EnvelopeResponse.encoder.encode(Envelope(data: presenter.view(job, queuePosition: position))))
        })

    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "inbetween"),
        services: services,
        onServerRunning: { channel in
            if configuration.publicURL == nil, let port = channel.localAddress?.port {
                base.set("http://\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(port)")
            }
            logger.info("listening", metadata: ["url": "\(base.current)"])
        },
        logger: logger
    )
}
