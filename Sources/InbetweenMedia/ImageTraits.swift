public import InbetweenAPI

/// What an image's container says beside its pixels, read from its chunks or segments without
/// decoding: the colour space its numbers are in, whether it has transparency, whether it is
/// animated, which way up it is shown, and codings we cannot decode. Browsers read the same
/// chunks; the stager follows them the way browsers do (see the README's input table).
public struct ImageTraits: Sendable, Hashable {
    /// The colour space the stored numbers are in.
    public enum Colour: Sendable, Hashable {
        /// No tag: taken as sRGB and left as it is.
        case untagged
        /// Tagged sRGB (a PNG `sRGB` chunk): left as it is.
        case sRGB
        /// An embedded ICC profile (PNG `iCCP`, JPEG `APP2 ICC_PROFILE`, WebP `ICCP`), its bytes.
        case iccProfile([UInt8])
        /// PNG `gAMA` and/or `cHRM` without a profile or `sRGB` chunk.
        case pngChunks(gamma: Double?, chromaticities: Chromaticities?)
    }

    /// A PNG `cHRM` chunk: CIE xy of the white point and the three primaries.
    public struct Chromaticities: Sendable, Hashable {
        public var white: [Double]
        public var red: [Double]
        public var green: [Double]
        public var blue: [Double]
    }

    /// The part of an animation that is used: the first frame, as a still file of its own, and
    /// where it sits on the animation's canvas (pixels).
    public struct FirstFrame: Sendable, Hashable {
        /// A complete still image of the first frame, in the same format (empty in a
        /// `StagedImage`: the staged file holds it).
        public var bytes: [UInt8]
        public var x: Int
        public var y: Int
        public var width: Int
        public var height: Int
        public var canvasWidth: Int
        public var canvasHeight: Int
        /// Whether the frame leaves part of the canvas uncovered (that part shows the background).
        public var coversCanvas: Bool { x == 0 && y == 0 && width == canvasWidth && height == canvasHeight }
    }

    public var colour: Colour = .untagged
    /// One channel of grey (PNG colour types 0 and 4, a one-component JPEG).
    public var isGrey = false
    /// An alpha channel or a `tRNS` chunk: composited over `ImageStager.background`.
    public var hasAlpha = false
    /// Frames in an animation (APNG `acTL`, WebP `ANMF` chunks); 1 for a still image.
    public var frameCount = 1
    /// For an animated WebP, its first frame (ffmpeg's WebP decoder reads still WebPs only).
    public var firstFrame: FirstFrame?
    /// EXIF orientation, 1 (upright) ... 8, from JPEG APP1, PNG `eXIf` or WebP `EXIF`.
    public var orientation = 1
    /// Why the pixels cannot be decoded here although the file is well formed (arithmetic-coded
    /// JPEG), in words for a message; nil when nothing is known to stand in the way.
    public var unsupported: String?
    /// Whether the file stops before its own structure says it ends (no PNG `IEND`, no JPEG
    /// end-of-image marker, a WebP shorter than its RIFF size).
    public var truncated = false

    public init() {}

    /// Whether the image is animated.
    public var isAnimated: Bool { frameCount > 1 }

    /// Reads the traits of an image's bytes in `format`. Never fails: what cannot be read is
    /// left at its default (untagged, opaque, still, upright).
    public static func read(_ bytes: [UInt8], format: ImageFormat) -> ImageTraits {
        switch format {
        case .png: png(bytes)
        case .jpeg: jpeg(bytes)
        case .webp: webp(bytes)
        }
    }
}

/// Bounds-checked big- and little-endian reads over a byte array.
extension Array where Element == UInt8 {
    func be32(_ at: Int) -> Int? {
        guard at >= 0, at + 4 <= count else { return nil }
        return Int(self[at]) << 24 | Int(self[at + 1]) << 16 | Int(self[at + 2]) << 8 | Int(self[at + 3])
    }

    func be16(_ at: Int) -> Int? {
        guard at >= 0, at + 2 <= count else { return nil }
        return Int(self[at]) << 8 | Int(self[at + 1])
    }

    func le24(_ at: Int) -> Int? {
        guard at >= 0, at + 3 <= count else { return nil }
        return Int(self[at]) | Int(self[at + 1]) << 8 | Int(self[at + 2]) << 16
    }

    func le32(_ at: Int) -> Int? {
        guard at >= 0, at + 4 <= count else { return nil }
        return Int(self[at]) | Int(self[at + 1]) << 8 | Int(self[at + 2]) << 16 | Int(self[at + 3]) << 24
    }

    func tag(_ at: Int) -> String? {
        guard at >= 0, at + 4 <= count else { return nil }
        return String(decoding: self[at..<(at + 4)], as: UTF8.self)
    }
}
