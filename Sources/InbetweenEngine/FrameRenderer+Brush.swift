extension FrameRenderer {
    /// `frame` with each motion-brush stroke drawn at progress `u` (the step's camera progress,
    /// eased by the pace words): the place the region leaves shows the end image, the place it
    /// goes shows the start image until it is covered (when it arrives where the end image shows
    /// it), and the region itself, the start's own pixels moved rigidly by whole pixels, is drawn
    /// in front of everything, fading out over the end of its path when it does not arrive.
    func drawBrushes(_ frame: YUVImage, progress u: Double) -> YUVImage {
        guard !brushes.isEmpty else { return frame }
        var bytes = frame.bytes
        let width = plan.size.width
        let height = plan.size.height
        let luma = plan.size.pixelCount
        let plane = luma / 4
        let chromaWidth = width / 2
        func chroma(_ x: Int, _ y: Int) -> Int { (y / 2) * chromaWidth + x / 2 }
        for (brush, arrives) in brushes {
            let (dx, dy) = brush.offset(at: u)
            let total = brush.offset(at: 1)
            let weight = Int((BrushPath.opacity(at: u, arrives: arrives) * 256).rounded())
            func copy(from source: [UInt8], _ sx: Int, _ sy: Int, to tx: Int, _ ty: Int, weight: Int = 256) {
                guard tx >= 0, ty >= 0, tx < width, ty < height else { return }
                let (s, t) = (sy * width + sx, ty * width + tx)
                let (sc, tc) = (chroma(sx, sy), chroma(tx, ty))
                for (a, b) in [(s, t), (luma + sc, luma + tc), (luma + plane + sc, luma + plane + tc)] {
                    bytes[b] = UInt8((Int(source[a]) * weight + Int(bytes[b]) * (256 - weight) + 128) >> 8)
                }
            }
            // Where it was: the end image (the background it uncovers).
            for (x, y) in brush.pixels { copy(from: end.bytes, x, y, to: x, y) }
            // Where it goes: the start image, until it is there.
            if arrives {
                for (x, y) in brush.pixels { copy(from: start.bytes, x + total.dx, y + total.dy, to: x + total.dx, y + total.dy) }
            }
            // The region, in front.
            for (x, y) in brush.pixels { copy(from: start.bytes, x, y, to: x + dx, y + dy, weight: weight) }
        }
        return YUVImage(size: frame.size, bytes: bytes)
    }
}
