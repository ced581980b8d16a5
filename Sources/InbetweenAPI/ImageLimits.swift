/// What an input image may be (CONTRACT.md, "Input limits").
public struct ImageLimits: Sendable, Hashable {
    /// Largest encoded file, in bytes.
    public var maxBytes: Int
    /// Largest decoded pixel count (width × height).
    public var maxPixels: Int
    /// The long side over the short side must stay under this.
    public var maxAspectRatio: Double

    public init(maxBytes: Int = 20 * 1024 * 1024, maxPixels: Int = 40_000_000, maxAspectRatio: Double = 4.0) {
        self.maxBytes = maxBytes
        self.maxPixels = maxPixels
        self.maxAspectRatio = maxAspectRatio
    }

    /// The limits CONTRACT.md promises: 20 MiB, 40 megapixels, aspect under 4:1.
    public static let contract = ImageLimits()
}

/// The encoded image formats we accept.
public enum ImageFormat: String, Sendable, Hashable, CaseIterable, Codable {
    case png
    case jpeg
    case webp

    /// The media type used in `data:` URIs.
    public var mediaType: String { "image/\(rawValue)" }

    /// The format whose signature starts `bytes`, if any.
    public static func sniff(_ bytes: some Collection<UInt8>) -> ImageFormat? {
        let head = Array(bytes.prefix(12))
        if head.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        if head.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if head.count == 12, head.starts(with: Array("RIFF".utf8)), Array(head[8..<12]) == Array("WEBP".utf8) { return .webp }
        return nil
    }

    /// The refusal of bytes that are no PNG, JPEG or WebP: it names the format they are in when
    /// their signature is a known one (GIF, BMP, TIFF, HEIF, AVIF).
    public static func notAccepted(_ bytes: some Collection<UInt8>, field: String) -> String {
        let head = Array(bytes.prefix(12))
        let brand = head.count == 12 && head[4..<8].elementsEqual("ftyp".utf8) ? String(decoding: head[8..<12], as: UTF8.self) : ""
        let name: String? =
            if head.starts(with: Array("GIF87a".utf8)) || head.starts(with: Array("GIF89a".utf8)) {
                "a GIF"
            } else if head.starts(with: Array("BM".utf8)) {
                "a BMP"
            } else if head.starts(with: [0x49, 0x49, 0x2A, 0x00]) || head.starts(with: [0x4D, 0x4D, 0x00, 0x2A]) {
                "a TIFF"
            } else if ["heic", "heix", "mif1", "msf1", "hevc"].contains(brand) {
                "a HEIF (HEIC)"
            } else if ["avif", "avis"].contains(brand) {
                "an AVIF"
            } else {
                nil
            }
        guard let name else { return "`\(field)` is not a PNG, JPEG or WebP image: its first bytes are no known image signature." }
        return "`\(field)` is not a PNG, JPEG or WebP image: it is \(name) image, which this service does not accept; save it as a PNG or JPEG."
    }
}
