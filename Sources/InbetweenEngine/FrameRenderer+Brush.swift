extension FrameRenderer {
    /// `frame` with each motion-brush stroke drawn at progress `u` (the step's camera progress,
    /// eased by the pace words). The region rides the frame's camera path and moves by the
    /// stroke's displacement on top of it, in output pixels: where it was, the end image shows
    /// (the background it uncovers; or, where the end image still shows the region there, the
    /// start image with the region filled from its surroundings); where it goes, the start image shows until it is there (when
    /// it arrives where the end image shows it); and the region itself, the start's own pixels
    /// (nearest sample, so it stays rigid and sharp), is drawn in front of everything, fading out
    /// over the end of its path when it does not arrive. Every pixel is found by mapping output
    /// pixels back to the sources (no gaps where the camera magnifies).
    func drawBrushes(_ frame: YUVImage, camera u: Double) -> YUVImage {
        guard !brushes.isEmpty else { return frame }
        var bytes = frame.bytes
        let (toStart, startToEnd) = sourceMaps(camera: u)
        let toEnd = (startToEnd * toStart).normalized
        let fromStart = toStart.inverse ?? .identity
        for (brush, arrives, background) in brushes {
            let (dx, dy) = brush.offset(at: u)
            let total = brush.offset(at: 1)
            let weight = Int((BrushPath.opacity(at: u, arrives: arrives) * 256).rounded())
            // Where it was: the end image, or the region's surroundings where that shows it still.
            compose(&bytes, brush, toStart: toStart, fromStart: fromStart, shift: (0, 0)) { p in
                background.map { ($0, toStart.apply(p.x, p.y), 256) } ?? (end, toEnd.apply(p.x, p.y), 256)
            }
            // Where it goes: the start image, until it is there.
            if arrives {
                compose(&bytes, brush, toStart: toStart, fromStart: fromStart, shift: total) { p in (start, toStart.apply(p.x, p.y), 256) }
            }
            // The region, in front: output p shows the region's own pixel behind it by (dx, dy).
            compose(&bytes, brush, toStart: toStart, fromStart: fromStart, shift: (dx, dy)) { p in
                (start, toStart.apply(p.x - Double(dx), p.y - Double(dy)), weight)
            }
        }
        return YUVImage(size: frame.size, bytes: bytes)
    }

    /// Blends into `bytes`, over the output pixels whose sample (shifted back by `shift`) falls in
    /// `brush`'s region, the pixel `source` gives: an image, where in it (nearest sample), and
    /// the weight in 1/256.
    private func compose(
        _ bytes: inout [UInt8], _ brush: BrushPath, toStart: Matrix3, fromStart: Matrix3, shift: (dx: Int, dy: Int),
        source: ((x: Double, y: Double)) -> (image: YUVImage, at: (x: Double, y: Double)?, weight: Int)
    ) {
        let width = plan.size.width
        let height = plan.size.height
        let luma = plan.size.pixelCount
        let plane = luma / 4
        let chromaWidth = width / 2
        // The region's box in the output at this time, a pixel wider on each side.
        let corners = [
            (brush.box.minX, brush.box.minY), (brush.box.maxX + 1, brush.box.minY), (brush.box.minX, brush.box.maxY + 1),
            (brush.box.maxX + 1, brush.box.maxY + 1),
        ].compactMap { fromStart.apply(Double($0.0), Double($0.1)) }
        guard corners.count == 4 else { return }
        let x0 = max(0, Int(corners.map(\.x).min()!.rounded(.down)) + shift.dx - 1)
        let x1 = min(width - 1, Int(corners.map(\.x).max()!.rounded(.up)) + shift.dx + 1)
        let y0 = max(0, Int(corners.map(\.y).min()!.rounded(.down)) + shift.dy - 1)
        let y1 = min(height - 1, Int(corners.map(\.y).max()!.rounded(.up)) + shift.dy + 1)
        guard x0 <= x1, y0 <= y1 else { return }
        func index(_ point: (x: Double, y: Double)?) -> (x: Int, y: Int)? {
            guard let point else { return nil }
            let (x, y) = (Int(point.x.rounded()), Int(point.y.rounded()))
            return x >= 0 && y >= 0 && x < width && y < height ? (x, y) : nil
        }
        func blend(_ target: Int, _ value: UInt8, _ weight: Int) {
            bytes[target] = UInt8((Int(value) * weight + Int(bytes[target]) * (256 - weight) + 128) >> 8)
        }
        // Luma per pixel; chroma per 2 × 2 block, by where the block's centre falls.
        for y in y0...y1 {
            for x in x0...x1 {
                let p = (x: Double(x), y: Double(y))
                guard let q = index(toStart.apply(p.x - Double(shift.dx), p.y - Double(shift.dy))), brush.mask[q.y * width + q.x] != 0 else {
                    continue
                }
                let (image, at, weight) = source(p)
                guard let s = index(at) else { continue }
                blend(y * width + x, image.bytes[s.y * width + s.x], weight)
            }
        }
        for cy in (y0 / 2)...(y1 / 2) {
            for cx in (x0 / 2)...(x1 / 2) {
                let p = (x: Double(2 * cx) + 0.5, y: Double(2 * cy) + 0.5)
                guard let q = index(toStart.apply(p.x - Double(shift.dx), p.y - Double(shift.dy))), brush.mask[q.y * width + q.x] != 0 else {
                    continue
                }
                let (image, at, weight) = source(p)
                guard let s = index(at) else { continue }
                let (t, c) = (cy * chromaWidth + cx, (s.y / 2) * chromaWidth + s.x / 2)
                blend(luma + t, image.bytes[luma + c], weight)
                blend(luma + plane + t, image.bytes[luma + plane + c], weight)
            }
        }
    }
}
