import CVisionKernels
import Dispatch

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

    public init(clip: PreparedClip, start: RGBImage, end: RGBImage, profile: EngineProfile) throws {
        precondition(start.size == clip.plan.size && end.size == clip.plan.size, "inputs must be fitted to the plan's size")
        self.plan = clip.plan
        self.flow = clip.flow
        self.start = try YUVImage(start)
        self.end = try YUVImage(end)
        self.profile = profile
    }

    /// The map from output pixels to start pixels at progress `camera` along the path.
    ///
    /// The path moves the frame's four corners in straight lines from where they are in the
    /// start image to where the motion puts them in the end image; the homography through
    /// those corners takes start pixels to the frame.
    public func toStart(camera: Double) -> Matrix3 {
        guard plan.followsCamera, camera > 0 else { return .identity }
        let h = plan.camera.matrix
        let w = Double(plan.size.width)
        let ht = Double(plan.size.height)
        let corners: [(x: Double, y: Double)] = [(0, 0), (w, 0), (w, ht), (0, ht)]
        let moved = corners.map { corner -> (x: Double, y: Double) in
            let target = h.apply(corner.x, corner.y) ?? corner
            return (corner.x + (target.x - corner.x) * camera, corner.y + (target.y - corner.y) * camera)
        }
        guard let path = Matrix3.perspective(from: corners, to: moved), let inverse = path.inverse else { return .identity }
        return inverse.normalized
    }

    /// Frame `index` of the plan. Frame 0 and the last frame are the fitted inputs, bit for bit.
    public func frame(_ index: Int) throws -> YUVImage {
        precondition(plan.steps.indices.contains(index), "frame \(index) is outside the plan")
        if index == 0 { return start }
        if index == plan.steps.count - 1 { return end }
        let step = plan.steps[index]
        var motion = IVKFrameMotion()
        withUnsafeMutableBytes(of: &motion.to_start) { copy(toStart(camera: step.camera).m, into: $0) }
        withUnsafeMutableBytes(of: &motion.start_to_end) { copy(plan.camera.matrix.m, into: $0) }
        motion.blend = Float(step.blend)
        motion.feather = Float(profile.feather)
        var out = YUVImage(size: plan.size)
        var local = flow.map { try? $0.at(time: step.camera) } ?? nil
        if flow != nil, local == nil { throw KernelError(kernel: "intermediate_flow", code: -1, detail: String(cString: ivk_last_error())) }
        try start.withSourcePlanes { a in
            try end.withSourcePlanes { b in
                try out.withPlanes { dst in
                    guard local != nil else {
                        return try Kernels.check(ivk_render_yuv(&a, &b, &motion, profile.interpolation.c, &dst), "render_yuv")
                    }
                    try local!.toStart.withUnsafeBufferPointer { toStart in
                        try local!.toEnd.withUnsafeBufferPointer { toEnd in
                            try local!.trust.withUnsafeBufferPointer { trust in
                                motion.flow_to_start = toStart.baseAddress
                                motion.flow_to_end = toEnd.baseAddress
                                motion.flow_trust = trust.baseAddress
                                motion.flow_width = Int32(local!.size.width)
                                motion.flow_height = Int32(local!.size.height)
                                try Kernels.check(ivk_render_yuv(&a, &b, &motion, profile.interpolation.c, &dst), "render_yuv")
                            }
                        }
                    }
                }
            }
        }
        local = nil
        return out
    }

    private func copy(_ values: [Double], into raw: UnsafeMutableRawBufferPointer) {
        values.withUnsafeBytes { raw.copyMemory(from: $0) }
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
