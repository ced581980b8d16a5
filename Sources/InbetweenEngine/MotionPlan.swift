/// What the engine will draw, frame by frame, as plain data: it can be logged, written as
/// JSON, tested and shown.
public struct MotionPlan: Sendable, Hashable, Codable {
    /// One output frame.
    public struct Step: Sendable, Hashable, Codable {
        public var index: Int
        /// Position in the clip, 0 (start image) ... 1 (end image).
        public var time: Double
        /// Progress along the camera path, 0 ... 1.
        public var camera: Double
        /// Weight of the end image in the blend, 0 ... 1.
        public var blend: Double
    }

    /// The engine that made the plan.
    public var engine: String
    /// Output frame size.
    public var size: PixelSize
    public var fps: Int
    /// The camera motion found between the images.
    public var motion: GlobalMotion
    /// Whether the frames follow `motion` (false: a plain dissolve).
    public var followsCamera: Bool
    /// Why the plan is what it is, in words.
    public var reason: String
    public var steps: [Step]

    public var frameCount: Int { steps.count }
}

/// How progress runs over time.
public enum Easing: String, Sendable, Hashable, Codable, CaseIterable {
    /// Constant speed, as real footage between two keyframes.
    case linear
    /// Slow in and out (smoothstep).
    case easeInOut

    public func apply(_ t: Double) -> Double {
        let x = min(1, max(0, t))
        switch self {
        case .linear: return x
        case .easeInOut: return x * x * (3 - 2 * x)
        }
    }
}

extension MotionPlan {
    /// The steps of a clip of `frameCount` frames: frame 0 at time 0, the last at time 1.
    public static func steps(frameCount: Int, camera: Easing, blend: Easing) -> [Step] {
        precondition(frameCount >= 2, "a clip has at least two frames")
        return (0..<frameCount).map { index in
            let time = Double(index) / Double(frameCount - 1)
            return Step(index: index, time: time, camera: camera.apply(time), blend: blend.apply(time))
        }
    }
}
