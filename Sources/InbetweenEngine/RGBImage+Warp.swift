import CVisionKernels

extension RGBImage {
    /// A `size` view of this image through `map` (output pixel → this image's pixel), edges
    /// replicated: a virtual camera over a photograph, as the benchmarks' ground truth needs.
    public func view(size: PixelSize, map: Matrix3, interpolation: Interpolation = .lanczos) throws -> RGBImage {
        var out = RGBImage(size: size)
        try Kernels.withView(self) { src in
            try out.pixels.withUnsafeMutableBufferPointer { buffer in
                var dst = IVKImage(
                    data: buffer.baseAddress, width: Int32(size.width), height: Int32(size.height), stride: Int32(size.width * 3), channels: 3)
                try Kernels.check(ivk_warp_perspective(&src, map.m, interpolation.c, &dst), "warp_perspective")
            }
        }
        return out
    }
}
