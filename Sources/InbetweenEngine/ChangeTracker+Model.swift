extension ChangeTracker {
    /// Where a thing that moves by its own `model` (start → end, tracking pixels: the feature
    /// matches' fit that sits on a small part of the frame, not the camera's) is in each image.
    /// A pixel of the start is the thing's when it changed (`mask`) and the end at model(p)
    /// agrees with it within `modelAgreement` levels and at most half the difference no motion
    /// leaves; unless the end at p is as well explained by the thing arriving there and stands
    /// out more from the background around (see `background`): then the start shows what the
    /// thing will cover, which must stay. The same the other way round for the end. Kept in
    /// connected parts of at least `minimumShare` of the frame, holes filled; `start` and `end`
    /// are the blurred grays. Only near the matches the model was fitted on: within their
    /// bounding box `support` ([x, y, width, height]) grown by `modelReach` of its longer side
    /// in the start, and where the model takes that box in the end. A thing that turns or tilts
    /// (a cup, a box carried across a table) then moves as one rigid piece, where a translation
    /// per region would tear it.
    func followModel(_ model: Matrix3, support: [Double], start: GrayImage, end: GrayImage, mask: GrayImage) throws -> (start: [Bool], end: [Bool]) {
        guard let inverse = model.inverse else {
            return ([Bool](repeating: false, count: start.size.pixelCount), [Bool](repeating: false, count: start.size.pixelCount))
        }
        let background = try Self.background(
            start, end, mask: mask, radius: max(4, Int(modelBackground * Double(max(start.size.width, start.size.height)))))
        // Near its matches only: the support grown by `modelReach` of its longer side, and where the model takes that in the end.
        let reach = modelReach * max(support[2], support[3])
        let near = [support[0] - reach, support[1] - reach, support[0] + support[2] + reach, support[1] + support[3] + reach]
        let corners = [(near[0], near[1]), (near[2], near[1]), (near[0], near[3]), (near[2], near[3])].compactMap { model.apply($0.0, $0.1) }
        let nearEnd =
            corners.count == 4
            ? [corners.map(\.x).min()!, corners.map(\.y).min()!, corners.map(\.x).max()!, corners.map(\.y).max()!] : near
        return (
            try explained(by: model, inverse: inverse, from: start, to: end, mask: mask, background: background, within: near),
            try explained(by: inverse, inverse: model, from: end, to: start, mask: mask, background: background, within: nearEnd)
        )
    }

    /// The background both images agree on, at every pixel: the mean of `a` and `b` over the
    /// unchanged pixels (`mask` 0) near it, a normalized box filter of `radius` applied twice;
    /// nil where none are near.
    static func background(_ a: GrayImage, _ b: GrayImage, mask: GrayImage, radius: Int) throws -> [Float?] {
        let size = a.size
        var values = [Float](repeating: 0, count: size.pixelCount)
        var weights = [Float](repeating: 0, count: size.pixelCount)
        for i in 0..<size.pixelCount where mask.pixels[i] == 0 {
            values[i] = (Float(a.pixels[i]) + Float(b.pixels[i])) / 2
            weights[i] = 1
        }
        values = try Kernels.boxSums(try Kernels.boxSums(values, size: size, radius: radius), size: size, radius: radius)
        weights = try Kernels.boxSums(try Kernels.boxSums(weights, size: size, radius: radius), size: size, radius: radius)
        return (0..<size.pixelCount).map { weights[$0] >= 1 ? values[$0] / weights[$0] : nil }
    }

    /// The changed pixels of `from` that `model` (from → to) explains, cleaned (see `followModel`).
    private func explained(
        by model: Matrix3, inverse: Matrix3, from: GrayImage, to: GrayImage, mask: GrayImage, background: [Float?], within box: [Double]
    ) throws -> [Bool] {
        let size = from.size
        /// Whether `b` at `map`(x, y) explains `a` at (x, y), clearly better than `b` at (x, y).
        func explains(_ map: Matrix3, _ a: GrayImage, _ b: GrayImage, _ x: Int, _ y: Int) -> Bool {
            guard let p = map.apply(Double(x), Double(y)) else { return false }
            let tx = Int(p.x.rounded())
            let ty = Int(p.y.rounded())
            guard tx >= 0, ty >= 0, tx < size.width, ty < size.height else { return false }
            let value = Int(a.pixels[y * size.width + x])
            let moved = abs(value - Int(b.pixels[ty * size.width + tx]))
            return moved <= modelAgreement && 2 * moved <= abs(value - Int(b.pixels[y * size.width + x]))
        }
        var explained = [UInt8](repeating: 0, count: size.pixelCount)
        for y in 0..<size.height {
            for x in 0..<size.width where mask.pixels[y * size.width + x] != 0 {
                let i = y * size.width + x
                guard Double(x) >= box[0], Double(y) >= box[1], Double(x) <= box[2], Double(y) <= box[3], explains(model, from, to, x, y) else {
                    continue
                }
                // Explained both ways (over a plain surface the background explains the
                // background): the image that stands out from it shows the thing.
                if explains(inverse, to, from, x, y), let level = background[i],
                    abs(Float(to.pixels[i]) - level) > abs(Float(from.pixels[i]) - level)
                {
                    continue
                }
                explained[i] = 255
            }
        }
        // Specks go; what is left is the thing's parts, each filled.
        let none = GrayImage(size: size, pixels: [UInt8](repeating: 0, count: size.pixelCount))
        let cleaned = try Kernels.changeMask(GrayImage(size: size, pixels: explained), none, blur: 0, threshold: 0, close: 5, open: 3)
        let (labels, parts) = try Kernels.components(cleaned, capacity: 256)
        let smallest = max(12, Int(minimumShare * Double(size.pixelCount)))
        var inside = [Bool](repeating: false, count: size.pixelCount)
        for part in parts where part.area >= smallest {
            var own = [UInt8](repeating: 0, count: part.width * part.height)
            for row in 0..<part.height {
                for column in 0..<part.width where labels[(part.y + row) * size.width + part.x + column] == Int32(part.label) {
                    own[row * part.width + column] = 255
                }
            }
            own = Self.filled(own, width: part.width, height: part.height)
            for row in 0..<part.height {
                for column in 0..<part.width where own[row * part.width + column] != 0 {
                    inside[(part.y + row) * size.width + part.x + column] = true
                }
            }
        }
        // Grown over the changed pixels around it, so its soft rim travels with it.
        for _ in 0..<2 {
            var grown = inside
            for y in 0..<size.height {
                for x in 0..<size.width where !inside[y * size.width + x] && mask.pixels[y * size.width + x] != 0 {
                    let i = y * size.width + x
                    if (x > 0 && inside[i - 1]) || (x < size.width - 1 && inside[i + 1]) || (y > 0 && inside[i - size.width])
                        || (y < size.height - 1 && inside[i + size.width])
                    {
                        grown[i] = true
                    }
                }
            }
            inside = grown
        }
        return inside
    }
}
