import Foundation
import Hummingbird
import InbetweenAPI
import InbetweenJobs
import NIOCore
import Prometheus

/// `/healthz`, `/readyz`, `/metrics`, `/openapi.json`, and `/api/v1/models`.
struct OperationsController<Store: JobStore>: Sendable {
    let store: Store
    let registry: PrometheusCollectorRegistry
    let timeout: Duration

    struct Health: Codable, Sendable {
        var status: String
    }

    struct Models: Codable, Sendable {
        var models: [ModelDescription]
    }

    func addRoutes(to router: Router<InbetweenRequestContext>) {
        router.get("healthz") { _, _ in EnvelopeResponse.ok(Health(status: "ok")) }
        router.get("readyz", use: ready)
        router.get("metrics", use: metrics)
        router.get("openapi.json", use: openAPI)
    }

    func addAPIRoutes(to group: RouterGroup<InbetweenRequestContext>) {
        group.get("models") { _, _ in EnvelopeResponse.ok(Models(models: [.startEndToVideo])) }
    }

    @Sendable func ready(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        let store = store
        do {
            try await databaseCall(timeout: timeout) { try await store.ping() }
            return EnvelopeResponse.ok(Health(status: "ready"))
        } catch {
            throw APIError(.unavailable, "not ready: the database is not answering.")
        }
    }

    static var jobsGauge: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "inbetween_jobs", unitName: "", helpText: "Jobs in the store, by status.")
    }
    static var queueDepthGauge: MetricNameDescriptor {
        MetricNameDescriptor(metricName: "inbetween_queue_depth", unitName: "", helpText: "Jobs waiting to be claimed.")
    }

    /// Prometheus text: jobs by status and queue depth read from the store at scrape time,
    /// beside whatever swift-metrics recorded (render seconds, HTTP latencies).
    @Sendable func metrics(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        let store = store
        if let counts = try? await databaseCall(timeout: timeout, { try await store.countsByStatus() }) {
            for (status, count) in counts {
                registry.makeGauge(descriptor: Self.jobsGauge, labels: [("status", status.name)]).set(Double(count))
            }
            registry.makeGauge(descriptor: Self.queueDepthGauge).set(Double(counts[.queued] ?? 0))
        }
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: buffer)))
    }

    @Sendable func openAPI(_ request: Request, context: InbetweenRequestContext) async throws -> Response {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json"), let data = try? Data(contentsOf: url) else {
            throw APIError(.internalError, "the OpenAPI document is missing from this build.")
        }
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
