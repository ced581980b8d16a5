import Foundation

/// A motion-brush stroke ready to draw: the region's pixels and its path resampled by arc
/// length, so that equal steps of camera progress move the region equal distances along it.
struct BrushPath: Sendable {
    /// The region's pixels (x, y) in output pixels.
    let pixels: [(x: Int, y: Int)]
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

    /// The plan's account of this stroke, with whether the end image shows the region where the
    /// path ends.
    func stroke(start: RGBImage, end: RGBImage) -> MotionPlan.BrushStroke {
        let (dx, dy) = offset(at: 1)
        var sum = 0
        var count = 0
        for (x, y) in pixels {
            let (tx, ty) = (x + dx, y + dy)
            guard tx >= 0, ty >= 0, tx < size.width, ty < size.height else { continue }
            let a = (y * size.width + x) * 3
            let b = (ty * size.width + tx) * 3
            for c in 0..<3 { sum += abs(Int(start.pixels[a + c]) - Int(end.pixels[b + c])) }
            count += 3
        }
        let difference = count == 0 ? 255 : Double(sum) / Double(count)
        return MotionPlan.BrushStroke(
            pixels: pixels.count, path: path, length: (length * 100).rounded() / 100, arrives: difference < Self.agreementLevels,
            difference: (difference * 100).rounded() / 100)
    }
}
