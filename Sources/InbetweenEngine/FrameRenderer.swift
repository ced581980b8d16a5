import Dispatch

/// Draws the frames of a plan. Each frame resamples each source once: the camera path and the
/// source's offset are composed into one projective map per source.
public struct FrameRenderer: Sendable {
    public let plan: MotionPlan
    public let start: RGBImage
    public let end: RGBImage
    public let profile: EngineProfile

    public init(plan: MotionPlan, start: RGBImage, end: RGBImage, profile: EngineProfile) {
        precondition(start.size == plan.size && end.size == plan.size, "inputs must be fitted to the plan's size")
        self.plan = plan
        self.start = start
        self.end = end
        self.profile = profile
    }

    /// The maps (output → start, output → end) for progress `camera` along the path.
    ///
    /// The path moves the frame's four corners in straight lines from where they are in the
    /// start image to where the motion puts them in the end image; the homography through
    /// those corners takes start pixels to the frame.
    public func maps(camera: Double) -> (start: Matrix3, end: Matrix3) {
        guard plan.followsCamera, camera > 0 else {
            return (.identity, plan.followsCamera ? (plan.motion.matrix) : .identity)
        }
        let h = plan.motion.matrix
        let w = Double(plan.size.width)
        let ht = Double(plan.size.height)
        let corners: [(x: Double, y: Double)] = [(0, 0), (w, 0), (w, ht), (0, ht)]
        let moved = corners.map { corner -> (x: Double, y: Double) in
            let target = h.apply(corner.x, corner.y) ?? corner
            return (corner.x + (target.x - corner.x) * camera, corner.y + (target.y - corner.y) * camera)
        }
        guard let path = Matrix3.perspective(from: corners, to: moved), let toStart = path.inverse else {
            return (.identity, .identity)
        }
        return (toStart, (h * toStart).normalized)
    }

    /// Frame `index` of the plan. Frame 0 and the last frame are the fitted inputs, bit for bit.
    public func frame(_ index: Int) throws -> RGBImage {
        precondition(plan.steps.indices.contains(index), "frame \(index) is outside the plan")
        if index == 0 { return start }
        if index == plan.steps.count - 1 { return end }
        let step = plan.steps[index]
        let (mapStart, mapEnd) = maps(camera: step.camera)
        var out = RGBImage(size: plan.size)
        try Kernels.warpBlend(
            start, mapA: mapStart, end, mapB: mapEnd, t: step.blend, feather: profile.feather, interpolation: profile.interpolation, into: &out)
        return out
    }

    /// Renders every frame into `sink`, drawing frame n + 1 on a render thread while frame n is
    /// being written. `progress` receives the number of frames written so far.
    public func render(into sink: inout some FrameSink, progress: (Int) -> Void = { _ in }) async throws {
        let thread = RenderThread()
        var current = try await thread.run { try self.frame(0) }
        for index in plan.steps.indices {
            if index + 1 < plan.steps.count {
                async let upcoming = thread.run { try self.frame(index + 1) }
                try await sink.write(current)
                current = try await upcoming
            } else {
                try await sink.write(current)
            }
            progress(index + 1)
        }
    }
}

/// A serial queue of its own for CPU-heavy work, so rendering never blocks the cooperative
/// thread pool that serves tasks (OpenCV parallelises inside each call).
public struct RenderThread: Sendable {
    private let queue = DispatchQueue(label: "inbetween.render")

    public init() {}

    /// Runs `body` on the render thread and returns its result.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
