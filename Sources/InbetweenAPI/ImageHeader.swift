import Foundation

/// Reads an image's pixel size from its header without decoding it, so a data URI can be
/// checked at create (a "decompression bomb" claiming 12000×12000 in a few bytes is refused
/// before any decoder sees it). The decoder checks again when the worker stages the image.
public enum ImageHeader {
    /// The stored width and height, or nil when the header is missing or malformed.
    public static func size(_ bytes: [UInt8], format: ImageFormat) -> (width: Int, height: Int)? {
        switch format {
        case .png: png(bytes)
        case .jpeg: jpeg(bytes)
        case .webp: webp(bytes)
        }
    }

    private static func be32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 24 | Int(b[i + 1]) << 16 | Int(b[i + 2]) << 8 | Int(b[i + 3]) }
    private static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    private static func le16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
    private static func le24(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 }

    /// IHDR is the first chunk: width and height at bytes 16 and 20.
    private static func png(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 24, Array(b[12..<16]) == Array("IHDR".utf8) else { return nil }
        return (be32(b, 16), be32(b, 20))
    }

    /// Why an image that is well formed cannot be decoded here, as words for a message, or nil:
    /// an arithmetic-coded JPEG (start-of-frame SOF9–SOF11, SOF13–SOF15) or a hierarchical one
    /// (SOF5–SOF7), which ffmpeg does not decode. Read from the header, so a data URI is
    /// refused when the job is created.
    public static func unsupportedCoding(_ bytes: [UInt8], format: ImageFormat) -> String? {
        guard format == .jpeg, let marker = jpegFrame(bytes)?.marker else { return nil }
        let kind =
            switch marker {
            case 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF: "an arithmetic-coded"
            case 0xC5, 0xC6, 0xC7: "a hierarchical (differential)"
            default: String?.none
            }
        return kind.map { "it is \($0) JPEG, which this service does not decode; save it as an ordinary (Huffman-coded) JPEG or a PNG" }
    }

    /// The stored size from a JPEG's start-of-frame segment.
    private static func jpeg(_ b: [UInt8]) -> (Int, Int)? {
        guard let frame = jpegFrame(b), frame.offset + 9 <= b.count else { return nil }
        return (be16(b, frame.offset + 7), be16(b, frame.offset + 5))
    }

    /// Walks the marker segments to the first start-of-frame (SOF0–SOF15 but DHT, JPG, DAC):
    /// its marker and where its segment starts.
    private static func jpegFrame(_ b: [UInt8]) -> (marker: UInt8, offset: Int)? {
        var i = 2
        while i + 4 <= b.count {
            guard b[i] == 0xFF else { return nil }
            let marker = b[i + 1]
            if marker == 0xFF {
                i += 1
                continue
            }
            if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) {
                i += 2
                continue
            }
            let length = be16(b, i + 2)
            guard length >= 2 else { return nil }
            if (0xC0...0xCF).contains(marker) && ![0xC4, 0xC8, 0xCC].contains(marker) {
                return (marker, i)
            }
            if marker == 0xDA { return nil }
            i += 2 + length
        }
        return nil
    }

    /// RIFF/WEBP with a VP8 (lossy), VP8L (lossless) or VP8X (extended) first chunk.
    private static func webp(_ b: [UInt8]) -> (Int, Int)? {
        guard b.count >= 30 else { return nil }
        switch String(decoding: b[12..<16], as: UTF8.self) {
        case "VP8 ":
            guard b[23] == 0x9D, b[24] == 0x01, b[25] == 0x2A else { return nil }
            return (le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF)
        case "VP8L":
            guard b[20] == 0x2F else { return nil }
            let bits = Int(b[21]) | Int(b[22]) << 8 | Int(b[23]) << 16 | Int(b[24]) << 24
            return ((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1)
        case "VP8X":
            return (le24(b, 24) + 1, le24(b, 27) + 1)
        default:
            return nil
        }
    }
}

extension ImageLimits {
    /// Refuses a size over the pixel limit or outside the aspect limit, naming `field`.
    public func check(width: Int, height: Int, field: String) throws(APIError) {
        guard width > 0, height > 0 else {
            throw .invalidImage(field, "`\(field)` claims a size of \(width)x\(height); it is corrupt.")
        }
        guard width * height <= maxPixels else {
            let megapixels = (Double(width * height) / 100_000).rounded() / 10
            throw .invalidImage(
                field, "`\(field)` is \(width)x\(height) (\(megapixels) megapixels); images may have at most \(maxPixels / 1_000_000) megapixels.")
        }
        let aspect = Double(max(width, height)) / Double(min(width, height))
        guard aspect < maxAspectRatio else {
            throw .invalidImage(
                field,
                "`\(field)` is \(width)x\(height), an aspect ratio of \(String(format: "%.2f", aspect)):1; it must be under \(Int(maxAspectRatio)):1."
            )
        }
    }
}
