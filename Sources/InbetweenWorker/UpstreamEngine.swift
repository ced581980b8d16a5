import AsyncHTTPClient
import Foundation
import InbetweenAPI
import InbetweenClient
import InbetweenEngine
import InbetweenJobs
import InbetweenMedia
import Logging
import NIOCore

/// Forwards a job to a service that speaks the seed page's job API (the hosted model, or
/// another Inbetween on a GPU machine): creates it there with the job's arguments (images as
/// data URIs), polls with backoff, downloads the video, and reports progress. Rides out an
/// upstream that is unreachable for a while (`unreachableGrace`); a cancel here is forwarded
/// there. Its failures name the upstream and what it answered; its key appears in none.
struct UpstreamEngine: VideoEngine {
    let configuration: UpstreamConfiguration
    /// For a result URL on another origin than the upstream's API (a CDN): checked like any
    /// URL we did not choose.
    let guarded: GuardedHTTPClient
    let ffmpeg: FFmpeg
    let logger: Logger
    var httpClient: HTTPClient = Self.client

    /// One client for every upstream, kept for the life of the process. A refused connection
    /// fails the call at once (AsyncHTTPClient would otherwise retry it quietly until the call's
    /// deadline), so our own retry, with its backoff and `unreachableGrace`, decides; a connect
    /// that hangs gives up after 5 s.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: .seconds(5))
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    var name: String { "upstream:\(configuration.name)" }
    var cacheIdentity: String { "\(name)@\(configuration.baseURL)#\(configuration.model ?? "")" }
    var deterministic: Bool { false }

    func render(_ request: EngineRequest, output: URL, progress: @escaping @Sendable (Double) -> Void) async throws -> JobOutput {
        let client = InbetweenClient(
            baseURL: configuration.baseURL, apiKey: configuration.apiKey, model: configuration.model ?? request.model, httpClient: httpClient,
            timeout: configuration.requestTimeout)
        let creator = InbetweenClient(
            baseURL: client.baseURL, apiKey: client.apiKey, model: client.model, httpClient: httpClient, timeout: configuration.createTimeout)
        do {
            return try await withDeadline(
                configuration.timeout,
                orThrow: failure(.unavailable, "did not finish the job within \(configuration.timeout.components.seconds) s")
            ) {
                let body = request.json
                var upstreamJob: String?
                var upstreamEnded = false
                do {
                    let created = try await patiently("take the job") {
                        try await creator.createJob(body, idempotencyKey: "inbetween-\(request.jobID)-\(request.attempt)")
                    }
                    upstreamJob = created.jobID
                    logger.info("forwarded to upstream", metadata: ["job.id": "\(request.jobID)", "upstream.job": "\(created.jobID)"])
                    progress(0.02)
                    let finished = try await follow(created.jobID, client: client, progress: progress)
                    upstreamEnded = true
                    try check(finished)
                    try await download(finished, client: client, to: output)
                    progress(0.98)
                    let receipt = UpstreamReceipt(name: configuration.name, jobID: created.jobID, amount: created.amount)
                    return try await describe(output, request: request, receipt: receipt)
                } catch {
                    // Cancelled (by the client, at shutdown, by the deadline) or given up on
                    // (unreachable): the upstream job must not go on rendering and charging.
                    if let upstreamJob, !upstreamEnded { await forwardCancel(upstreamJob, for: request.jobID) }
                    throw error
                }
            }
        } catch {
            try? FileManager.default.removeItem(at: output)
            throw error
        }
    }

    /// Asks the upstream to cancel its job: short, best effort, in a task of its own that
    /// this one's cancellation does not reach.
    private func forwardCancel(_ upstreamJob: String, for jobID: String) async {
        let canceller = InbetweenClient(baseURL: configuration.baseURL, apiKey: configuration.apiKey, httpClient: httpClient, timeout: .seconds(5))
        let answered = await Task { (try? await canceller.cancel(upstreamJob)) != nil }.value
        logger.info(
            "cancel forwarded to upstream", metadata: ["job.id": "\(jobID)", "upstream.job": "\(upstreamJob)", "upstream.answered": "\(answered)"])
    }

    /// Polls the upstream job until it ends, backing off, reporting its progress as ours.
    private func follow(_ id: String, client: InbetweenClient, progress: @escaping @Sendable (Double) -> Void) async throws -> JobView {
        var delay = configuration.pollDelays.first
        while true {
            try await Task.sleep(for: delay)
            delay = min(delay * 1.5, configuration.pollDelays.longest)
            let view = try await patiently("report on job \(id)") { try await client.job(id) }
            if view.status.isTerminal { return view }
            if view.status == .running { progress(0.02 + 0.9 * Double(min(100, max(0, view.progress ?? 0))) / 100) }
        }
    }

    /// Throws unless the ended upstream job succeeded: its failure keeps its message and, when
    /// it is a client or server error code, its code.
    private func check(_ view: JobView) throws {
        switch view.status {
        case .failed:
            let code = view.error.map { APIError.Code(rawValue: $0.code) }.flatMap { [4, 5].contains($0.httpStatus / 100) ? $0 : nil }
            throw failure(
                code ?? .internalError,
                "failed the job (\(view.jobID)): \(view.error?.message ?? "no reason given")" + (view.error.map { " (code \($0.code))" } ?? ""))
        case .canceled:
            throw failure(.internalError, "canceled the job (\(view.jobID)) on its side")
        default:
            return
        }
    }

    /// Saves the finished job's video: through the SDK when it is on the upstream's own origin
    /// (configured, trusted), through the SSRF guard when anywhere else.
    private func download(_ view: JobView, client: InbetweenClient, to output: URL) async throws {
        guard let text = view.result?.videos.first?.url ?? view.result?.images.first?.url, let url = URL(string: text) else {
            throw failure(.internalError, "answered status 2 for job \(view.jobID) without a result URL")
        }
        let sameOrigin = URL(string: configuration.baseURL).map { origin($0) == origin(url) } ?? false
        do {
            if sameOrigin {
                try await client.download(view, to: output, maxBytes: configuration.maxVideoBytes)
            } else {
                let bytes = try await guarded.get(url, maxBytes: configuration.maxVideoBytes, timeout: .seconds(300))
                let temporary = output.deletingLastPathComponent().appendingPathComponent(".download-\(UUID().uuidString)")
                try Data(bytes).write(to: temporary)
                guard rename(temporary.path, output.path) == 0 else {
                    try? FileManager.default.removeItem(at: temporary)
                    throw MediaError(.ioFailed, "the upstream's video could not be moved into place")
                }
            }
        } catch let error as CancellationError {
            throw error
        } catch {
            throw failure(.unavailable, "made job \(view.jobID), but its video could not be downloaded from \(url.host ?? "its host"): \(error)")
        }
    }

    private func origin(_ url: URL) -> String {
        let scheme = url.scheme?.lowercased() ?? ""
        return "\(scheme)://\(url.host?.lowercased() ?? ""):\(url.port ?? (scheme == "https" ? 443 : 80))"
    }

    /// Checks what came back is an H.264 MP4, as our contract promises, and reads its facts.
    private func describe(_ file: URL, request: EngineRequest, receipt: UpstreamReceipt) async throws -> JobOutput {
        let info: VideoInfo
        do {
            info = try await ffmpeg.probeVideo(file)
        } catch {
            throw failure(.internalError, "sent a result for job \(receipt.jobID) that is not a readable MP4 video")
        }
        guard info.codec == "h264" else {
            throw failure(.internalError, "sent a \(info.codec) video for job \(receipt.jobID); this service delivers H.264 only")
        }
        let rate = info.frameRate.split(separator: "/").compactMap { Double($0) }
        let fps = rate.count == 2 && rate[1] > 0 ? Int((rate[0] / rate[1]).rounded()) : request.arguments.fps
        let bytes = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? 0
        return JobOutput(
            video: file.lastPathComponent, cover: "", width: info.size.width, height: info.size.height, fps: fps, frames: info.frameCount,
            duration: max(1, Int(info.duration.rounded())), bytes: bytes, engine: name, upstream: receipt)
    }

    /// Runs one call to the upstream, retrying while it is unreachable (no connection, 5xx,
    /// 429, an answer that is not the API's) for up to `unreachableGrace`; its refusals
    /// (4xx) end the job at once.
    private func patiently<T: Sendable>(_ what: String, _ call: () async throws -> T) async throws -> T {
        let clock = ContinuousClock()
        let began = clock.now
        var delay = configuration.pollDelays.first
        while true {
            do {
                return try await call()
            } catch let error as CancellationError {
                throw error
            } catch let error as APIError {
                let status = error.code.httpStatus
                guard status >= 500 || status == 429 else {
                    throw failure(
                        status == 422 ? error.code : .internalError,
                        "refused to \(what): HTTP \(status), code \(error.code.rawValue): \(error.message)")
                }
                try await wait(what, error: "HTTP \(status): \(error.message)", since: began, delay: &delay)
            } catch InbetweenClientError.unreadable(let status, let body) where status < 500 && status != 429 {
                throw failure(.internalError, "refused to \(what): HTTP \(status), not the job API's JSON: \(body.prefix(120))")
            } catch {
                if Task.isCancelled { throw CancellationError() }
                try await wait(what, error: "\(error)", since: began, delay: &delay)
            }
        }
    }

    private func wait(_ what: String, error: String, since began: ContinuousClock.Instant, delay: inout Duration) async throws {
        guard ContinuousClock.now - began < configuration.unreachableGrace else {
            throw failure(
                .unavailable,
                "stayed unreachable for \(configuration.unreachableGrace.components.seconds) s when asked to \(what); the last error: \(redacted(error))"
            )
        }
        logger.debug("upstream unreachable; retrying", metadata: ["upstream": "\(configuration.name)", "error": "\(redacted(error))"])
        try await Task.sleep(for: delay)
        delay = min(delay * 2, configuration.pollDelays.longest)
    }

    /// A job failure naming the upstream, with its key taken out of whatever it said.
    private func failure(_ code: APIError.Code, _ what: String) -> JobFailure {
        JobFailure(code: code.rawValue, message: redacted("upstream \(configuration.name) (\(configuration.baseURL)) \(what)."))
    }

    private func redacted(_ text: String) -> String {
        configuration.apiKey.count < 4 ? text : text.replacingOccurrences(of: configuration.apiKey, with: "[redacted]")
    }
}
