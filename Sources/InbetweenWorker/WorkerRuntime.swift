import Foundation
import InbetweenAPI
public import InbetweenJobs
import InbetweenMedia
public import Logging
public import Prometheus
public import ServiceLifecycle

/// The services of the worker runtime: workers (when `configuration.worker.concurrency > 0`)
/// rendering through the routed engines, the lease reaper, the deadline and retention sweeper
/// and the callback sender. `inbetween
/// serve` runs them beside the HTTP edge, `inbetween worker` alone.
///
/// - Parameters:
///   - results: where finished videos, posters and cache entries go; the HTTP edge serves from it.
///   - presenter: makes the callbacks' bodies; the HTTP edge's own, so both hand out the same URLs.
///   - registry: where the cache and engine counters go.
///   - resolver: host names for the SSRF guard (tests inject answers here).
///   - signal: wakes the workers; a store that hears other nodes (LISTEN) notifies it too.
/// - Throws: when a route names an unknown upstream or ffmpeg is missing.
public func buildWorkerServices<Store: JobStore, Results: ResultStore>(
    configuration: RuntimeConfiguration,
    store: Store,
    results: Results,
    presenter: JobPresenter,
    registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    resolver: any HostResolver = SystemHostResolver(),
    signal: JobSignal = JobSignal(),
    logger: Logger
) throws -> [any Service] {
    try configuration.checkRoutes()
    let guarded = GuardedHTTPClient(policy: AddressPolicy(allowPrivateNetworks: configuration.allowPrivateNetworks), resolver: resolver)
    var services: [any Service] = []
    if configuration.worker.concurrency > 0 {
        let ffmpeg = try FFmpeg()
        var engines: [EngineTarget: any VideoEngine] = [.local: LocalEngine(generator: VideoGenerator(ffmpeg: ffmpeg, engine: configuration.engine))]
        for upstream in configuration.upstreams {
            engines[.upstream(upstream.name)] = UpstreamEngine(configuration: upstream, guarded: guarded, ffmpeg: ffmpeg, logger: logger)
        }
        let fetcher = GuardedImageFetcher(client: guarded, timeout: configuration.fetchTimeout)
        let runner = EngineJobRunner(
            engines: engines, routes: configuration.routes,
            images: ImageStager(ffmpeg: ffmpeg, directory: FileManager.default.temporaryDirectory, fetcher: fetcher), results: results,
            cache: configuration.cache ? ResultCache(results: results) : nil, ffmpeg: ffmpeg, registry: registry, logger: logger,
            capabilities: configuration.upstreams.isEmpty ? nil : UpstreamCapabilities(upstreams: configuration.upstreams))
        services.append(WorkerService(store: store, runner: runner, configuration: configuration.worker, signal: signal, logger: logger))
    }
    services.append(LeaseReaper(store: store, interval: configuration.reapInterval, signal: signal, logger: logger))
    services.append(JobSweeper(store: store, results: results, logger: logger))
    services.append(
        WebhookService(
            store: store, transport: GuardedWebhookTransport(client: guarded), configuration: configuration.webhooks, signal: JobSignal(),
            logger: logger
        ) { job in
            let position = job.status == .queued ? try await store.queuePosition(jobID: job.id) : nil
            return try presenter.callbackBody(job, queuePosition: position)
        })
    return services
}
