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
    /// Where things are at time `t` (0 start ... 1 end), by splatting both flows.
    public func at(time t: Double) throws -> IntermediateFlow {
        var toStart = [Float](repeating: 0, count: size.pixelCount * 2)
        var toEnd = [Float](repeating: 0, count: size.pixelCount * 2)
        var trust = [Float](repeating: 0, count: size.pixelCount)
        try Kernels.check(
            ivk_intermediate_flow(
                forward, backward, forwardConfidence, backwardConfidence, Int32(size.width), Int32(size.height), Float(t), &toStart, &toEnd, &trust),
            "intermediate_flow")
        return IntermediateFlow(size: size, toStart: toStart, toEnd: toEnd, trust: trust)
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
        let size = flowSize(for: start.size)
        let a = try Kernels.gray(start, size: size)
        let endGray = try Kernels.gray(end, size: size)
        // In flow pixels, the aligned end at x is the end at H(x): warp with that map.
        let scaleX = Double(start.width) / Double(size.width)
        let toFlow = Matrix3([1 / scaleX, 0, 0, 0, Double(size.height) / Double(start.height), 0, 0, 0, 1])
        let fromFlow = Matrix3([scaleX, 0, 0, 0, Double(start.height) / Double(size.height), 0, 0, 0, 1])
        let alignment = (toFlow * motion * fromFlow).normalized
        let b = try Kernels.warp(endGray, map: alignment)
        let (forward, backward) = try Kernels.disFlowPair(a, b, preset: profile.flowPreset, seeded: profile.seedFlow)
        var forwardConfidence = try Kernels.flowConfidence(
            forward, backward, size: size, tolerance: profile.flowTolerance, blur: profile.confidenceBlur)
        var backwardConfidence = try Kernels.flowConfidence(
            backward, forward, size: size, tolerance: profile.flowTolerance, blur: profile.confidenceBlur)
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
            size: size, forward: forward, backward: backward, forwardConfidence: forwardConfidence, backwardConfidence: backwardConfidence)
    }
}
