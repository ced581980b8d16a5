import Foundation

/// The motion engine: global camera motion (features + robust homography) as the backbone,
/// dense flow on the aligned pair for what moves on its own, per-pixel confidence deciding
/// between the two and a dissolve; the prompt shapes pace and, when the images do not match,
/// picks a camera move over the dissolve.
public struct MotionEngine: InterpolationEngine {
    /// Refine the global motion with dense flow (when the profile allows it too).
    public var useFlow: Bool
    /// Below this confidence the found motion is not followed.
    public var minimumConfidence: Double

    /// Without a camera model, the images show one scene from a still camera when at least
    /// this share of the frame agrees within `agreementLevels` (luma, after a blur): a plain
    /// table has no features to fit, but it is the same table.
    public var sameSceneShare: Double
    public var agreementLevels = 12
    /// A camera model with a confidence under `wellSupported` is followed only where it leaves
    /// at most `minimumExplained` of the mean difference that no motion leaves.
    public var minimumExplained = 0.75
    public var wellSupported = 0.5
    /// A camera model whose inliers' bounding box covers less of the frame than this fits a
    /// thing, not the camera.
    public var minimumSpread = 0.25
    /// Two images that do not match are morphed along the dense flow (instead of dissolved)
    /// when its trusted part (consistent both ways, explaining the other image clearly better
    /// than no motion) covers at least this share of the pixels that changed. Measured: 0.71 on
    /// a cockatoo walking up to a handheld camera (+1.6 dB over the dissolve), 0.37 and less
    /// where morphing did not pay, 0.19 and less across Megamind's cuts.
    public var morphShare = 0.5

    public init(useFlow: Bool = true, minimumConfidence: Double = 0.2, sameSceneShare: Double = 0.6) {
        self.useFlow = useFlow
        self.minimumConfidence = minimumConfidence
        self.sameSceneShare = sameSceneShare
    }

    public var name: String { useFlow ? "motion" : "homography" }

    public func prepare(start: RGBImage, end: RGBImage, request: RenderRequest) throws -> PreparedClip {
        let profile = request.profile
        // Both images at the analysis size, once: the camera model, the agreement tests and the
        // change tracking all read them.
        let estimator = GlobalMotionEstimator(profile: profile)
        let small = estimator.analysisSize(for: start.size)
        let grays = (start: try Kernels.gray(start, size: small), end: try Kernels.gray(end, size: small))
        let motion = try estimator.estimate(grayA: grays.start, grayB: grays.end, outputSize: start.size)
        // The negative prompt switches cue words off (nothing without one).
        let negative = request.controls.negativePrompt.map(NegativeCues.parse)
        let (cues, removed) = negative?.apply(to: MotionCues.parse(request.prompt)) ?? (MotionCues.parse(request.prompt), [])
        // A negative prompt that names camera movement locks the camera (an explicit move wins).
        let locked = negative?.locksCamera == true && request.controls.camera == nil
        // A camera model must explain the pair better than a still camera does: features found
        // only on a thing that moved (a coin on a plain table) fit its motion, not the camera's.
        let still = try agreement(grays, motion: .identity, outputSize: start.size)
        let fitted = motion.model == .none ? nil : try agreement(grays, motion: motion.matrix, outputSize: start.size)
        // So must one whose inliers all sit on a small part of the frame.
        let local = motion.model != .none && motion.spread < minimumSpread
        let stillWins = still.share >= sameSceneShare && (still.residual <= (fitted?.residual ?? .infinity) || local)
        // And a camera model with little support must explain a good part of the difference: one
        // that leaves most of it (a bird filling the frame, faces that talk) moves the whole frame
        // for little. A well-supported one stands even where the light changes (a time-lapse).
        let explains =
            motion.confidence >= wellSupported || (fitted.map { $0.residual <= minimumExplained * still.residual } ?? false)
        let cameraFound = motion.model != .none && motion.confidence >= minimumConfidence && !stillWins && explains
        let matched = cameraFound && !locked
        // Without a camera model worth following, two images that mostly agree as they are
        // are still one scene: only what moves on its own moves.
        let stillScene = !matched && still.share >= sameSceneShare
        var camera = MotionPlan.Camera.none
        var reason = ""
        var flow: FlowField?
        var flowSummary: MotionPlan.Flow?
        let found = "\(motion.model.rawValue) with \(motion.inliers) of \(motion.matches) inliers, confidence \(rounded(motion.confidence))"

        let unmatched =
            motion.model == .none
            ? "no reliable camera model"
            : stillWins && local
                ? "the \(found) fits a thing that moved, not the camera (its inliers cover \(percent(motion.spread)) of the frame)"
                : stillWins
                    ? "the \(found) explains the end no better than no motion (mean difference \(rounded(fitted?.residual ?? 0)) "
                        + "against \(rounded(still.residual)) levels)"
                    : motion.confidence < minimumConfidence
                        ? "\(found) is below \(minimumConfidence)"
                        : "the \(found) is below \(wellSupported) and leaves a mean difference of \(rounded(fitted?.residual ?? 0)) "
                            + "levels of no motion's \(rounded(still.residual)), more than \(percent(minimumExplained))"
        let why = cameraFound && locked ? "the negative prompt locks the camera: the \(found) is not followed" : unmatched
        // With a motion brush the strokes are what moves on its own: no dense flow.
        let flowAllowed = useFlow && profile.useFlow && request.controls.brushes.isEmpty
        func analyseFlow(_ matrix: Matrix3, thing: ThingMotion? = nil) throws {
            guard flowAllowed else { return }
            follow(try FlowAnalyzer(profile: profile).analyse(start: start, end: end, motion: matrix, analysis: grays, thing: thing))
        }
        func follow(_ field: FlowField) {
            flow = field
            let scale = Double(request.size.width) / Double(field.size.width)
            flowSummary = MotionPlan.Flow(
                size: field.size, trustedShare: rounded(field.trustedShare), meanMagnitude: rounded(field.meanMagnitude * scale),
                tracked: field.tracked, regions: field.regions)
            if let regions = field.regions {
                reason +=
                    "; of the frame \(percent(regions.still)) stays still, \(percent(regions.flow)) follows the dense flow, "
                    + "\(percent(regions.tracked)) moves with \(field.tracked.count) thing(s) followed, "
                    + "\(percent(regions.dissolve)) is untrusted (camera motion and dissolve)"
            }
        }
        if matched {
            camera = MotionPlan.Camera(source: .found, matrix: motion.matrix, easing: cues.pace.easing)
            reason = "the images match: following the \(found), \(cues.pace.rawValue) pace"
            try analyseFlow(motion.matrix)
        } else if stillScene {
            camera = MotionPlan.Camera(source: .still, matrix: .identity, easing: cues.pace.easing)
            reason = "\(why), but \(percent(still.share)) of the frame agrees unmoved: one scene from a still camera, \(cues.pace.rawValue) pace"
            // A camera model that fits a thing rather than the camera is that thing's own
            // motion: it moves the pixels it explains as one piece.
            let thing = motion.support.map { ThingMotion(matrix: motion.matrix, support: $0) }
            try analyseFlow(.identity, thing: motion.model != .none && stillWins ? thing : nil)
        } else {
            // Named in the negative prompt, a dissolve gives way to a push in.
            let move = cues.move ?? (negative?.prefersMotion == true ? .zoomIn : nil)
            if let axes = request.controls.camera {
                camera = MotionPlan.Camera(source: .control, matrix: .identity, easing: cues.pace.easing)
                reason = "the images do not match (\(why)): the requested camera move (\(axes.type)) over a dissolve"
            } else if let move, move != .static {
                let amplitude = CameraMoves.amplitude(request.amplitude, strength: cues.strength)
                camera = MotionPlan.Camera(
                    source: .prompt, matrix: CameraMoves.matrix(move, amplitude: amplitude, size: request.size), easing: cues.pace.easing, move: move,
                    amplitude: amplitude)
                let asked = cues.move == nil ? "as the negative prompt turns the plain dissolve down" : "as the prompt asks"
                reason = "the images do not match (\(why)): \(move.rawValue) over a dissolve, \(asked)"
            } else {
                reason = "the images do not match (\(why)) and the prompt names no camera move: dissolve"
                // One subject that moved in a way no camera model fits (a bird walking up to a
                // shaking camera) still has dense correspondences: where they explain enough of
                // what changed, morph along them. Two different shots leave most of it unexplained.
                if flowAllowed {
                    let field = try FlowAnalyzer(profile: profile).analyse(start: start, end: end, motion: .identity, analysis: grays)
                    let explained = try explainedShare(field, grays)
                    if explained >= morphShare {
                        camera = MotionPlan.Camera(source: .morph, matrix: .identity, easing: cues.pace.easing)
                        reason =
                            "the images do not match (\(why)), but the dense flow explains \(percent(explained)) of what changed: "
                            + "morphing along it, \(cues.pace.rawValue) pace"
                        follow(field)
                    }
                }
            }
        }
        let plan = MotionPlan(
            engine: name, size: request.size, fps: request.fps, motion: motion, cues: cues, camera: camera, flow: flowSummary, reason: reason,
            steps: MotionPlan.steps(frameCount: request.frameCount, camera: camera.easing, blend: .linear))
        guard !request.controls.isEmpty else { return PreparedClip(plan: plan, flow: flow) }
        return PreparedClip(
            plan: controlled(
                plan, start: start, end: end, request: request, negative: negative,
                removed: removed + (cameraFound && locked ? ["camera path found"] : [])),
            flow: flow, staticMask: request.controls.staticMask, brushes: request.controls.brushes)
    }

    /// Of the pixels where the two images differ (by more than `agreementLevels` after a blur),
    /// the share whose flow is trusted (confidence ≥ 0.5): how much of the change the dense
    /// correspondences explain. Plain areas that agree anyway do not count for them.
    private func explainedShare(_ field: FlowField, _ grays: (start: GrayImage, end: GrayImage)) throws -> Double {
        let mask = try Kernels.changeMask(grays.start, grays.end, blur: 5, threshold: agreementLevels, close: 0, open: 0)
        let kx = Double(mask.size.width) / Double(field.size.width)
        let ky = Double(mask.size.height) / Double(field.size.height)
        var changed = 0
        var explained = 0
        for y in 0..<field.size.height {
            let my = min(mask.size.height - 1, Int((Double(y) + 0.5) * ky))
            for x in 0..<field.size.width {
                let mx = min(mask.size.width - 1, Int((Double(x) + 0.5) * kx))
                guard mask.pixels[my * mask.size.width + mx] != 0 else { continue }
                changed += 1
                if field.forwardConfidence[y * field.size.width + x] >= 0.5 { explained += 1 }
            }
        }
        return changed > 0 ? Double(explained) / Double(changed) : 0
    }

    private func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }

    private func percent(_ share: Double) -> String { "\(Int((share * 100).rounded()))%" }

    /// How well the start and the end (grays at the analysis size of images of `outputSize`),
    /// the end aligned to the start by `motion` (start → end, output pixels), agree: the share
    /// of the frame within `agreementLevels` (luma, after a blur), and the mean absolute luma
    /// difference, each pixel's held under 40 levels.
    private func agreement(_ grays: (start: GrayImage, end: GrayImage), motion: Matrix3, outputSize: PixelSize) throws -> (
        share: Double, residual: Double
    ) {
        let gray = grays.start
        let aligned = motion == .identity ? grays.end : try Kernels.warp(grays.end, map: motion.rescaled(from: outputSize, to: gray.size))
        let mask = try Kernels.changeMask(gray, aligned, blur: 5, threshold: agreementLevels, close: 0, open: 0)
        var sum = 0
        for (a, b) in zip(gray.pixels, aligned.pixels) { sum += min(40, abs(Int(a) - Int(b))) }
        let count = Double(max(1, mask.pixels.count))
        return (Double(mask.pixels.lazy.filter { $0 == 0 }.count) / count, Double(sum) / count)
    }
}

/// Camera moves made up for a pair of images that do not match.
public enum CameraMoves {
    /// The move's size as a fraction of the frame: `requested` (from `movement_amplitude`) or
    /// a medium move, scaled by the prompt's strength.
    public static func amplitude(_ requested: Double?, strength: Double) -> Double {
        (requested ?? 0.12) * strength
    }

    /// The start → end motion of `move` at `amplitude` for a frame of `size`.
    public static func matrix(_ move: MotionCues.Move, amplitude: Double, size: PixelSize) -> Matrix3 {
        let w = Double(size.width)
        let h = Double(size.height)
        let cx = w / 2
        let cy = h / 2
        func aboutCentre(_ m: Matrix3) -> Matrix3 { Matrix3.translation(cx, cy) * m * Matrix3.translation(-cx, -cy) }
        switch move {
        case .zoomIn: return aboutCentre(.scale(1 + 2 * amplitude))
        case .zoomOut: return aboutCentre(.scale(1 / (1 + 2 * amplitude)))
        // Panning left moves what is seen to the right, and so on.
        case .panLeft: return .translation(amplitude * w, 0)
        case .panRight: return .translation(-amplitude * w, 0)
        case .tiltUp: return .translation(0, amplitude * h)
        case .tiltDown: return .translation(0, -amplitude * h)
        case .orbitLeft, .orbitRight:
            let angle = (move == .orbitLeft ? -1.0 : 1.0) * amplitude * 1.5
            let zoom = 1 + amplitude
            return aboutCentre(Matrix3([zoom * cos(angle), -zoom * sin(angle), 0, zoom * sin(angle), zoom * cos(angle), 0, 0, 0, 1]))
        case .static: return .identity
        }
    }
}
