/// The camera motion between the two images: one transform from start-image pixels to
/// end-image pixels, the model that was fitted, and how far it can be trusted.
public struct GlobalMotion: Sendable, Hashable, Codable {
    /// The fitted model, strongest first; `none` means no reliable model was found.
    public enum Model: String, Sendable, Hashable, Codable {
        case homography
        case affine
        case similarity
        case none
    }

    public var model: Model
    /// Start → end, in output pixel coordinates.
    public var matrix: Matrix3
    /// Mutual, ratio-tested feature matches.
    public var matches: Int
    /// Matches consistent with `matrix`.
    public var inliers: Int
    /// 0 (no trust) ... 1: the inlier ratio, discounted when few inliers support it.
    public var confidence: Double
    /// The share of the start image's area that the inliers' bounding box covers, 0...1: a
    /// model whose inliers all sit on one small thing describes that thing, not the camera.
    public var spread: Double = 0
    /// The inliers' bounding box in the start image, output pixels: [x, y, width, height];
    /// nil without a model. Where a model that fits a thing can be believed: far from its
    /// matches it is only extrapolated.
    public var support: [Double]?
    /// Why stronger models were refused, in order, for the plan's log.
    public var notes: [String]

    public init(model: Model, matrix: Matrix3, matches: Int, inliers: Int, confidence: Double, notes: [String]) {
        self.model = model
        self.matrix = matrix
        self.matches = matches
        self.inliers = inliers
        self.confidence = confidence
        self.notes = notes
    }

    /// No camera motion.
    public static func none(matches: Int = 0, notes: [String] = []) -> GlobalMotion {
        GlobalMotion(model: .none, matrix: .identity, matches: matches, inliers: 0, confidence: 0, notes: notes)
    }
}
