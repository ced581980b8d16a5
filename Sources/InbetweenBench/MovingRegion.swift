import Foundation

/// Where things move in a frame: the pixels whose real luma differs from the plain (raw,
/// unencoded) cross-fade by more than `threshold` levels, dilated by a square of side
/// `2 × radius + 1`. A still background that a cross-fade already gets right is left out, so
/// the PSNR over the mask measures only what motion has to explain.
public struct MovingRegion: Sendable, Hashable {
    /// Width of the luma plane the mask covers.
    public let width: Int
    /// Height of the luma plane the mask covers.
    public let height: Int
    /// One byte a pixel: 1 inside the moving region, 0 outside.
    public let mask: [UInt8]

    /// Luma levels by which the real frame must differ from the cross-fade.
    public static let threshold = 10
    /// The dilation's half width: 2 makes the 5×5 square.
    public static let radius = 2

    /// The moving region of one frame.
    /// - Parameters:
    ///   - real: the real frame's luma plane, `width × height` bytes (more are ignored).
    ///   - crossFade: the raw cross-fade's luma plane at the same time, same layout.
    ///   - threshold: a pixel is moving when `|real − crossFade| > threshold`.
    ///   - radius: the square dilation's half width.
    public init(
        real: ArraySlice<UInt8>, crossFade: ArraySlice<UInt8>, width: Int, height: Int, threshold: Int = Self.threshold, radius: Int = Self.radius
    ) {
        precondition(real.count >= width * height && crossFade.count >= width * height, "a luma plane is smaller than \(width)x\(height)")
        let count = width * height
        let seed = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            real.withUnsafeBufferPointer { a in
                crossFade.withUnsafeBufferPointer { b in
                    for i in 0..<count { out[i] = abs(Int(a[i]) - Int(b[i])) > threshold ? 1 : 0 }
                }
            }
            initialized = count
        }
        self.width = width
        self.height = height
        mask = Self.dilate(seed, width: width, height: height, radius: radius)
    }

    /// A mask given directly (tests, or a mask made elsewhere).
    public init(mask: [UInt8], width: Int, height: Int) {
        precondition(mask.count == width * height, "a \(width)x\(height) mask has \(width * height) bytes, got \(mask.count)")
        self.width = width
        self.height = height
        self.mask = mask
    }

    /// Pixels inside the region.
    public var count: Int { mask.reduce(0) { $0 + Int($1) } }

    /// The region's share of the frame, 0...1.
    public var share: Double { mask.isEmpty ? 0 : Double(count) / Double(mask.count) }

    /// `mask` grown by a square of half width `radius` (a separable maximum filter, clamped
    /// at the borders).
    /// - Returns: the dilated mask, 1 where any pixel of the square around it was set.
    public static func dilate(_ mask: [UInt8], width: Int, height: Int, radius: Int) -> [UInt8] {
        guard radius > 0, width > 0, height > 0 else { return mask }
        var rows = [UInt8](repeating: 0, count: mask.count)
        var out = [UInt8](repeating: 0, count: mask.count)
        mask.withUnsafeBufferPointer { source in
            rows.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let row = y * width
                    for x in 0..<width where source[row + x] != 0 {
                        for nx in max(0, x - radius)...min(width - 1, x + radius) { target[row + nx] = 1 }
                    }
                }
            }
        }
        rows.withUnsafeBufferPointer { source in
            out.withUnsafeMutableBufferPointer { target in
                for y in 0..<height {
                    let row = y * width
                    for x in 0..<width where source[row + x] != 0 {
                        for ny in max(0, y - radius)...min(height - 1, y + radius) { target[ny * width + x] = 1 }
                    }
                }
            }
        }
        return out
    }

    /// Squared luma error between `a` and `b` summed over the region's pixels, with how many
    /// pixels that was, so errors can be pooled over the frames of a clip.
    /// - Returns: `(sum of squared differences, pixels counted)`.
    public func squaredError(_ a: ArraySlice<UInt8>, _ b: ArraySlice<UInt8>) -> ErrorSum {
        precondition(a.count >= mask.count && b.count >= mask.count, "a luma plane is smaller than the mask")
        var sum: UInt64 = 0
        var pixels = 0
        mask.withUnsafeBufferPointer { inside in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    for i in 0..<inside.count where inside[i] != 0 {
                        let d = Int(pa[i]) - Int(pb[i])
                        sum &+= UInt64(d * d)
                        pixels += 1
                    }
                }
            }
        }
        return ErrorSum(squared: sum, pixels: pixels)
    }
}

/// A sum of squared 8-bit errors over some pixels, to pool over frames and turn into PSNR.
public struct ErrorSum: Sendable, Hashable {
    /// Sum of squared differences.
    public var squared: UInt64
    /// Pixels summed.
    public var pixels: Int

    /// An empty sum, or one with the given totals.
    public init(squared: UInt64 = 0, pixels: Int = 0) {
        self.squared = squared
        self.pixels = pixels
    }

    /// Adds another frame's errors.
    public static func += (lhs: inout ErrorSum, rhs: ErrorSum) {
        lhs.squared &+= rhs.squared
        lhs.pixels += rhs.pixels
    }

    /// PSNR in dB of the pooled error for 8-bit samples; nil when no pixel was counted, capped
    /// at `ErrorSum.maxPSNR` when the error is zero (so means stay finite).
    public var psnr: Double? {
        guard pixels > 0 else { return nil }
        guard squared > 0 else { return Self.maxPSNR }
        return min(Self.maxPSNR, 10 * log10(255 * 255 / (Double(squared) / Double(pixels))))
    }

    /// The PSNR reported for identical pixels.
    public static let maxPSNR = 100.0
}
