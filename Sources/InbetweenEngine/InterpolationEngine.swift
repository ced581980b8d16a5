/// What an engine is asked to make.
public struct RenderRequest: Sendable, Hashable {
    /// Output frame size; both images are already fitted to it.
    public var size: PixelSize
    /// Frames in the clip, at least 2: frame 0 is the start image, the last the end image.
    public var frameCount: Int
    public var fps: Int
    public var prompt: String
    public var seed: UInt64
    /// A prompt-driven camera move's size as a fraction of the frame; nil: chosen from the prompt.
    public var amplitude: Double?
    public var profile: EngineProfile
    /// The request's creative controls; empty: today's behaviour.
    public var controls: CreativeControls

    public init(
        size: PixelSize, frameCount: Int, fps: Int, prompt: String = "", seed: UInt64 = 0, amplitude: Double? = nil, profile: EngineProfile = .pro,
        controls: CreativeControls = CreativeControls()
    ) {
        self.controls = controls
        self.size = size
        self.frameCount = frameCount
        self.fps = fps
        self.prompt = prompt
        self.seed = seed
        self.amplitude = amplitude
        self.profile = profile
    }
}

/// A plan and the data its frames are drawn from.
public struct PreparedClip: Sendable {
    public var plan: MotionPlan
    /// The dense local motion, when the plan uses it.
    public var flow: FlowField?
    /// The static mask (one byte per output pixel, non-zero: no motion, only a dissolve), when
    /// the request has one.
    public var staticMask: [UInt8]? = nil
    /// The motion-brush strokes, when the request has some (see `MotionPlan.BrushStroke`).
    public var brushes: [CreativeControls.Brush] = []
}

/// Turns two fitted images into a prepared clip; `FrameRenderer` draws it.
public protocol InterpolationEngine: Sendable {
    /// A short name, recorded in the plan.
    var name: String { get }
    /// Analyses the two images and plans every frame.
    func prepare(start: RGBImage, end: RGBImage, request: RenderRequest) throws -> PreparedClip
}

extension InterpolationEngine {
    /// The plan alone.
    public func plan(start: RGBImage, end: RGBImage, request: RenderRequest) throws -> MotionPlan {
        try prepare(start: start, end: end, request: request).plan
    }
}

/// The engines this build offers, by name.
public enum EngineKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// Global camera motion refined by dense flow, confidence-weighted (the default).
    case motion
    /// Global camera motion over a dissolve, no local flow: a benchmark peer.
    case homography
    /// A plain cross-fade: a benchmark peer.
    case dissolve

    public var engine: any InterpolationEngine {
        switch self {
        case .motion: MotionEngine(useFlow: true)
        case .homography: MotionEngine(useFlow: false)
        case .dissolve: DissolveEngine()
        }
    }
}

/// A plain cross-fade with no motion.
public struct DissolveEngine: InterpolationEngine {
    public init() {}
    public var name: String { "dissolve" }

    public func prepare(start: RGBImage, end: RGBImage, request: RenderRequest) throws -> PreparedClip {
        var plan = MotionPlan(
            engine: name, size: request.size, fps: request.fps, motion: .none(), cues: .none, camera: .none, flow: nil,
            reason: "dissolve engine: no motion analysis", steps: MotionPlan.steps(frameCount: request.frameCount, camera: .linear, blend: .linear))
        // A cross-fade has no motion to control; it loops when asked (the other controls move things).
        if request.controls.loop {
            plan.steps = MotionPlan.loopSteps(frameCount: request.frameCount, camera: .linear, blend: .linear)
            var controls = MotionPlan.Controls()
            controls.loop = true
            plan.controls = controls
            plan.reason += "; looping: start → end → start"
        }
        return PreparedClip(plan: plan, flow: nil)
    }
}
