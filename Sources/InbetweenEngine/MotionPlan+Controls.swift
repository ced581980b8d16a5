import Foundation

extension MotionPlan {
    /// A motion-brush stroke as planned: the region moves rigidly by the path's displacement from
    /// its first point, at an arc length proportional to the camera progress (so the pace words
    /// ease it), in front of everything.
    public struct BrushStroke: Sendable, Hashable, Codable {
        /// Pixels in the region.
        public var pixels: Int
        /// The path as given, in output pixels.
        public var path: [CreativeControls.Point]
        /// Its length, in output pixels.
        public var length: Double
        /// Whether the end image shows the region where the path ends (mean difference under
        /// `BrushPath.agreementLevels`): then it arrives there, the place it goes showing the
        /// start image until it is covered; otherwise it hands over to the end image by fading out
        /// over the last 40 % of the path.
        public var arrives: Bool
        /// Mean absolute difference (levels, RGB) between the region and the end image where the
        /// path ends.
        public var difference: Double
        /// What fills the place the region leaves: `end image` (it shows the background there:
        /// the thing moved) or `surroundings` (the end image still shows the region there, so the
        /// place is filled from around it, ring by ring).
        public var hole: String
    }

    /// What the request's creative controls did to the plan.
    public struct Controls: Sendable, Hashable, Codable {
        /// The explicit camera move, and what it did: `transition` (the images do not match:
        /// it is the move between the shots) or `path` (they match: it shapes the path between
        /// the two framings, frame 0 and the last frame unchanged).
        public var camera: CameraAxes?
        public var cameraRole: String?
        /// The negative prompt's cue families (see `NegativeCues`) and what it removed from the
        /// plan (`move zoom-in`, `pace slow`, `camera path found`, `dissolve`).
        public var negative: NegativeCues?
        public var removed: [String]?
        /// Start → end → start; the last frame leads into the first.
        public var loop: Bool?
        /// Share of the frame the static mask keeps still (dissolve only).
        public var staticShare: Double?
        /// The motion-brush strokes.
        public var brushes: [BrushStroke]?

        public init() {}
    }

    /// The steps of a looping clip of `frameCount` frames: out from the start to the end at the
    /// middle and back, in the same duration, on a cosine (progress (1 − cos 2πi/N) / 2 at frame
    /// i of N), so that frame N would be frame 0 again: the motion slows into the end image and
    /// back into the start, and the last frame leads into the first as gently as the clip's
    /// other steps near its start (a pendulum, not a bounce).
    public static func loopSteps(frameCount: Int, camera: Easing, blend: Easing) -> [Step] {
        precondition(frameCount >= 2, "a clip has at least two frames")
        return (0..<frameCount).map { index in
            let phase = Double(index) / Double(frameCount)
            // The way back mirrors the way out exactly: frame N − i is frame i.
            let there = (1 - cos(2 * Double.pi * Double(min(index, frameCount - index)) / Double(frameCount))) / 2
            return Step(index: index, time: phase, camera: camera.apply(there), blend: blend.apply(there))
        }
    }

    /// The map from output pixels to start pixels at progress `camera` along the camera path
    /// alone (no explicit control).
    ///
    /// The path moves the frame's four corners in straight lines from where they are in the
    /// start image to where the motion puts them in the end image; the homography through
    /// those corners takes start pixels to the frame.
    public func pathToStart(camera: Double) -> Matrix3 {
        guard followsCamera, camera > 0 else { return .identity }
        let h = self.camera.matrix
        let w = Double(size.width)
        let ht = Double(size.height)
        let corners: [(x: Double, y: Double)] = [(0, 0), (w, 0), (w, ht), (0, ht)]
        let moved = corners.map { corner -> (x: Double, y: Double) in
            let target = h.apply(corner.x, corner.y) ?? corner
            return (corner.x + (target.x - corner.x) * camera, corner.y + (target.y - corner.y) * camera)
        }
        guard let path = Matrix3.perspective(from: corners, to: moved), let inverse = path.inverse else { return .identity }
        return inverse.normalized
    }

    /// The frame's maps at progress `camera` when an explicit camera move shapes them (output →
    /// start, start → end); nil when the request has none.
    public func controlledMaps(camera c: Double) -> (toStart: Matrix3, startToEnd: Matrix3)? {
        guard let axes = controls?.camera else { return nil }
        if camera.source == .control {
            let maps = axes.transitionMaps(size: size, progress: c)
            return (maps.toStart, (maps.toEnd * (maps.toStart.inverse ?? .identity)).normalized)
        }
        return ((pathToStart(camera: c) * axes.pathOffset(size: size, progress: c)).normalized, camera.matrix)
    }
}
