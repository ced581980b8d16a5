import CVisionKernels

/// A failure inside an OpenCV kernel.
public struct KernelError: Error, Sendable, CustomStringConvertible {
    public var kernel: String
    public var code: Int32
    public var detail: String
    public var description: String { "\(kernel) failed (\(code)): \(detail)" }
}

/// Interpolation for resampling.
public enum Interpolation: String, Sendable, Codable, CaseIterable {
    case nearest
    case bilinear
    case bicubic
    case area
    case lanczos

    var c: IVKInterpolation {
        switch self {
        case .nearest: IVK_INTERP_NEAREST
        case .bilinear: IVK_INTERP_BILINEAR
        case .bicubic: IVK_INTERP_BICUBIC
        case .area: IVK_INTERP_AREA
        case .lanczos: IVK_INTERP_LANCZOS
        }
    }
}

/// An 8-bit single-channel image, used for analysis.
struct GrayImage: Sendable {
    var size: PixelSize
    var pixels: [UInt8]
}

/// Swift faces of the CVisionKernels functions: buffers in, buffers out, errors thrown.
enum Kernels {
    static func check(_ code: Int32, _ kernel: String) throws(KernelError) {
        guard code == Int32(IVK_OK) else {
            throw KernelError(kernel: kernel, code: code, detail: String(cString: ivk_last_error()))
        }
    }

    /// Runs `body` with a read-only `IVKImage` view of `image`'s bytes (no copy; the kernels
    /// never write through a source view).
    static func withView<R>(_ image: RGBImage, _ body: (inout IVKImage) throws -> R) rethrows -> R {
        try image.pixels.withUnsafeBufferPointer { buffer in
            var view = IVKImage(
                data: UnsafeMutablePointer(mutating: buffer.baseAddress), width: Int32(image.width), height: Int32(image.height),
                stride: Int32(image.width * 3), channels: 3)
            return try body(&view)
        }
    }

    /// The same for a gray image.
    static func withView<R>(_ image: GrayImage, _ body: (inout IVKImage) throws -> R) rethrows -> R {
        try image.pixels.withUnsafeBufferPointer { buffer in
            var view = IVKImage(
                data: UnsafeMutablePointer(mutating: buffer.baseAddress), width: Int32(image.size.width), height: Int32(image.size.height),
                stride: Int32(image.size.width), channels: 1)
            return try body(&view)
        }
    }

    /// Grayscale at `size` (area-averaged when shrinking).
    static func gray(_ image: RGBImage, size: PixelSize) throws -> GrayImage {
        var out = [UInt8](repeating: 0, count: size.pixelCount)
        try withView(image) { src in
            try out.withUnsafeMutableBufferPointer { buffer in
                var dst = IVKImage(
                    data: buffer.baseAddress, width: Int32(size.width), height: Int32(size.height), stride: Int32(size.width), channels: 1)
                try check(ivk_gray_resized(&src, &dst), "gray_resized")
            }
        }
        return GrayImage(size: size, pixels: out)
    }

    /// Mutual ORB matches passing the ratio test, as point pairs (x, y) in a and in b.
    static func matchFeatures(_ a: GrayImage, _ b: GrayImage, maxFeatures: Int, ratio: Float) throws -> (a: [Float], b: [Float]) {
        let capacity = maxFeatures
        var pa = [Float](repeating: 0, count: capacity * 2)
        var pb = [Float](repeating: 0, count: capacity * 2)
        var count: Int32 = 0
        try withView(a) { va in
            try withView(b) { vb in
                try check(ivk_match_features(&va, &vb, Int32(maxFeatures), ratio, &pa, &pb, Int32(capacity), &count), "match_features")
            }
        }
        let n = Int(count) * 2
        return (Array(pa.prefix(n)), Array(pb.prefix(n)))
    }

    /// A robust fit of `model` mapping points a → b: the matrix and the inlier count.
    static func estimate(
        _ a: [Float], _ b: [Float], model: IVKTransformModel, threshold: Double, iterations: Int
    ) throws -> (matrix: Matrix3, inliers: Int, mask: [UInt8])? {
        var matrix = [Double](repeating: 0, count: 9)
        var inliers: Int32 = 0
        var mask = [UInt8](repeating: 0, count: a.count / 2)
        try check(
            ivk_estimate_transform(a, b, Int32(a.count / 2), model, threshold, Int32(iterations), &matrix, &mask, &inliers), "estimate_transform")
        guard inliers > 0, matrix.allSatisfy(\.isFinite) else { return nil }
        return (Matrix3(matrix), Int(inliers), mask)
    }

    /// Whose resampling `remap` runs: the renderer's kernels with the widest vectors the CPU
    /// has, the same kernels with baseline vectors only, or OpenCV's `cv::remap`.
    enum RemapKernel: Int32, CaseIterable, Sendable {
        case ours = 0
        case openCV = 1
        case oursBaseline = 2
    }

    /// `image` resampled through per-pixel maps (output pixel → source x, y) of `size`, edges
    /// replicated, by `kernel`.
    static func remap(_ image: GrayImage, mapX: [Float], mapY: [Float], size: PixelSize, interpolation: Interpolation, kernel: RemapKernel) throws
        -> GrayImage
    {
        precondition(mapX.count == size.pixelCount && mapY.count == size.pixelCount, "one map entry per output pixel")
        var out = GrayImage(size: size, pixels: [UInt8](repeating: 0, count: size.pixelCount))
        try withView(image) { src in
            try out.pixels.withUnsafeMutableBufferPointer { buffer in
                var dst = IVKImage(
                    data: buffer.baseAddress, width: Int32(size.width), height: Int32(size.height), stride: Int32(size.width), channels: 1)
                try check(ivk_remap_gray(&src, mapX, mapY, interpolation.c, kernel.rawValue, &dst), "remap_gray")
            }
        }
        return out
    }

    /// A gray image warped through `map` (output → source), edges replicated.
    static func warp(_ image: GrayImage, map: Matrix3) throws -> GrayImage {
        var out = GrayImage(size: image.size, pixels: [UInt8](repeating: 0, count: image.size.pixelCount))
        try withView(image) { src in
            try out.pixels.withUnsafeMutableBufferPointer { buffer in
                var dst = IVKImage(
                    data: buffer.baseAddress, width: Int32(image.size.width), height: Int32(image.size.height), stride: Int32(image.size.width),
                    channels: 1)
                try check(ivk_warp_perspective(&src, map.m, IVK_INTERP_BILINEAR, &dst), "warp_perspective")
            }
        }
        return out
    }

    /// DIS both ways between `a` and `b` (see `ivk_dis_flow_pair`).
    static func disFlowPair(_ a: GrayImage, _ b: GrayImage, preset: Int, seeded: Bool) throws -> (forward: [Float], backward: [Float]) {
        var forward = [Float](repeating: 0, count: a.size.pixelCount * 2)
        var backward = forward
        try withView(a) { va in
            try withView(b) { vb in
                try check(ivk_dis_flow_pair(&va, &vb, Int32(preset), seeded ? 1 : 0, &forward, &backward), "dis_flow_pair")
            }
        }
        return (forward, backward)
    }

    /// Forward–backward consistency of `forward` against `backward`.
    static func flowConfidence(_ forward: [Float], _ backward: [Float], size: PixelSize, tolerance: Double, blur: Int) throws -> [Float] {
        var confidence = [Float](repeating: 0, count: size.pixelCount)
        try check(
            ivk_flow_confidence(forward, backward, Int32(size.width), Int32(size.height), Float(tolerance), Int32(blur), &confidence),
            "flow_confidence")
        return confidence
    }

    /// Sums of `values` over the (2 radius + 1)² box around each pixel, clipped at the edges.
    static func boxSums(_ values: [Float], size: PixelSize, radius: Int) throws -> [Float] {
        var sums = [Float](repeating: 0, count: values.count)
        try check(ivk_box_sums(values, Int32(size.width), Int32(size.height), Int32(radius), &sums), "box_sums")
        return sums
    }

    /// `flow`'s untrusted holes filled from their trusted surroundings (see `ivk_fill_flow`).
    static func fillFlow(_ flow: inout [Float], confidence: inout [Float], size: PixelSize, sigma: Double, trusted: Double = 0.5) throws {
        try check(ivk_fill_flow(&flow, &confidence, Int32(size.width), Int32(size.height), Float(sigma), Float(trusted)), "fill_flow")
    }
}
