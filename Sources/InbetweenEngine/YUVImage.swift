import CVisionKernels

/// A planar YUV 4:2:0 frame (I420) in one buffer: the Y plane, then U, then V, each at its
/// own width (the U and V planes are half width and half height). BT.709, limited range:
/// what the encoder takes, so frames go to it without another conversion.
public struct YUVImage: Sendable, Hashable {
    public let size: PixelSize
    public var bytes: [UInt8]

    /// A black frame. Both sides must be even.
    public init(size: PixelSize) {
        precondition(size.width % 2 == 0 && size.height % 2 == 0, "4:2:0 frames need even sides, got \(size)")
        self.size = size
        let luma = size.pixelCount
        bytes = [UInt8](repeating: 16, count: luma) + [UInt8](repeating: 128, count: luma / 2)
    }

    /// Wraps `bytes`, which must hold exactly one I420 frame of `size`.
    public init(size: PixelSize, bytes: [UInt8]) {
        precondition(size.width % 2 == 0 && size.height % 2 == 0, "4:2:0 frames need even sides, got \(size)")
        precondition(bytes.count == Self.byteCount(size), "a \(size) frame has \(Self.byteCount(size)) bytes, got \(bytes.count)")
        self.size = size
        self.bytes = bytes
    }

    /// The RGB image converted with the BT.709 matrix, chroma averaged over 2×2 blocks.
    public init(_ rgb: RGBImage) throws {
        self.init(size: rgb.size)
        try Kernels.withView(rgb) { view in
            try withPlanes { planes in try Kernels.check(ivk_rgb_to_yuv420(&view, &planes), "rgb_to_yuv420") }
        }
    }

    /// Bytes in one frame of `size`.
    public static func byteCount(_ size: PixelSize) -> Int { size.pixelCount * 3 / 2 }

    /// The luma plane.
    public var luma: ArraySlice<UInt8> { bytes[0..<size.pixelCount] }

    /// The two chroma planes interleaved (u0 v0 u1 v1 ...), as the renderer's AVX2 path reads
    /// a source's chroma.
    public var interleavedChroma: [UInt8] {
        let luma = size.pixelCount
        let quarter = luma / 4
        return [UInt8](unsafeUninitializedCapacity: 2 * quarter) { out, initialized in
            bytes.withUnsafeBufferPointer { source in
                for i in 0..<quarter {
                    out[2 * i] = source[luma + i]
                    out[2 * i + 1] = source[luma + quarter + i]
                }
            }
            initialized = 2 * quarter
        }
    }

    /// Back to RGB (chroma upsampled bilinearly), for measuring.
    public func rgb() throws -> RGBImage {
        var out = RGBImage(size: size)
        var copy = self
        try copy.withPlanes { planes in
            try out.pixels.withUnsafeMutableBufferPointer { buffer in
                var view = IVKImage(
                    data: buffer.baseAddress, width: Int32(size.width), height: Int32(size.height), stride: Int32(size.width * 3), channels: 3)
                try Kernels.check(ivk_yuv420_to_rgb(&planes, &view), "yuv420_to_rgb")
            }
        }
        return out
    }

    /// Runs `body` with plane pointers into this frame's buffer.
    mutating func withPlanes<R>(_ body: (inout IVKPlanes) throws -> R) rethrows -> R {
        let luma = size.pixelCount
        let (width, height) = (Int32(size.width), Int32(size.height))
        return try bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            var planes = IVKPlanes(y: base, u: base + luma, v: base + luma + luma / 4, width: width, height: height)
            return try body(&planes)
        }
    }

    /// Read-only plane pointers (the kernels never write through a source).
    func withSourcePlanes<R>(_ body: (inout IVKPlanes) throws -> R) rethrows -> R {
        let luma = size.pixelCount
        let (width, height) = (Int32(size.width), Int32(size.height))
        return try bytes.withUnsafeBufferPointer { buffer in
            let base = UnsafeMutablePointer(mutating: buffer.baseAddress!)
            var planes = IVKPlanes(y: base, u: base + luma, v: base + luma + luma / 4, width: width, height: height)
            return try body(&planes)
        }
    }
}
