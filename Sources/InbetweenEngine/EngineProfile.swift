/// The engine's knobs for one quality level. The three modes of the API map to the three
/// presets below; each is a real trade-off between time and quality.
public struct EngineProfile: Sendable, Hashable, Codable {
    /// Long side of the analysis images, in pixels (never above the output's).
    public var analysisLongSide: Int
    /// Most ORB features detected per image.
    public var maxFeatures: Int
    /// Lowe's ratio test threshold for feature matches.
    public var matchRatio: Float
    /// RANSAC / USAC inlier threshold, in analysis pixels.
    public var inlierThreshold: Double
    /// Most robust-fit iterations.
    public var maxIterations: Int
    /// Resampling used when rendering warped frames.
    public var interpolation: Interpolation
    /// Width, in output pixels, of the soft edge where a warped source runs out.
    public var feather: Double

    public init(
        analysisLongSide: Int, maxFeatures: Int, matchRatio: Float, inlierThreshold: Double, maxIterations: Int, interpolation: Interpolation,
        feather: Double
    ) {
        self.analysisLongSide = analysisLongSide
        self.maxFeatures = maxFeatures
        self.matchRatio = matchRatio
        self.inlierThreshold = inlierThreshold
        self.maxIterations = maxIterations
        self.interpolation = interpolation
        self.feather = feather
    }

    /// Coarse analysis (≈360p), fewer features, bilinear rendering.
    public static let turbo = EngineProfile(
        analysisLongSide: 640, maxFeatures: 1500, matchRatio: 0.8, inlierThreshold: 2.5, maxIterations: 2000, interpolation: .bilinear,
        feather: 6)
    /// Full analysis (≈540p), bilinear rendering.
    public static let proFast = EngineProfile(
        analysisLongSide: 960, maxFeatures: 3000, matchRatio: 0.8, inlierThreshold: 3, maxIterations: 5000, interpolation: .bilinear,
        feather: 8)
    /// Full analysis (≈540p), the most features and bicubic rendering.
    public static let pro = EngineProfile(
        analysisLongSide: 960, maxFeatures: 4000, matchRatio: 0.8, inlierThreshold: 3, maxIterations: 10000, interpolation: .bicubic,
        feather: 8)
}
