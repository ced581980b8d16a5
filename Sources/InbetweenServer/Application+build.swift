import Foundation
public import Hummingbird
import InbetweenAPI
public import InbetweenJobs
public import Logging
import NIOCore
public import Prometheus
public import ServiceLifecycle

/// Builds the HTTP edge (routes, auth, limits, result files) over `store`, serving the files
/// in `results`, running `services` (the worker runtime: workers, lease reaper, callback
/// sender) beside it: the executable and the tests call this same function.
///
/// - Parameters:
///   - results: where the workers put finished videos and posters; `/files/...` serves them.
///   - presenter: how jobs are shown; pass the one the callback sender in `services` uses, so
///     both hand out the same URLs. Default: one made from `configuration`.
///   - registry: where `/metrics` reads from; the executable also bootstraps swift-metrics
///     with it, so render times and HTTP latencies land there.
///   - signal: notified when a job is created or canceled; the workers wait on it.
///   - dependencies: services that must run before and stop after everything else (a
///     database client).
///   - services: what runs beside the HTTP server, after `dependencies`.
/// - Throws: when the URL-signing key cannot be made.
public func buildApplication<Store: JobStore>(
    configuration: ServerConfiguration,
    store: Store,
    results: some ResultStore,
    presenter: JobPresenter? = nil,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    signal: JobSignal = JobSignal(),
    dependencies: [any Service] = [],
    services: [any Service] = [],
    logger: Logger
) throws -> some ApplicationProtocol {
    let presenter = try presenter ?? configuration.makePresenter()

    let router = Router(context: InbetweenRequestContext.self)
    router.middlewares.add(ReadBodyFirstMiddleware(limit: configuration.maxBodyBytes))
    router.middlewares.add(EnvelopeErrorMiddleware())
    router.middlewares.add(MetricsMiddleware())
    OperationsController(store: store, registry: registry, timeout: configuration.databaseTimeout).addRoutes(to: router)
    FilesController(signer: presenter.signer, results: results).addRoutes(to: router)
    PlaygroundController().addRoutes(to: router)
    let api = router.group("api/v1")
        .add(middleware: APIKeyAuthenticator(store: store, timeout: configuration.databaseTimeout))
        .add(
            middleware: RateLimitMiddleware(
                store: store, creates: configuration.createRateLimit, reads: configuration.readRateLimit, timeout: configuration.databaseTimeout))
    JobsController(store: store, results: results, presenter: presenter, signal: signal, configuration: configuration).addRoutes(to: api)
    StreamController(store: store, presenter: presenter, configuration: configuration).addRoutes(to: api)
    OperationsController(store: store, registry: registry, timeout: configuration.databaseTimeout).addAPIRoutes(to: api)

    let base = presenter.base
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "inbetween"),
        services: dependencies + services,
        onServerRunning: { channel in
            if configuration.publicURL == nil, let port = channel.localAddress?.port {
                base.set("http://\(configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host):\(port)")
            }
            logger.info("listening", metadata: ["url": "\(base.current)"])
        },
        logger: logger
    )
}
