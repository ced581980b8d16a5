import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenMedia
import Logging
import Prometheus

/// Runs a claimed job on the engines its route names: fetches and checks both images once
/// (URLs through the SSRF guard), answers from the result cache when an identical request was
/// made before, else stages both images once and asks each engine in turn until one makes the
/// video (the later ones are fall backs), then makes the poster and puts both into the result
/// store (complete or not at all).
struct EngineJobRunner<Results: ResultStore>: JobRunner {
    let engines: [EngineTarget: any VideoEngine]
    let routes: EngineRoutes
    /// Reads and fetches the input images (its directory is unused).
    let images: ImageStager
    let results: Results
    /// nil: every job is made anew.
    let cache: ResultCache<Results>?
    let ffmpeg: FFmpeg
    let registry: PrometheusCollectorRegistry
    let logger: Logger
    /// Which upstreams take the creative controls; nil: no upstream is configured.
    var capabilities: UpstreamCapabilities? = nil

    func run(_ job: JobRecord, progress: @escaping @Sendable (Int) -> Void) async throws -> JobOutput {
        guard let text = job.arguments, case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)) else {
            throw JobFailure(code: APIError.Code.internalError.rawValue, message: "the job's stored arguments cannot be read.")
        }
        var arguments = try GenerationArguments(validating: object, limits: images.limits)
        let (image, imageTail) = (arguments.image, arguments.imageTail)
        async let startRead = read(image, field: "image")
        async let endRead = read(imageTail, field: "image_tail")
        let (start, end) = try await (startRead, endRead)
        arguments.image = try checked(start, from: image, field: "image")
        arguments.imageTail = try checked(end, from: imageTail, field: "image_tail")
        if arguments.staticMask != nil || arguments.dynamicMasks != nil { arguments = try await readMasks(arguments, start: start) }

        var targets = routes.targets(model: job.model, mode: arguments.mode)
        // An upstream gets the creative controls only when its own model list names them.
        if arguments.hasControls, let capabilities {
            try await capabilities.admit(model: job.model, arguments: arguments, routes: routes)
            var taking: [EngineTarget] = []
            for target in targets {
                if case .upstream(let name) = target,
                    let field = await capabilities.missing(arguments.controlFields, upstream: name, model: job.model)
                {
                    logger.info("upstream skipped", metadata: ["job.id": "\(job.id)", "job.engine": "\(target)", "job.field": "\(field)"])
                    continue
                }
                taking.append(target)
            }
            targets = taking
        }
        let route = try targets.map { target in
            guard let engine = engines[target] else {
                throw JobFailure(code: APIError.Code.internalError.rawValue, message: "no engine \(target) is configured.")
            }
            return engine
        }
        func key(_ engine: any VideoEngine) -> String? {
            cache == nil ? nil : ResultCache<Results>.key(model: job.model, arguments: arguments, on: engine, start: start.bytes, end: end.bytes)
        }
        if let cache, let key = key(route[0]), let output = try await cache.answer(key, job: job.id) {
            registry.makeCounter(
                descriptor: MetricNameDescriptor(
                    metricName: "inbetween_cache_hits", unitName: "total", helpText: "Jobs answered from the result cache.")
            ).increment()
            logger.info("answered from the cache", metadata: ["job.id": "\(job.id)", "job.engine": "\(output.engine)"])
            progress(99)
            return output
        }

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-job-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        defer { try? FileManager.default.removeItem(at: directory) }
        // Staged once, here, for whichever engine makes the video.
        let stager = ImageStager(ffmpeg: images.ffmpeg, directory: directory, limits: images.limits)
        async let stagedStart = stager.stage(bytes: start.bytes, format: start.format, field: "image")
        async let stagedEnd = stager.stage(bytes: end.bytes, format: end.format, field: "image_tail")
        let request = EngineRequest(
            jobID: job.id, attempt: job.lifecycle.attempts, model: job.model, arguments: arguments, args: object, start: try await stagedStart,
            end: try await stagedEnd)

        let video = directory.appendingPathComponent("video.mp4")
        var fallback: EngineFallback?
        for (index, engine) in route.enumerated() {
            var output: JobOutput
            do {
                registry.makeCounter(
                    descriptor: MetricNameDescriptor(
                        metricName: "inbetween_engine_renders", unitName: "total", helpText: "Videos an engine was asked to make."),
                    labels: [("engine", engine.name)]
                ).increment()
                output = try await engine.render(request, output: video) { fraction in progress(Int(fraction * 95)) }
            } catch {
                guard !Task.isCancelled, !(error is CancellationError), index + 1 < route.count else { throw error }
                let reason = JobFailure.describing(error).message
                logger.warning(
                    "engine failed; falling back", metadata: ["job.id": "\(job.id)", "job.engine": "\(engine.name)", "job.error": "\(reason)"])
                fallback = EngineFallback(from: engine.name, reason: reason)
                try? FileManager.default.removeItem(at: video)
                continue
            }
            let cover = directory.appendingPathComponent("cover.jpg")
            try await Self.writeCover(of: video, to: cover, duration: output.duration, ffmpeg: ffmpeg)
            try await results.put(job: job.id, name: "cover.jpg", from: cover)
            try await results.put(job: job.id, name: "video.mp4", from: video)
            output.video = "\(job.id)/video.mp4"
            output.cover = "\(job.id)/cover.jpg"
            output.engine = engine.name
            output.cached = false
            output.fallback = fallback
            if let cache, let key = key(engine) {
                do {
                    try await cache.store(key, video: video, cover: cover, output: output)
                } catch {
                    logger.warning("could not keep the result in the cache", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
                }
            }
            progress(99)
            return output
        }
        throw JobFailure(code: APIError.Code.internalError.rawValue, message: "no engine is routed for this job.")
    }

    func discard(_ job: JobRecord) async {
        do {
            try await results.remove(job: job.id)
        } catch {
            logger.warning("could not remove a canceled job's files", metadata: ["job.id": "\(job.id)", "error": "\(error)"])
        }
    }

    /// The bytes of an image and their sniffed format. A data URI's bytes were checked just now,
    /// when the arguments were read (with the same limits), so they are only sniffed; anything
    /// else is read or fetched and checked by the stager.
    private func read(_ reference: ImageReference, field: String) async throws -> (bytes: [UInt8], format: ImageFormat) {
        if case .data(_, let bytes) = reference, let format = ImageFormat.sniff(bytes) { return (bytes, format) }
        return try await images.read(reference, field: field)
    }

    /// `arguments` with every mask read (a URL fetched through the SSRF guard, as `image` is),
    /// checked with `image`'s rules, required to be a PNG of the start image's size, and in hand
    /// as `.data`.
    private func readMasks(_ arguments: GenerationArguments, start: (bytes: [UInt8], format: ImageFormat)) async throws -> GenerationArguments {
        var arguments = arguments
        func readMask(_ reference: ImageReference, field: String) async throws -> ImageReference {
            let mask = try await read(reference, field: field)
            try GenerationArguments.requirePNG(mask.bytes, field: field)
            return try checked(mask, from: reference, field: field)
        }
        if let mask = arguments.staticMask { arguments.staticMask = try await readMask(mask, field: "static_mask") }
        if var brushes = arguments.dynamicMasks {
            for index in brushes.indices { brushes[index].mask = try await readMask(brushes[index].mask, field: "dynamic_masks[\(index)].mask") }
            arguments.dynamicMasks = brushes
        }
        if let size = ImageHeader.size(start.bytes, format: start.format) {
            try arguments.checkControls(startSize: size, allowTransposed: true) { reference in
                guard case .data(let format, let bytes) = reference else { return nil }
                return ImageHeader.size(bytes, format: format)
            }
        }
        return arguments
    }

    /// The image in hand as `.data` with its sniffed format. Fetched bytes get the checks a data
    /// URI gets at create (header size within the limits); a data URI's were made then.
    private func checked(_ image: (bytes: [UInt8], format: ImageFormat), from reference: ImageReference, field: String) throws -> ImageReference {
        if case .data = reference { return .data(image.format, image.bytes) }
        return try ImageReference.checked(image.bytes, format: image.format, field: field, limits: images.limits)
    }

    /// The middle frame as a JPEG poster.
    static func writeCover(of video: URL, to cover: URL, duration: Int, ffmpeg: FFmpeg) async throws {
        let temporary = cover.deletingLastPathComponent().appendingPathComponent(".cover-\(UUID().uuidString).jpg")
        let outcome = try await ffmpeg.run(
            ffmpeg.ffmpegPath,
            FFmpeg.hardening + [
                "-ss", String(format: "%.3f", Double(duration) / 2), "-i", video.path, "-frames:v", "1", "-q:v", "3", "-f", "image2",
                "-c:v", "mjpeg", "-y", temporary.path,
            ], outputLimit: 0, timeout: .seconds(30))
        guard outcome.succeeded else {
            try? FileManager.default.removeItem(at: temporary)
            throw MediaError(.encodeFailed, "the poster could not be made: \(outcome.firstErrorLine)")
        }
        guard rename(temporary.path, cover.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw MediaError(.ioFailed, "the poster could not be moved into place.")
        }
    }
}
