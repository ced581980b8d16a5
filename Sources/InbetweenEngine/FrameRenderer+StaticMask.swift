/// A static mask at the frame's luma and chroma resolutions, as runs of still pixels: what
/// `FrameRenderer.keepStill` overwrites with a plain dissolve.
struct StillMask: Sendable {
    /// Indices of still luma samples.
    let luma: [Int]
    /// Indices (within one chroma plane) of still chroma samples: a chroma sample is still when
    /// any of the four luma samples it covers is, so every still pixel keeps its own colour.
    let chroma: [Int]

    init(_ mask: [UInt8], size: PixelSize) {
        precondition(mask.count == size.pixelCount, "a static mask has one byte per output pixel")
        var luma: [Int] = []
        var chroma = Set<Int>()
        let chromaWidth = size.width / 2
        for y in 0..<size.height {
            for x in 0..<size.width where mask[y * size.width + x] != 0 {
                luma.append(y * size.width + x)
                chroma.insert((y / 2) * chromaWidth + x / 2)
            }
        }
        self.luma = luma
        self.chroma = chroma.sorted()
    }
}

extension FrameRenderer {
    /// `frame` with every still pixel (luma and chroma) replaced by the dissolve of the start's
    /// and the end's own pixels at `blend`: no camera or flow motion reaches it. Where the start
    /// and the end agree, the pixel is the input's exactly. Integer arithmetic (weights in 1/256):
    /// deterministic, and exact where both sources agree.
    func keepStill(_ frame: YUVImage, mask: StillMask, blend: Double) -> YUVImage {
        var bytes = frame.bytes
        let weight = Int((min(1, max(0, blend)) * 256).rounded())
        let luma = plan.size.pixelCount
        let plane = luma / 4
        start.bytes.withUnsafeBufferPointer { a in
            end.bytes.withUnsafeBufferPointer { b in
                bytes.withUnsafeMutableBufferPointer { out in
                    func mix(_ index: Int) {
                        out[index] = UInt8((Int(a[index]) * (256 - weight) + Int(b[index]) * weight + 128) >> 8)
                    }
                    for index in mask.luma { mix(index) }
                    for index in mask.chroma {
                        mix(luma + index)
                        mix(luma + plane + index)
                    }
                }
            }
        }
        return YUVImage(size: frame.size, bytes: bytes)
    }
}
