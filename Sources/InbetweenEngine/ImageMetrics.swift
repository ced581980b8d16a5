import CVisionKernels
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

    /// PSNR of the luma planes of two frames, in dB (infinity when identical).
    public static func lumaPSNR(_ a: YUVImage, _ b: YUVImage) -> Double {
        precondition(a.size == b.size, "PSNR needs frames of the same size")
        var sum: UInt64 = 0
        let n = a.size.pixelCount
        a.bytes.withUnsafeBufferPointer { pa in
            b.bytes.withUnsafeBufferPointer { pb in
                for i in 0..<n {
                    let d = Int(pa[i]) - Int(pb[i])
                    sum &+= UInt64(d * d)
                }
            }
        }
        guard sum > 0 else { return .infinity }
        return 10 * log10(255 * 255 / (Double(sum) / Double(n)))
    }

    /// SSIM of the luma planes of two frames (Wang et al. 2004, Gaussian window).
    public static func lumaSSIM(_ a: YUVImage, _ b: YUVImage) throws -> Double {
        precondition(a.size == b.size, "SSIM needs frames of the same size")
        let luma = { (frame: YUVImage) in GrayImage(size: frame.size, pixels: Array(frame.luma)) }
        var result = 0.0
        try Kernels.withView(luma(a)) { va in
            try Kernels.withView(luma(b)) { vb in
                try Kernels.check(ivk_ssim(&va, &vb, &result), "ssim")
            }
        }
        return result
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
