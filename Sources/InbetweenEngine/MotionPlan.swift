import Foundation

/// What the engine will draw, frame by frame, as plain data: it can be logged, written as
/// JSON, tested and shown.
public struct MotionPlan: Sendable, Hashable, Codable {
    /// One output frame.
    public struct Step: Sendable, Hashable, Codable {
        public var index: Int
        /// Position in the clip, 0 (start image) ... 1 (end image).
        public var time: Double
        /// Progress along the camera path and of the local motion, 0 ... 1.
        public var camera: Double
        /// Weight of the end image in the blend, 0 ... 1.
        public var blend: Double
        /// Output → start map of this frame, when an explicit camera move (`camera_control`)
        /// shapes the path; nil otherwise.
        public var cameraMatrix: Matrix3? = nil
    }

    /// The camera path the frames follow.
    public struct Camera: Sendable, Hashable, Codable {
        /// Where the path comes from.
        public enum Source: String, Sendable, Hashable, Codable {
            /// The motion found between the images.
            case found
            /// The images do not match: a move the prompt asked for, over a dissolve.
            case prompt
            /// No camera model, but the two images show the same scene: a still camera, where
            /// only what moves on its own moves.
            case still
            /// The images do not match as they stand, but dense correspondences explain much of
            /// the change (one subject that moved non-rigidly, a camera too close or shaky to
            /// fit): no camera path, the pixels move along the flow where it is trusted.
            case morph
            /// No camera motion: a dissolve.
            case none
            /// The images do not match: the explicit camera move the request asked for
            /// (`camera_control`), over a dissolve.
            case control
        }

        public var source: Source
        /// Start → end in output pixels: the path runs from identity to this.
        public var matrix: Matrix3
        /// How camera progress runs over time.
        public var easing: Easing
        /// The move the prompt named, when the path comes from the prompt.
        public var move: MotionCues.Move?
        /// The move's size as a fraction of the frame (prompt paths only).
        public var amplitude: Double?

        public static let none = Camera(source: .none, matrix: .identity, easing: .linear)

        public init(source: Source, matrix: Matrix3, easing: Easing, move: MotionCues.Move? = nil, amplitude: Double? = nil) {
            self.source = source
            self.matrix = matrix
            self.easing = easing
            self.move = move
            self.amplitude = amplitude
        }
    }

    /// What the dense flow found, when it was used.
    public struct Flow: Sendable, Hashable, Codable {
        public var size: PixelSize
        /// Share of pixels whose local motion is trusted; elsewhere the frame falls back to
        /// the global motion and a dissolve.
        public var trustedShare: Double
        /// Mean local motion, in output pixels.
        public var meanMagnitude: Double
        /// Things that moved on their own, found and followed explicitly (analysis pixels).
        public var tracked: [TrackedRegion] = []
        /// What the start image's pixels do, as shares of the frame (they add up to 1).
        public var regions: Regions?
    }

    /// What the start image's pixels do, as shares of the frame.
    public struct Regions: Sendable, Hashable, Codable {
        /// Moving with a followed thing (see `Flow.tracked`).
        public var tracked: Double
        /// Moving with the trusted dense flow, on top of the camera motion.
        public var flow: Double
        /// Still relative to the camera motion (the images agree there, or it is background a
        /// thing covers or uncovers): drawn from the inputs' own pixels where the camera is still.
        public var still: Double
        /// Not trusted: the camera motion and a dissolve.
        public var dissolve: Double
    }

    /// The engine that made the plan.
    public var engine: String
    /// Output frame size.
    public var size: PixelSize
    public var fps: Int
    /// The camera motion found between the images.
    public var motion: GlobalMotion
    /// What the prompt asked for.
    public var cues: MotionCues
    /// The camera path followed.
    public var camera: Camera
    /// The dense local motion, or nil where it is not used.
    public var flow: Flow?
    /// Why the plan is what it is, in words.
    public var reason: String
    public var steps: [Step]
    /// What the creative controls did; nil when the request had none.
    public var controls: Controls? = nil

    public var frameCount: Int { steps.count }
    /// Whether the frames follow a camera path (found or asked for).
    public var followsCamera: Bool { camera.source == .found || camera.source == .prompt }
    /// Whether the clip loops: its last frame leads into the first and is not the end image.
    public var loops: Bool { controls?.loop == true }
}

/// How progress runs over time.
public enum Easing: String, Sendable, Hashable, Codable, CaseIterable {
    /// Constant speed, as real footage between two keyframes.
    case linear
    /// Slow in and out (smoothstep).
    case easeInOut
    /// Fast at first, settling at the end.
    case easeOut
    /// Still, then most of the move within the middle third, then still.
    case sudden

    public func apply(_ t: Double) -> Double {
        let x = min(1, max(0, t))
        switch self {
        case .linear: return x
        case .easeInOut: return x * x * (3 - 2 * x)
        case .easeOut: return 1 - (1 - x) * (1 - x)
        case .sudden:
            // A logistic step centred on 0.5, rescaled to pass exactly through 0 and 1.
            func step(_ v: Double) -> Double { 1 / (1 + exp(-14 * (v - 0.5))) }
            return (step(x) - step(0)) / (step(1) - step(0))
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
