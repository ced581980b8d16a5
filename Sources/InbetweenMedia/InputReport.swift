import InbetweenAPI
import InbetweenEngine

/// What staging did with one input image, for `--json`, `--plan` and job records: its
/// colour, transparency, animation and orientation as the README's input table describes.
public struct InputReport: Sendable, Hashable, Codable {
    /// `image` or `image_tail`.
    public var field: String
    /// `png`, `jpeg` or `webp`.
    public var format: String
    /// Width and height as shown (after orientation), pixels.
    public var width: Int
    public var height: Int
    /// Frames in the file; only the first is used.
    public var frames: Int
    /// What was done with its colours, e.g. `ICC profile "Display P3" converted to sRGB (perceptual)`.
    public var colour: String
    /// `composited over white (#FFFFFF)` when it has transparency, else nil.
    public var alpha: String?
    /// The EXIF orientation honoured, 1 (upright) ... 8.
    public var orientation: Int
    /// `animated (N frames): the first frame is used` for an animation, else nil.
    public var note: String?

    /// The report for a staged image.
    public init(_ image: StagedImage) {
        field = image.field
        format = image.format.rawValue
        width = image.size.width
        height = image.size.height
        frames = image.traits.frameCount
        colour = ColourConverter.describe(image.traits)
        let background = ImageStager.background
        alpha =
            image.traits.hasAlpha
            ? "composited over \(background == (255, 255, 255) ? "white " : "")(#\([background.r, background.g, background.b].map(\.hex).joined()))"
            : nil
        orientation = image.orientation
        note = image.traits.isAnimated ? "animated (\(image.traits.frameCount) frames): the first frame is used" : nil
    }
}

extension UInt8 {
    fileprivate var hex: String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(self >> 4)], digits[Int(self & 0xF)]])
    }
}
