import CVisionKernels
import Dispatch
import Foundation
import Synchronization

/// Draws the frames of a prepared clip. Each frame resamples each source once: the camera
/// path, the global motion and the local flow are composed into one map per source, in the
/// encoder's pixel format (YUV 4:2:0), so frames go to the encoder as they are.
public struct FrameRenderer: Sendable {
    public let plan: MotionPlan
    public let flow: FlowField?
    /// The fitted inputs, converted once.
    public let start: YUVImage
    public let end: YUVImage
    public let profile: EngineProfile
    /// The static mask (one byte per output pixel, non-zero: still), when the request has one.
    let staticMask: StillMask?
    /// The motion-brush strokes, each with whether it arrives where the end image shows it, and
    /// the start image with the region filled from its surroundings when the end image shows no
    /// background where it was.
    let brushes: [(path: BrushPath, arrives: Bool, background: YUVImage?)]
    /// Each source's chroma again, interleaved, for the kernels' AVX2 path (which fetches both
    /// planes at once); empty draws from the planes alone. The frames are the same either way.
    let startChroma: [UInt8]
    let endChroma: [UInt8]

    public init(clip: PreparedClip, start: RGBImage, end: RGBImage, profile: EngineProfile) throws {
        try self.init(clip: clip, start: start, end: end, profile: profile, interleavedChroma: true)
    }

    init(clip: PreparedClip, start: RGBImage, end: RGBImage, profile: EngineProfile, interleavedChroma: Bool) throws {
        precondition(start.size == clip.plan.size && end.size == clip.plan.size, "inputs must be fitted to the plan's size")
        self.plan = clip.plan
        self.flow = clip.flow
        self.start = try YUVImage(start)
        self.end = try YUVImage(end)
        self.profile = profile
        staticMask = clip.staticMask.map { StillMask($0, size: clip.plan.size) }
        brushes = try zip(clip.brushes, clip.plan.controls?.brushes ?? []).map { brush, stroke in
            let path = BrushPath(brush, size: clip.plan.size)
            return (path, stroke.arrives, stroke.hole == "surroundings" ? try YUVImage(path.inpainted(start)) : nil)
        }
        startChroma = interleavedChroma ? self.start.interleavedChroma : []
        endChroma = interleavedChroma ? self.end.interleavedChroma : []
    }

    /// The map from output pixels to start pixels at progress `camera` along the path.
    ///
    /// The path moves the frame's four corners in straight lines from where they are in the
    /// start image to where the motion puts them in the end image; the homography through
    /// those corners takes start pixels to the frame.
    public func toStart(camera: Double) -> Matrix3 {
        plan.pathToStart(camera: camera)
    }

    /// The frame's maps at progress `camera`: output → start, and start → end. A move the
    /// prompt asked for between unrelated shots gives each source its own path (see
    /// `CameraMoves.sourceMaps`); otherwise the end follows the start through the motion found.
    func sourceMaps(camera: Double) -> (toStart: Matrix3, startToEnd: Matrix3) {
        if let maps = plan.controlledMaps(camera: camera) { return maps }
        if plan.camera.source == .prompt, let move = plan.camera.move, let amplitude = plan.camera.amplitude {
            let maps = CameraMoves.sourceMaps(move, amplitude: amplitude, size: plan.size, progress: camera)
            return (maps.toStart, ((maps.toEnd * (maps.toStart.inverse ?? .identity)).normalized))
        }
        return (toStart(camera: camera), plan.camera.matrix)
    }

    /// Frame `index` of the plan. Frame 0 and the last frame are the fitted inputs, bit for bit.
    public func frame(_ index: Int) throws -> YUVImage {
        try frames(index..<(index + 1))[0]
    }

    /// The frames in `range`, drawn concurrently, one per thread.
    public func frames(_ range: Range<Int>) throws -> [YUVImage] {
        precondition(range.lowerBound >= 0 && range.upperBound <= plan.steps.count, "frames \(range) are outside the plan")
        // A looping clip's last frame leads back into the first: it is drawn, not the end image.
        let last = plan.loops ? -1 : plan.steps.count - 1
        let drawn = range.filter { $0 != 0 && $0 != last }
        var results: [Int: YUVImage] = [:]
        if !drawn.isEmpty {
            for (index, frame) in zip(drawn, try draw(drawn)) {
                let brushed = drawBrushes(frame, camera: plan.steps[index].camera)
                results[index] = staticMask.map { keepStill(brushed, mask: $0, blend: plan.steps[index].blend) } ?? brushed
            }
        }
        return range.map { index in
            if index == 0 { return start }
            if index == last { return end }
            return results[index]!
        }
    }

    /// Draws the given in-between frames in one batch.
    private func draw(_ indices: [Int]) throws -> [YUVImage] {
        let frameBytes = YUVImage.byteCount(plan.size)
        var motions = [IVKFrameMotion](repeating: IVKFrameMotion(), count: indices.count)
        // The maps are smooth: a grid every 4 pixels where both sides divide by 4 and the
        // profile allows it, else every 2 (one sample per chroma pixel).
        let mapStep = profile.mapStep == 4 && plan.size.width % 4 == 0 && plan.size.height % 4 == 0 ? 4 : 2
        for (slot, index) in indices.enumerated() {
            let step = plan.steps[index]
            let blend = Float(step.blend)
            let (toStart, startToEnd) = sourceMaps(camera: step.camera)
            withUnsafeMutableBytes(of: &motions[slot].to_start) { copy(toStart.m, into: $0) }
            withUnsafeMutableBytes(of: &motions[slot].start_to_end) { copy(startToEnd.m, into: $0) }
            motions[slot].blend = blend
            motions[slot].feather = Float(profile.feather)
            motions[slot].flow_time = Float(step.camera)
            motions[slot].splat_depth = Float(profile.splatDepth)
            motions[slot].motion_edge = Float(profile.motionEdge)
            motions[slot].map_step = Int32(mapStep)
            // The profile's interpolation is spent on the source that dominates this frame's
            // blend; the other, weighted under a half, is resampled bilinearly at a third of the
            // cost. Chroma is a quarter of the samples and carries little detail: bilinear.
            motions[slot].interpolation_start = (blend <= 0.5 ? profile.interpolation : .bilinear).c
            motions[slot].interpolation_end = (blend > 0.5 ? profile.interpolation : .bilinear).c
            motions[slot].interpolation_chroma = Interpolation.bilinear.c
        }
        let luma = plan.size.pixelCount
        let empty: [Float] = []
        let field = flow
        // Each frame is drawn straight into the array it is handed on in; every byte is
        // written by the kernel, so the arrays are not cleared first.
        let (frames, _) = try withFrameBuffers(count: indices.count, bytes: frameBytes) { bases in
            try start.withSourcePlanes { a in
                try end.withSourcePlanes { b in
                    try (field?.forward ?? empty).withUnsafeBufferPointer { forward in
                        try (field?.backward ?? empty).withUnsafeBufferPointer { backward in
                            try (field?.forwardConfidence ?? empty).withUnsafeBufferPointer { forwardConfidence in
                                try (field?.backwardConfidence ?? empty).withUnsafeBufferPointer { backwardConfidence in
                                    var planes: [IVKPlanes] = []
                                    for (slot, base) in bases.enumerated() {
                                        planes.append(
                                            IVKPlanes(
                                                y: base, u: base + luma, v: base + luma + luma / 4, width: Int32(plan.size.width),
                                                height: Int32(plan.size.height)))
                                        if let field {
                                            motions[slot].flow_forward = forward.baseAddress
                                            motions[slot].flow_backward = backward.baseAddress
                                            motions[slot].confidence_forward = forwardConfidence.baseAddress
                                            motions[slot].confidence_backward = backwardConfidence.baseAddress
                                            motions[slot].flow_width = Int32(field.size.width)
                                            motions[slot].flow_height = Int32(field.size.height)
                                        }
                                    }
                                    try startChroma.withUnsafeBufferPointer { chromaA in
                                        try endChroma.withUnsafeBufferPointer { chromaB in
                                            if !chromaA.isEmpty && !chromaB.isEmpty {
                                                for slot in motions.indices {
                                                    motions[slot].chroma_a = chromaA.baseAddress
                                                    motions[slot].chroma_b = chromaB.baseAddress
                                                }
                                            }
                                            try Kernels.check(
                                                ivk_render_yuv_batch(&a, &b, motions, Int32(indices.count), &planes),
                                                "render_yuv_batch")
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return frames.map { YUVImage(size: plan.size, bytes: $0) }
    }

    /// `count` arrays of `bytes` uninitialised bytes each, all alive while `body` writes them
    /// through their base addresses; they are returned in order with `body`'s result.
    private func withFrameBuffers<R>(count: Int, bytes: Int, _ body: ([UnsafeMutablePointer<UInt8>]) throws -> R) throws -> ([[UInt8]], R) {
        func make(_ remaining: Int, _ bases: [UnsafeMutablePointer<UInt8>]) throws -> ([[UInt8]], R) {
            guard remaining > 0 else { return ([], try body(bases)) }
            var inner: ([[UInt8]], R)?
            let array = try [UInt8](unsafeUninitializedCapacity: bytes) { buffer, initialized in
                inner = try make(remaining - 1, bases + [buffer.baseAddress!])
                initialized = bytes
            }
            return ([array] + inner!.0, inner!.1)
        }
        return try make(count, [])
    }

    private func copy(_ values: [Double], into raw: UnsafeMutableRawBufferPointer) {
        values.withUnsafeBytes { raw.copyMemory(from: $0) }
    }

    /// Renders every frame into `sink`: a batch of frames, one per core, is drawn on the render
    /// thread while the previous batch is being written. `progress` receives the number of
    /// frames written so far.
    public func render(into sink: inout some FrameSink, progress: (Int) -> Void = { _ in }) async throws {
        let thread = RenderThread()
        let batch = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let count = plan.steps.count
        var next = min(batch, count)
        let first = 0..<next
        var current = try await thread.run { try self.frames(first) }
        var written = 0
        while true {
            if next < count {
                let range = next..<min(next + batch, count)
                async let upcoming = thread.run { try self.frames(range) }
                for frame in current {
                    try await sink.write(frame)
                    written += 1
                    progress(written)
                }
                current = try await upcoming
                next = range.upperBound
            } else {
                for frame in current {
                    try await sink.write(frame)
                    written += 1
                    progress(written)
                }
                return
            }
        }
    }
}

/// A serial queue of its own for CPU-heavy work, so rendering never blocks the cooperative
/// thread pool that serves tasks (OpenCV parallelises inside each call).
public struct RenderThread: Sendable {
    private let queue = DispatchQueue(label: "inbetween.render")

    public init() {}

    /// Runs `body` on the render thread and returns its result. When the calling task is
    /// cancelled first, this throws `CancellationError` at once and `body`, which cannot be
    /// interrupted (an analysis is one long call), finishes on its own and its result is
    /// dropped: a canceled job's worker goes on without waiting for it.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let waiter = Waiter<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                guard waiter.wait(continuation) else { return }
                queue.async { waiter.resume(with: Result { try body() }) }
            }
        } onCancel: {
            waiter.resume(with: .failure(CancellationError()))
        }
    }

    /// The one continuation of a `run`, resumed once: by the result or by a cancel, whichever
    /// comes first.
    private final class Waiter<T: Sendable>: Sendable {
        private enum State {
            case idle
            case waiting(CheckedContinuation<T, any Error>)
            case done
        }

        private let state = Mutex(State.idle)

        /// Holds `continuation`; false (and resumed with `CancellationError`) when a cancel came first.
        func wait(_ continuation: CheckedContinuation<T, any Error>) -> Bool {
            let cancelled = state.withLock { state -> Bool in
                if case .done = state { return true }
                state = .waiting(continuation)
                return false
            }
            if cancelled { continuation.resume(throwing: CancellationError()) }
            return !cancelled
        }

        func resume(with result: Result<T, any Error>) {
            let continuation = state.withLock { state -> CheckedContinuation<T, any Error>? in
                defer { state = .done }
                if case .waiting(let continuation) = state { return continuation }
                return nil
            }
            continuation?.resume(with: result)
        }
    }
}
