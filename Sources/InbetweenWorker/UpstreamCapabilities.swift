import AsyncHTTPClient
import Foundation
public import InbetweenAPI
import InbetweenClient
import Synchronization

/// Which `args` each upstream takes, from its own `GET /api/v1/models`: the creative controls
/// (`camera_control`, `dynamic_masks`, `static_mask`, `negative_prompt`, `loop`) are sent to an
/// upstream only when it lists them. Answers are kept for `lifetime`; an upstream that cannot
/// be asked (down, no such route, another shape) lists nothing, and is asked again next time.
public final class UpstreamCapabilities: Sendable {
    private let upstreams: [String: UpstreamConfiguration]
    private let lifetime: Duration
    private let httpClient: HTTPClient
    private let known = Mutex<[String: (arguments: Set<String>, at: ContinuousClock.Instant)]>([:])

    public init(upstreams: [UpstreamConfiguration], lifetime: Duration = .seconds(300)) {
        self.upstreams = Dictionary(upstreams.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
        self.lifetime = lifetime
        httpClient = UpstreamEngine.client
    }

    /// The argument names upstream `name` lists for `model` (its configured model first), or an
    /// empty set when it lists none or cannot be asked.
    public func arguments(of name: String, model: String) async -> Set<String> {
        if let entry = known.withLock({ $0[name] }), ContinuousClock.now - entry.at < lifetime { return entry.arguments }
        guard let upstream = upstreams[name] else { return [] }
        let client = InbetweenClient(baseURL: upstream.baseURL, apiKey: upstream.apiKey, httpClient: httpClient, timeout: .seconds(10))
        guard let models = try? await client.models() else { return [] }
        let wanted = upstream.model ?? model
        let listed = Set((models.first { $0.id == wanted } ?? models.first)?.arguments.map(\.name) ?? [])
        known.withLock { $0[name] = (listed, ContinuousClock.now) }
        return listed
    }

    /// The first of `fields` upstream `name` does not list, or nil when it takes them all.
    public func missing(_ fields: [String], upstream name: String, model: String) async -> String? {
        guard !fields.isEmpty else { return nil }
        let listed = await arguments(of: name, model: model)
        return fields.first { !listed.contains($0) }
    }

    /// The create-time check of a job with creative controls routed by `routes`: a job whose
    /// route has the local engine, or an upstream that lists every control it sends, is taken;
    /// one routed only to upstreams that do not is refused with a 422 naming the field.
    /// - Throws: `APIError` (422) naming the first control no routed engine takes.
    public func admit(model: String, arguments: GenerationArguments, routes: EngineRoutes) async throws(APIError) {
        let fields = arguments.controlFields
        guard !fields.isEmpty else { return }
        let targets = routes.targets(model: model, mode: arguments.mode)
        var refusal: (field: String, upstream: String)?
        for target in targets {
            guard case .upstream(let name) = target else { return }
            guard let field = await missing(fields, upstream: name, model: model) else { return }
            if refusal == nil { refusal = (field, name) }
        }
        guard let refusal else { return }
        let names = targets.map(\.description).joined(separator: ", ")
        throw .invalid(
            refusal.field,
            "`\(refusal.field)` cannot be used for this job: it is routed only to \(names), and upstream \(refusal.upstream)'s "
                + "GET /api/v1/models does not list it. Send the job without it, or route it to the local engine.")
    }
}

extension RuntimeConfiguration {
    /// The create-time check for jobs with creative controls on these routes (see
    /// `UpstreamCapabilities.admit`), for `ServerConfiguration.admission`; nil without upstreams
    /// (the local engine takes every control).
    public var controlAdmission: (@Sendable (String, GenerationArguments) async throws -> Void)? {
        guard !upstreams.isEmpty else { return nil }
        let capabilities = UpstreamCapabilities(upstreams: upstreams)
        let routes = routes
        return { model, arguments in try await capabilities.admit(model: model, arguments: arguments, routes: routes) }
    }
}
