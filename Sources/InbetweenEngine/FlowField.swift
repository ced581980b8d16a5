import CVisionKernels

/// Dense local motion between the globally aligned images, at a reduced size: the flow each
/// way (in flow pixels) and how far each can be trusted (forward–backward consistency).
public struct FlowField: Sendable {
    public var size: PixelSize
    /// Start → aligned end, (dx, dy) per pixel.
    public var forward: [Float]
    /// Aligned end → start.
    public var backward: [Float]
    /// 0...1 per pixel.
    public var forwardConfidence: [Float]
    public var backwardConfidence: [Float]
    /// The things followed explicitly (see `ChangeTracker`), in analysis pixels.
    public var tracked: [TrackedRegion] = []
    /// What the start's pixels do (see `MotionPlan.Regions`).
    public var regions: MotionPlan.Regions?

    /// Share of pixels whose forward flow is trusted (confidence ≥ 0.5).
    public var trustedShare: Double {
        Double(forwardConfidence.filter { $0 >= 0.5 }.count) / Double(max(1, forwardConfidence.count))
    }

    /// Mean forward flow length, in flow pixels.
    public var meanMagnitude: Double {
        var sum = 0.0
        for i in stride(from: 0, to: forward.count, by: 2) {
            sum += Double((forward[i] * forward[i] + forward[i + 1] * forward[i + 1]).squareRoot())
        }
        return sum / Double(max(1, forward.count / 2))
    }
}

/// The local motion at one moment of the clip, from `FlowField.at(time:)`.
public struct IntermediateFlow: Sendable {
    public var size: PixelSize
    /// Displacement back to the start, (dx, dy) per pixel.
    public var toStart: [Float]
    /// Displacement on to the (aligned) end.
    public var toEnd: [Float]
    /// 0...1 per pixel.
    public var trust: [Float]
}

extension FlowField {
    /// Where things are at time `t` (0 start ... 1 end), by splatting both flows, what moves
    /// more in front by `depth` (see `EngineProfile.splatDepth`).
    public func at(time t: Double, depth: Double = EngineProfile.pro.splatDepth) throws -> IntermediateFlow {
        var toStart = [Float](repeating: 0, count: size.pixelCount * 2)
        var toEnd = [Float](repeating: 0, count: size.pixelCount * 2)
        var trust = [Float](repeating: 0, count: size.pixelCount)
        try Kernels.check(
            ivk_intermediate_flow(
                forward, backward, forwardConfidence, backwardConfidence, Int32(size.width), Int32(size.height), Float(t), Float(depth), &toStart,
                &toEnd, &trust),
            "intermediate_flow")
        return IntermediateFlow(size: size, toStart: toStart, toEnd: toEnd, trust: trust)
    }
}

/// A thing's own motion that the feature matches found, rather than the camera's.
struct ThingMotion: Sendable {
    /// Start → end.
    var matrix: Matrix3
    /// Its matches' bounding box in the start: [x, y, width, height], in the same pixels.
    var support: [Double]

    /// The same in pixels of `to` for images of `from`.
    func rescaled(from: PixelSize, to: PixelSize) -> ThingMotion {
        let kx = Double(to.width) / Double(from.width)
        let ky = Double(to.height) / Double(from.height)
        return ThingMotion(
            matrix: matrix.rescaled(from: from, to: to), support: [support[0] * kx, support[1] * ky, support[2] * kx, support[3] * ky])
    }
}

/// Computes the flow field: both images to gray at the flow size, the end image warped into
/// the start's frame by the global motion, DIS flow both ways, then consistency.
public struct FlowAnalyzer: Sendable {
    public var profile: EngineProfile

    public init(profile: EngineProfile) {
        self.profile = profile
    }

    /// The flow field's size for an output size.
    public func flowSize(for size: PixelSize) -> PixelSize {
        let scale = min(1, Double(profile.flowLongSide) / Double(max(size.width, size.height)))
        return PixelSize(width: max(8, Int((Double(size.width) * scale).rounded())), height: max(8, Int((Double(size.height) * scale).rounded())))
    }

    /// The flow between `start` and `end` once `motion` (start → end, output pixels) is removed.
    public func analyse(start: RGBImage, end: RGBImage, motion: Matrix3) throws -> FlowField {
        let small = GlobalMotionEstimator(profile: profile).analysisSize(for: start.size)
        return try analyse(
            start: start, end: end, motion: motion, analysis: (try Kernels.gray(start, size: small), try Kernels.gray(end, size: small)))
    }

    /// The same, with both images' grays at the analysis size already made (the change tracking
    /// runs on them).
    /// `thing`, a motion the feature matches found on a thing rather than the camera (output
    /// pixels, after `motion`), moves the pixels it explains near its matches as one rigid piece.
    func analyse(
        start: RGBImage, end: RGBImage, motion: Matrix3, analysis: (start: GrayImage, end: GrayImage), thing: ThingMotion? = nil
    ) throws -> FlowField {
        let size = flowSize(for: start.size)
        let a = try Kernels.gray(start, size: size)
        let endGray = try Kernels.gray(end, size: size)
        // In flow pixels, the aligned end at x is the end at H(x): warp with that map.
        let alignment = motion.rescaled(from: start.size, to: size)
        let b = try Kernels.warp(endGray, map: alignment)
        var (forward, backward) = try Kernels.disFlowPair(a, b, preset: profile.flowPreset, seeded: profile.seedFlow)
        var forwardConfidence = try Kernels.flowConfidence(
            forward, backward, size: size, tolerance: profile.flowTolerance, blur: profile.confidenceBlur)
        var backwardConfidence = try Kernels.flowConfidence(
            backward, forward, size: size, tolerance: profile.flowTolerance, blur: profile.confidenceBlur)
        // Consistent is not correct: flow that does not explain the other image clearly better
        // than no motion (grass, water, limbs that moved far) is not trusted.
        forwardConfidence = try Self.weighedByEvidence(forwardConfidence, flow: forward, from: a, to: b)
        backwardConfidence = try Self.weighedByEvidence(backwardConfidence, flow: backward, from: b, to: a)
        // An untrusted hole inside a trusted moving thing (an eye that blinked, a mouth that
        // opened) moves with the thing instead of staying behind and tearing it.
        let fill = profile.fillSigma * Double(max(size.width, size.height))
        try Kernels.fillFlow(&forward, confidence: &forwardConfidence, size: size, sigma: fill)
        try Kernels.fillFlow(&backward, confidence: &backwardConfidence, size: size, sigma: fill)
        // The tracker matches things in colour: both images at the analysis size, the end
        // aligned like its gray.
        let tracked = analysis.start.size
        let toImage = Matrix3([
            Double(start.size.width) / Double(tracked.width), 0, 0, 0, Double(start.size.height) / Double(tracked.height), 0, 0, 0, 1,
        ])
        let aligned = motion.rescaled(from: start.size, to: tracked)
        let colour = (
            start: try start.view(size: tracked, map: toImage, interpolation: .bilinear),
            end: try end.view(size: tracked, map: toImage * aligned, interpolation: .bilinear)
        )
        let tracking = try ChangeTracker().track(
            start: analysis.start, end: try Kernels.warp(analysis.end, map: aligned), colour: colour,
            model: thing?.rescaled(from: start.size, to: tracked))
        // What the tracker knows overrides the dense flow: a thing with its own model moves by
        // it (in flow pixels, each way), a tracked thing by its displacement, the background it
        // covers or uncovers stays, and where the images agree nothing moves at all.
        let model = tracking.model.map { $0.rescaled(from: tracking.size, to: size) }
        let inverseModel = model?.inverse
        let kx = Double(tracking.size.width) / Double(size.width)
        let ky = Double(tracking.size.height) / Double(size.height)
        var counts = (tracked: 0, flow: 0, still: 0, dissolve: 0)
        for y in 0..<size.height {
            let ty = min(tracking.size.height - 1, Int((Double(y) + 0.5) * ky))
            for x in 0..<size.width {
                let tx = min(tracking.size.width - 1, Int((Double(x) + 0.5) * kx))
                let t = ty * tracking.size.width + tx
                let i = y * size.width + x
                if let model, tracking.modelStart[t], let to = model.apply(Double(x), Double(y)) {
                    (forward[2 * i], forward[2 * i + 1], forwardConfidence[i]) = (Float(to.x) - Float(x), Float(to.y) - Float(y), 1)
                    counts.tracked += 1
                } else if tracking.startLabels[t] > 0 {
                    let region = tracking.regions[Int(tracking.startLabels[t]) - 1]
                    (forward[2 * i], forward[2 * i + 1], forwardConfidence[i]) = (Float(region.dx / kx), Float(region.dy / ky), 1)
                    counts.tracked += 1
                } else if tracking.settled[t] || (tracking.unchanged[t] && !Self.moves(forward, forwardConfidence, at: i)) {
                    (forward[2 * i], forward[2 * i + 1], forwardConfidence[i]) = (0, 0, 1)
                    counts.still += 1
                } else if forwardConfidence[i] >= 0.5 {
                    counts.flow += 1
                } else {
                    counts.dissolve += 1
                }
                if let inverseModel, tracking.modelEnd[t], let from = inverseModel.apply(Double(x), Double(y)) {
                    (backward[2 * i], backward[2 * i + 1], backwardConfidence[i]) = (Float(from.x) - Float(x), Float(from.y) - Float(y), 1)
                } else if tracking.endLabels[t] > 0 {
                    let region = tracking.regions[Int(tracking.endLabels[t]) - 1]
                    (backward[2 * i], backward[2 * i + 1], backwardConfidence[i]) = (Float(-region.dx / kx), Float(-region.dy / ky), 1)
                } else if tracking.settled[t] || (tracking.unchanged[t] && !Self.moves(backward, backwardConfidence, at: i)) {
                    (backward[2 * i], backward[2 * i + 1], backwardConfidence[i]) = (0, 0, 1)
                }
            }
        }
        // Where the end image does not see what the start sees, the aligned end is only its
        // replicated border: no flow found there can be trusted.
        let margin = 2.0
        for y in 0..<size.height {
            for x in 0..<size.width {
                let seen = alignment.apply(Double(x), Double(y)).map { point in
                    point.x >= margin && point.y >= margin && point.x <= Double(size.width - 1) - margin
                        && point.y <= Double(size.height - 1) - margin
                }
                if seen != true {
                    forwardConfidence[y * size.width + x] = 0
                    backwardConfidence[y * size.width + x] = 0
                }
            }
        }
        return FlowField(
            size: size, forward: forward, backward: backward, forwardConfidence: forwardConfidence, backwardConfidence: backwardConfidence,
            tracked: tracking.regions,
            regions: MotionPlan.Regions(
                tracked: share(counts.tracked), flow: share(counts.flow), still: share(counts.still), dissolve: share(counts.dissolve)))
        func share(_ count: Int) -> Double { (Double(count) / Double(max(1, size.pixelCount)) * 1000).rounded() / 1000 }
    }

    /// Whether the flow at pixel `i` is trusted and moves at least a flow pixel: the plain
    /// inside of a moving thing (a cheek, a car's door) agrees with the other image where it
    /// is, yet moves with the thing.
    static func moves(_ flow: [Float], _ confidence: [Float], at i: Int) -> Bool {
        confidence[i] >= 0.5 && flow[2 * i] * flow[2 * i] + flow[2 * i + 1] * flow[2 * i + 1] >= 1
    }

    /// `confidence` scaled by how much better `flow` explains `to` from `from` than no motion:
    /// the absolute luma differences each way (flow: `from` at x against `to` at x + flow,
    /// bilinear; none: against `to` at x), box-averaged over 5 × 5 flow pixels; full trust
    /// where the flow leaves under half of no motion's difference, none from 90% on.
    static func weighedByEvidence(_ confidence: [Float], flow: [Float], from: GrayImage, to: GrayImage) throws -> [Float] {
        let w = from.size.width
        let h = from.size.height
        var withFlow = [Float](repeating: 0, count: w * h)
        var without = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                let i = y * w + x
                let value = Float(from.pixels[i])
                let tx = min(max(Float(x) + flow[2 * i], 0), Float(w - 1))
                let ty = min(max(Float(y) + flow[2 * i + 1], 0), Float(h - 1))
                let x0 = min(Int(tx), w - 2)
                let y0 = min(Int(ty), h - 2)
                let fx = tx - Float(x0)
                let fy = ty - Float(y0)
                let p = y0 * w + x0
                let top = Float(to.pixels[p]) * (1 - fx) + Float(to.pixels[p + 1]) * fx
                let bottom = Float(to.pixels[p + w]) * (1 - fx) + Float(to.pixels[p + w + 1]) * fx
                withFlow[i] = abs(value - (top * (1 - fy) + bottom * fy))
                without[i] = abs(value - Float(to.pixels[i]))
            }
        }
        let flowSum = try Kernels.boxSums(withFlow, size: from.size, radius: 2)
        let noneSum = try Kernels.boxSums(without, size: from.size, radius: 2)
        return confidence.indices.map { i in
            let ratio = flowSum[i] / (noneSum[i] + 25 * 2)
            return confidence[i] * min(1, max(0, (0.9 - ratio) / 0.4))
        }
    }
}
