import Foundation

/// Quality measures between two images of the same size.
public enum ImageMetrics {
    /// Peak signal-to-noise ratio over all RGB samples, in dB (infinity when identical).
    public static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.size == b.size, "PSNR needs images of the same size")
        var sum: UInt64 = 0
        a.pixels.withUnsafeBufferPointer { pa in
            b.pixels.withUnsafeBufferPointer { pb in
                for i in 0..<pa.count {
                    let d = Int(pa[i]) - Int(pb[i])
                    sum &+= UInt64(d * d)
                }
            }
        }
        guard sum > 0 else { return .infinity }
        let mse = Double(sum) / Double(a.pixels.count)
        return 10 * log10(255 * 255 / mse)
    }

    /// A 64-bit FNV-1a hash of a frame's bytes: equal frames hash equal.
    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        return hash
    }
}
