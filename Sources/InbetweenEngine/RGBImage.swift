/// A width × height in pixels.
public struct PixelSize: Sendable, Hashable, Codable, CustomStringConvertible {
    public var width: Int
    public var height: Int

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
    }

    public var pixelCount: Int { width * height }
    /// Width over height.
    public var aspectRatio: Double { Double(width) / Double(height) }
    public var description: String { "\(width)x\(height)" }
}

/// An 8-bit interleaved RGB image, rows packed (stride = 3 × width).
public struct RGBImage: Sendable, Hashable {
    public let size: PixelSize
    public var pixels: [UInt8]

    /// Wraps `pixels`, which must hold exactly 3 × width × height bytes.
    public init(size: PixelSize, pixels: [UInt8]) {
        precondition(pixels.count == size.pixelCount * 3, "RGBImage needs \(size.pixelCount * 3) bytes, got \(pixels.count)")
        self.size = size
        self.pixels = pixels
    }

    /// A black image.
    public init(size: PixelSize) {
        self.size = size
        self.pixels = [UInt8](repeating: 0, count: size.pixelCount * 3)
    }

    public var width: Int { size.width }
    public var height: Int { size.height }

    /// The RGB triple at (x, y).
    public subscript(x: Int, y: Int) -> (r: UInt8, g: UInt8, b: UInt8) {
        let i = (y * size.width + x) * 3
        return (pixels[i], pixels[i + 1], pixels[i + 2])
    }
}
