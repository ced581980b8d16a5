/// The engine's knobs for one quality level. The three modes of the API map to the three
/// presets below; each is a real trade-off between time and quality.
public struct EngineProfile: Sendable, Hashable, Codable {
    /// Long side of the feature-matching images, in pixels (never above the output's).
    public var analysisLongSide: Int
    /// Most ORB features detected per image.
    public var maxFeatures: Int
    /// Lowe's ratio test threshold for feature matches.
    public var matchRatio: Float
    /// RANSAC / USAC inlier threshold, in analysis pixels.
    public var inlierThreshold: Double
    /// Most robust-fit iterations.
    public var maxIterations: Int
    /// Whether dense local flow refines the global motion.
    public var useFlow: Bool
    /// Long side of the dense flow field, in pixels.
    public var flowLongSide: Int
    /// DIS preset: 0 ultrafast, 1 fast, 2 medium.
    public var flowPreset: Int
    /// Start DIS from sparse matches (tracked corners and ORB matches) spread over the image,
    /// as EpicFlow seeds its flow, for motion larger than DIS's coarsest scale follows; costs
    /// a few tens of milliseconds.
    public var seedFlow: Bool = false
    /// Forward–backward error, in flow pixels, below which flow is fully trusted.
    public var flowTolerance: Double
    /// Box blur, in flow pixels, that smooths the confidence maps.
    public var confidenceBlur: Int
    /// Resampling used when rendering.
    public var interpolation: Interpolation
    /// Width, in output pixels, of the soft edge where a warped source runs out.
    public var feather: Double
    /// Resampling maps are computed once per `mapStep` × `mapStep` pixels (2 or 4) and
    /// interpolated: they are smooth, and 4 costs a quarter of 2.
    public var mapStep: Int
    /// Softmax splatting's depth weight, per flow pixel of motion: where a moving thing and
    /// what it covers land on one spot at some time, exp(splatDepth · |flow|) keeps the one that
    /// moves more in front (flow length stands in for depth); 0 averages them.
    public var splatDepth: Double = 1
    /// Where the motions of the four flow pixels around a rendered spot differ by more than
    /// this many flow pixels (a motion boundary: a thing's outline), the spot takes the motion
    /// of the one that moves most instead of a blend of them, which would sample neither the
    /// thing nor what it covers (a smeared outline around everything that moves on its own).
    /// 0 blends everywhere.
    public var motionEdge: Double = 1
    /// Width (the Gaussian's σ) over which an untrusted hole in the flow takes the motion of
    /// its trusted surroundings, as a share of the flow field's long side (8 px at 480).
    public var fillSigma: Double = 1.0 / 60

    /// Coarse analysis (long side 640, flow at 320 with DIS ultrafast), bilinear rendering.
    public static let turbo = EngineProfile(
        analysisLongSide: 640, maxFeatures: 1500, matchRatio: 0.8, inlierThreshold: 2.5, maxIterations: 2000, useFlow: true, flowLongSide: 320,
        flowPreset: 0, flowTolerance: 1, confidenceBlur: 5, interpolation: .bilinear, feather: 6, mapStep: 4)
    /// Full analysis (long side 960, flow at 480 with seeded DIS fast), bilinear rendering.
    public static let proFast = EngineProfile(
        analysisLongSide: 960, maxFeatures: 3000, matchRatio: 0.8, inlierThreshold: 3, maxIterations: 5000, useFlow: true, flowLongSide: 480,
        flowPreset: 1, seedFlow: true, flowTolerance: 1, confidenceBlur: 5, interpolation: .bilinear, feather: 8, mapStep: 4)
    /// Full analysis (long side 960, flow at 480 with seeded DIS medium), bicubic rendering.
    public static let pro = EngineProfile(
        analysisLongSide: 960, maxFeatures: 4000, matchRatio: 0.8, inlierThreshold: 3, maxIterations: 10000, useFlow: true, flowLongSide: 480,
        flowPreset: 2, seedFlow: true, flowTolerance: 1, confidenceBlur: 5, interpolation: .bicubic, feather: 8, mapStep: 2)
}
