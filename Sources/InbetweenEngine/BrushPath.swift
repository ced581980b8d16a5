import Foundation

/// A motion-brush stroke ready to draw: the region's pixels and its path resampled by arc
/// length, so that equal steps of camera progress move the region equal distances along it.
struct BrushPath: Sendable {
    /// The region's pixels (x, y) in output pixels.
    let pixels: [(x: Int, y: Int)]
    /// The region, one byte per output pixel (non-zero inside).
    let mask: [UInt8]
    /// The region's bounding box, inclusive.
    let box: (minX: Int, minY: Int, maxX: Int, maxY: Int)
    let path: [CreativeControls.Point]
    /// Arc length at each point of `path`.
    let lengths: [Double]
    let size: PixelSize

    /// Below this mean difference (levels, RGB) the end image shows the region where its path ends.
    static let agreementLevels = 24.0

    init(_ brush: CreativeControls.Brush, size: PixelSize) {
        precondition(brush.mask.count == size.pixelCount && brush.path.count >= 2, "a brush has a mask of the frame's size and a path")
        var pixels: [(x: Int, y: Int)] = []
        for y in 0..<size.height {
            for x in 0..<size.width where brush.mask[y * size.width + x] != 0 { pixels.append((x, y)) }
        }
        self.pixels = pixels
        mask = brush.mask
        box = (
            pixels.map(\.x).min() ?? 0, pixels.map(\.y).min() ?? 0, pixels.map(\.x).max() ?? -1, pixels.map(\.y).max() ?? -1
        )
        path = brush.path
        var lengths = [0.0]
        for (a, b) in zip(brush.path, brush.path.dropFirst()) { lengths.append(lengths.last! + hypot(b.x - a.x, b.y - a.y)) }
        self.lengths = lengths
        self.size = size
    }

    var length: Double { lengths.last ?? 0 }

    /// The point at arc-length share `u` (0 … 1) of the path.
    func point(at u: Double) -> CreativeControls.Point {
        let target = min(1, max(0, u)) * length
        guard length > 0, let segment = lengths.indices.dropFirst().first(where: { lengths[$0] >= target }) else { return path[0] }
        let (a, b) = (path[segment - 1], path[segment])
        let span = lengths[segment] - lengths[segment - 1]
        let f = span > 0 ? (target - lengths[segment - 1]) / span : 0
        return CreativeControls.Point(x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f)
    }

    /// The region's displacement at arc-length share `u`, whole output pixels (it moves rigidly).
    func offset(at u: Double) -> (dx: Int, dy: Int) {
        let p = point(at: u)
        return (Int((p.x - path[0].x).rounded()), Int((p.y - path[0].y).rounded()))
    }

    /// The region's opacity at `u`: 1 while it travels, and when it does not arrive where the end
    /// image shows it, fading out (smoothstep) over the last 40 % of the path.
    static func opacity(at u: Double, arrives: Bool) -> Double {
        guard !arrives else { return 1 }
        let x = min(1, max(0, (u - 0.6) / 0.4))
        return 1 - x * x * (3 - 2 * x)
    }

    /// The plan's account of this stroke: whether the end image shows the region where the path
    /// ends (it arrives), and whether it still shows it where it was (it stays: the end image
    /// has no background to show in the place it leaves, so that place is filled from its
    /// surroundings). `fromStart` takes start pixels to where the camera path puts them in the
    /// last frame (the end image's framing).
    func stroke(start: RGBImage, end: RGBImage, fromStart: Matrix3) -> MotionPlan.BrushStroke {
        let arrival = difference(start: start, end: end, fromStart: fromStart, shift: offset(at: 1))
        let staying = difference(start: start, end: end, fromStart: fromStart, shift: (0, 0))
        return MotionPlan.BrushStroke(
            pixels: pixels.count, path: path, length: (length * 100).rounded() / 100, arrives: arrival < Self.agreementLevels,
            difference: (arrival * 100).rounded() / 100, hole: staying < Self.agreementLevels ? "surroundings" : "end image")
    }

    /// Mean absolute difference (levels, RGB) between the region in the start image and the end
    /// image where the camera path and `shift` put it in the last frame.
    func difference(start: RGBImage, end: RGBImage, fromStart: Matrix3, shift: (dx: Int, dy: Int)) -> Double {
        var sum = 0
        var count = 0
        for (x, y) in pixels {
            guard let moved = fromStart.apply(Double(x), Double(y)) else { continue }
            let (tx, ty) = (Int(moved.x.rounded()) + shift.dx, Int(moved.y.rounded()) + shift.dy)
            guard tx >= 0, ty >= 0, tx < size.width, ty < size.height else { continue }
            let a = (y * size.width + x) * 3
            let b = (ty * size.width + tx) * 3
            for c in 0..<3 { sum += abs(Int(start.pixels[a + c]) - Int(end.pixels[b + c])) }
            count += 3
        }
        return count == 0 ? 255 : Double(sum) / Double(count)
    }

    /// `image` with the region filled from its surroundings, ring by ring inwards (each pixel the
    /// mean of its known 8-neighbours): the background behind the region, where no image shows it.
    func inpainted(_ image: RGBImage) -> RGBImage {
        var out = image
        var known = mask.map { $0 == 0 }
        var unknown = pixels
        let (w, h) = (size.width, size.height)
        while !unknown.isEmpty {
            var filled: [(index: Int, rgb: (Int, Int, Int))] = []
            var left: [(x: Int, y: Int)] = []
            for (x, y) in unknown {
                var (r, g, b, n) = (0, 0, 0, 0)
                for dy in -1...1 {
                    for dx in -1...1 where (dx, dy) != (0, 0) {
                        let (nx, ny) = (x + dx, y + dy)
                        guard nx >= 0, ny >= 0, nx < w, ny < h, known[ny * w + nx] else { continue }
                        let i = (ny * w + nx) * 3
                        (r, g, b, n) = (r + Int(out.pixels[i]), g + Int(out.pixels[i + 1]), b + Int(out.pixels[i + 2]), n + 1)
                    }
                }
                if n > 0 { filled.append((y * w + x, ((r + n / 2) / n, (g + n / 2) / n, (b + n / 2) / n))) } else { left.append((x, y)) }
            }
            // A region that covers the whole frame has no surroundings: it keeps its pixels.
            guard !filled.isEmpty else { break }
            for (index, rgb) in filled {
                (out.pixels[index * 3], out.pixels[index * 3 + 1], out.pixels[index * 3 + 2]) = (UInt8(rgb.0), UInt8(rgb.1), UInt8(rgb.2))
                known[index] = true
            }
            unknown = left
        }
        // Peeling leaves ridges along the rings: smooth the filled pixels (8 passes of a 5 × 5 mean
        // over the filled pixels and their surroundings), the surroundings untouched.
        for _ in 0..<8 {
            let before = out.pixels
            for (x, y) in pixels {
                var (r, g, b, n) = (0, 0, 0, 0)
                for ny in max(0, y - 2)...min(h - 1, y + 2) {
                    for nx in max(0, x - 2)...min(w - 1, x + 2) {
                        let i = (ny * w + nx) * 3
                        (r, g, b, n) = (r + Int(before[i]), g + Int(before[i + 1]), b + Int(before[i + 2]), n + 1)
                    }
                }
                let i = (y * w + x) * 3
                (out.pixels[i], out.pixels[i + 1], out.pixels[i + 2]) = (UInt8((r + n / 2) / n), UInt8((g + n / 2) / n), UInt8((b + n / 2) / n))
            }
        }
        return out
    }
}
