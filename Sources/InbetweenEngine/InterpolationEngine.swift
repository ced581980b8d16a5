/// What an engine is asked to make.
public struct RenderRequest: Sendable, Hashable {
    /// Output frame size; both images are already fitted to it.
    public var size: PixelSize
    /// Frames in the clip, at least 2: frame 0 is the start image, the last the end image.
    public var frameCount: Int
    public var fps: Int
    public var prompt: String
    public var seed: UInt64
    public var profile: EngineProfile

    public init(size: PixelSize, frameCount: Int, fps: Int, prompt: String = "", seed: UInt64 = 0, profile: EngineProfile = .pro) {
        self.size = size
        self.frameCount = frameCount
        self.fps = fps
        self.prompt = prompt
        self.seed = seed
        self.profile = profile
    }
}

/// Turns two fitted images into a plan; `FrameRenderer` draws the plan.
public protocol InterpolationEngine: Sendable {
    /// A short name, recorded in the plan.
    var name: String { get }
    /// Analyses the two images and plans every frame.
    func plan(start: RGBImage, end: RGBImage, request: RenderRequest) throws -> MotionPlan
}

/// The engines this build offers, by name.
public enum EngineKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Global camera motion over a dissolve (the default).
    case camera
    /// A plain cross-fade: a benchmark peer.
    case dissolve

    public var engine: any InterpolationEngine {
        switch self {
        case .camera: CameraMotionEngine()
        case .dissolve: DissolveEngine()
        }
    }
}

/// A plain cross-fade with no motion.
public struct DissolveEngine: InterpolationEngine {
    public init() {}
    public var name: String { "dissolve" }

    public func plan(start: RGBImage, end: RGBImage, request: RenderRequest) throws -> MotionPlan {
        MotionPlan(
            engine: name, size: request.size, fps: request.fps, motion: .none(), followsCamera: false, reason: "dissolve engine: no motion analysis",
            steps: MotionPlan.steps(frameCount: request.frameCount, camera: .linear, blend: .linear))
    }
}

/// Global camera motion (features + robust homography) followed at constant speed, with the
/// two views dissolved along it; a plain dissolve where the motion cannot be trusted.
public struct CameraMotionEngine: InterpolationEngine {
    /// Below this confidence the camera path is not followed.
    public var minimumConfidence: Double

    public init(minimumConfidence: Double = 0.2) {
        self.minimumConfidence = minimumConfidence
    }

    public var name: String { "camera" }

    public func plan(start: RGBImage, end: RGBImage, request: RenderRequest) throws -> MotionPlan {
        let motion = try GlobalMotionEstimator(profile: request.profile).estimate(start: start, end: end)
        let follows = motion.model != .none && motion.confidence >= minimumConfidence
        let reason: String
        if motion.model == .none {
            reason = "no reliable camera model (\(motion.notes.joined(separator: "; "))): dissolve"
        } else if follows {
            reason = "\(motion.model.rawValue) with \(motion.inliers) of \(motion.matches) inliers, confidence \(rounded(motion.confidence))"
        } else {
            reason = "\(motion.model.rawValue) confidence \(rounded(motion.confidence)) below \(minimumConfidence): dissolve"
        }
        return MotionPlan(
            engine: name, size: request.size, fps: request.fps, motion: motion, followsCamera: follows, reason: reason,
            steps: MotionPlan.steps(frameCount: request.frameCount, camera: .linear, blend: .linear))
    }

    private func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
