import CVisionKernels

/// Finds the camera motion between two fitted images: ORB features matched with a ratio test,
/// then a robust fit of a homography, falling back to an affine and then a similarity model,
/// then to none. Every threshold that decides is here, in Swift.
public struct GlobalMotionEstimator: Sendable {
    public var profile: EngineProfile
    /// Fewest inliers a model needs, per model.
    public var minimumInliers: [GlobalMotion.Model: Int] = [.homography: 24, .affine: 16, .similarity: 10]
    /// Smallest share of matches that must agree with a model.
    public var minimumInlierRatio = 0.25
    /// The end frame's area, mapped into start coordinates, may shrink or grow at most this much.
    public var maximumAreaChange = 6.0

    public init(profile: EngineProfile) {
        self.profile = profile
    }

    /// The analysis size for an output size: the long side brought down to the profile's.
    public func analysisSize(for size: PixelSize) -> PixelSize {
        let scale = min(1, Double(profile.analysisLongSide) / Double(max(size.width, size.height)))
        return PixelSize(width: max(16, Int((Double(size.width) * scale).rounded())), height: max(16, Int((Double(size.height) * scale).rounded())))
    }

    /// Estimates the motion from `start` to `end` (both the same size).
    public func estimate(start: RGBImage, end: RGBImage) throws -> GlobalMotion {
        precondition(start.size == end.size, "the two images must be fitted to the same size first")
        let small = analysisSize(for: start.size)
        return try estimate(grayA: try Kernels.gray(start, size: small), grayB: try Kernels.gray(end, size: small), outputSize: start.size)
    }

    /// Estimates the motion between two images of `outputSize` from their grays at the
    /// analysis size (`analysisSize(for: outputSize)`); the matrix is in output pixels.
    func estimate(grayA: GrayImage, grayB: GrayImage, outputSize: PixelSize) throws -> GlobalMotion {
        let small = grayA.size
        let (pa, pb) = try Kernels.matchFeatures(grayA, grayB, maxFeatures: profile.maxFeatures, ratio: profile.matchRatio)
        let matches = pa.count / 2
        var notes: [String] = []
        let candidates: [(GlobalMotion.Model, IVKTransformModel)] = [
            (.homography, IVK_MODEL_HOMOGRAPHY), (.affine, IVK_MODEL_AFFINE), (.similarity, IVK_MODEL_SIMILARITY),
        ]
        // Output ← analysis scale: the same for both axes up to rounding.
        let toOutput = Double(outputSize.width) / Double(small.width)
        for (model, kind) in candidates {
            let needed = minimumInliers[model] ?? 8
            guard matches >= needed else {
                notes.append("\(model.rawValue): \(matches) matches, fewer than the \(needed) needed")
                continue
            }
            guard let fit = try Kernels.estimate(pa, pb, model: kind, threshold: profile.inlierThreshold, iterations: profile.maxIterations) else {
                notes.append("\(model.rawValue): no model found")
                continue
            }
            let ratio = Double(fit.inliers) / Double(matches)
            guard fit.inliers >= needed, ratio >= minimumInlierRatio else {
                notes.append(
                    "\(model.rawValue): \(fit.inliers) of \(matches) inliers (\(Int(ratio * 100))%), below \(needed) or \(Int(minimumInlierRatio * 100))%"
                )
                continue
            }
            let matrix = (Matrix3.scale(toOutput) * fit.matrix * Matrix3.scale(1 / toOutput)).normalized
            if let problem = implausibility(of: matrix, size: outputSize) {
                notes.append("\(model.rawValue): \(problem)")
                continue
            }
            let support = min(1, Double(fit.inliers) / Double(needed * 3))
            var found = GlobalMotion(model: model, matrix: matrix, matches: matches, inliers: fit.inliers, confidence: ratio * support, notes: notes)
            found.spread = Self.spread(of: pa, inliers: fit.mask, size: small)
            found.support = Self.box(of: pa, inliers: fit.mask).map { box in box.map { $0 * toOutput } }
            return found
        }
        return .none(matches: matches, notes: notes)
    }

    /// The share of a `size` image covered by the bounding box of the inlier points.
    static func spread(of points: [Float], inliers: [UInt8], size: PixelSize) -> Double {
        guard let box = box(of: points, inliers: inliers) else { return 0 }
        return box[2] * box[3] / Double(size.pixelCount)
    }

    /// The bounding box [x, y, width, height] of the inlier points (x, y pairs); nil when it
    /// has no area.
    static func box(of points: [Float], inliers: [UInt8]) -> [Double]? {
        var (left, top, right, bottom) = (Float.infinity, Float.infinity, -Float.infinity, -Float.infinity)
        for (i, inlier) in inliers.enumerated() where inlier != 0 {
            left = min(left, points[2 * i])
            right = max(right, points[2 * i])
            top = min(top, points[2 * i + 1])
            bottom = max(bottom, points[2 * i + 1])
        }
        guard right > left, bottom > top else { return nil }
        return [Double(left), Double(top), Double(right - left), Double(bottom - top)]
    }

    /// Why `matrix` cannot be a camera motion between two views of `size`, or nil if it can:
    /// the frame's corners must stay in front of the camera, keep their order (a convex,
    /// unflipped quadrilateral) and the area must not change by more than the limit.
    func implausibility(of matrix: Matrix3, size: PixelSize) -> String? {
        let w = Double(size.width)
        let h = Double(size.height)
        let corners = [(0.0, 0.0), (w, 0), (w, h), (0, h)]
        var mapped: [(x: Double, y: Double)] = []
        for (x, y) in corners {
            guard let point = matrix.apply(x, y) else { return "a corner maps behind the camera" }
            mapped.append(point)
        }
        var signs: [Double] = []
        var area = 0.0
        for i in 0..<4 {
            let a = mapped[i]
            let b = mapped[(i + 1) % 4]
            let c = mapped[(i + 2) % 4]
            signs.append((b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x))
            area += a.x * b.y - b.x * a.y
        }
        guard signs.allSatisfy({ $0 > 0 }) else { return "the mapped frame is folded or flipped" }
        let change = abs(area / 2) / (w * h)
        guard change <= maximumAreaChange, change >= 1 / maximumAreaChange else {
            return "the mapped frame's area changes \(String(describing: (change * 100).rounded() / 100))×, beyond \(maximumAreaChange)×"
        }
        return nil
    }
}
