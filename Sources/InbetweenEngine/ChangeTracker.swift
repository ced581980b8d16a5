/// A thing that moved on its own between the aligned images, found and followed explicitly.
public struct TrackedRegion: Sendable, Hashable, Codable {
    /// Its bounding box in the start image, in tracking pixels: x, y, width, height.
    public var box: [Int]
    /// Pixels it covers in the start image, in tracking pixels.
    public var area: Int
    /// Start → end displacement, in tracking pixels.
    public var dx: Double
    public var dy: Double
    /// Root-mean-square luma difference over the region, in levels, where it is (`before`)
    /// and once moved by the displacement (`after`).
    public var before: Double
    public var after: Double
    /// For a thing that moves by its own homography rather than a displacement (it turns or
    /// tilts): that start → end map, in tracking pixels; `dx`, `dy` are then its box centre's.
    public var matrix: Matrix3? = nil
}

/// What changed between the globally aligned start and end images, and where the changed
/// things went: the tracking that keeps a small, fast thing (a ball, a coin, a walker far off)
/// moving instead of ghosting, where dense flow at its working size loses it.
///
/// The two images (gray, at the tracking size, the end already aligned to the start) are
/// compared after a blur: connected regions where they differ are each a thing where it was,
/// where it went, or both. Each region is taken from the image in which it stands out from its
/// unchanged surroundings (the thing is there) and searched for in the other one (template
/// matching over the region's own pixels, within `searchRadius` of the frame); a match that
/// explains the region much better than no motion, and better than a flat patch of the region's
/// own mean would (`distinctiveness`), is a tracked region. Every threshold is here.
public struct ChangeTracker: Sendable {
    /// Luma difference, in levels after a blur, above which a pixel changed.
    public var threshold = 24
    /// Smallest and largest region followed, as shares of the frame.
    public var minimumShare = 0.0003
    public var maximumShare = 0.2
    /// Regions followed at most, largest first.
    public var maximumRegions = 16
    /// How far a region is searched for, as a share of the frame's long side.
    public var searchRadius = 0.5
    /// A match is kept when it leaves at most this share of the squared difference that no
    /// motion leaves, and at most `maximumResidual` levels (RMS).
    public var improvement = 0.35
    public var maximumResidual = 45.0
    /// A match must leave at most this share of the region's own variance (about its mean,
    /// over its pixels, in the match's terms: see `TrackingImage.variance(mask:)`): 1 is what a flat patch
    /// of its mean would leave.
    public var distinctiveness = 1.0
    /// Pixels by which the match searched for the other way round may miss the region's start.
    public var returnTolerance = 3
    /// Share of a region's footprint, moved by its match, that must have changed: a thing
    /// arrives where it was not (or leaves where it was).
    public var minimumArrival = 0.5
    /// Share of the ring around a region's box, where it was and where it went, that must be
    /// unchanged: a thing moves over a background that stays.
    public var minimumStillSurround = 0.6
    /// Standard deviation of the Gaussian blur both images get before regions are compared and
    /// matched, as a share of the frame's long side (3 pixels at 960): a thing changes its look
    /// as it travels (a walker's legs, a turning ball, the light on it), and its coarse shape and
    /// colours follow it where its fine detail does not. 0 matches the images as they are.
    public var matchBlur = 1.0 / 320
    /// Luma difference, in levels after the matching blur, within which a thing's own motion
    /// (see `followModel`) explains a pixel.
    public var modelAgreement = 16
    /// Radius of the box filter (applied twice) that estimates the background behind a changed
    /// pixel from the unchanged ones around it, as a share of the long side.
    public var modelBackground = 1.0 / 24
    /// How far past its matches' bounding box (a share of the box's longer side) a thing's own
    /// model may explain pixels: far from them it is only extrapolated.
    public var modelReach = 0.25

    public init() {}

    /// The result: the regions followed, and per tracking pixel which region the start shows
    /// there (its index + 1, 0 for none), which the end shows there, and whether the pixel
    /// changed and lies near a followed region (so its motion is known to be the background's).
    public struct Result: Sendable {
        public var size: PixelSize
        public var regions: [TrackedRegion]
        var startLabels: [Int32]
        var endLabels: [Int32]
        var settled: [Bool]
        /// Whether the two images agree at the pixel (within `agreement` levels after a blur).
        var unchanged: [Bool]
        /// A thing that moves by its own homography (see `followModel`): the map, start → end in
        /// tracking pixels, and the pixels where the start and the end show it.
        var model: Matrix3? = nil
        var modelStart: [Bool] = []
        var modelEnd: [Bool] = []
    }

    /// Luma difference, in levels after a blur, within which the images agree: nothing moved
    /// there, so it stays exactly where it is.
    public var agreement = 6

    /// Tracks what changed from `start` to `end` (the end aligned to the start, same size);
    /// `colour`, the same two images in colour at the same size, re-ranks the few best matches
    /// on luma when given (two dark coats differ in colour where their luma agrees).
    /// `model`, a thing's own motion that the feature matches found (start → end, tracking
    /// pixels, with its matches' box), moves the pixels it explains near them as one piece (see
    /// `followModel`).
    func track(start: GrayImage, end: GrayImage, colour: (start: RGBImage, end: RGBImage)? = nil, model thing: ThingMotion? = nil) throws
        -> Result
    {
        let size = start.size
        let count = size.pixelCount
        let mask = try Kernels.changeMask(start, end, blur: 5, threshold: threshold, close: 5, open: 3)
        let (labels, all) = try Kernels.components(mask, capacity: 256)
        let smallest = max(12, Int(minimumShare * Double(count)))
        let largest = Int(maximumShare * Double(count))
        let candidates = all.filter { $0.area >= smallest && $0.area <= largest }.sorted { $0.area > $1.area }.prefix(maximumRegions)
        let agreeing = try Kernels.changeMask(start, end, blur: 5, threshold: agreement, close: 0, open: 0)
        var result = Result(
            size: size, regions: [], startLabels: [Int32](repeating: 0, count: count), endLabels: [Int32](repeating: 0, count: count),
            settled: [Bool](repeating: false, count: count), unchanged: agreeing.pixels.map { $0 == 0 })
        let radius = Int(searchRadius * Double(max(size.width, size.height)))
        // From here on the regions are compared and matched on both images blurred.
        let sigma = matchBlur * Double(max(size.width, size.height))
        let (start, end) = sigma > 0 ? (try Kernels.gaussianBlur(start, sigma: sigma), try Kernels.gaussianBlur(end, sigma: sigma)) : (start, end)
        // In colour too, when given: the few best matches on luma are told apart there.
        var colours = colour.map { (start: TrackingImage($0.start), end: TrackingImage($0.end)) }
        if let colour {
            precondition(colour.start.size == size && colour.end.size == size, "the colour images are the grays' size")
            if sigma > 0, let plain = colours {
                colours = (try Kernels.gaussianBlur(plain.start, sigma: sigma), try Kernels.gaussianBlur(plain.end, sigma: sigma))
            }
        }
        var things: [Thing] = []
        var claimed = [Bool](repeating: false, count: count)
        var modelRegion: TrackedRegion?
        if let thing {
            let model = thing.matrix
            let (inStart, inEnd) = try followModel(model, support: thing.support, start: start, end: end, mask: mask)
            let area = inStart.lazy.filter { $0 }.count
            if area > 0, inEnd.contains(true) {
                (result.model, result.modelStart, result.modelEnd) = (model, inStart, inEnd)
                claimed = inStart
                var (x0, y0, x1, y1) = (size.width, size.height, 0, 0)
                for i in 0..<count where inStart[i] {
                    (x0, y0) = (min(x0, i % size.width), min(y0, i / size.width))
                    (x1, y1) = (max(x1, i % size.width + 1), max(y1, i / size.width + 1))
                }
                // Its luma difference where it is, and once moved by the model.
                var (before, after) = (0.0, 0.0)
                for i in 0..<count where inStart[i] {
                    let value = Double(start.pixels[i])
                    before += (value - Double(end.pixels[i])) * (value - Double(end.pixels[i]))
                    if let p = model.apply(Double(i % size.width), Double(i / size.width)) {
                        let x = min(size.width - 1, max(0, Int(p.x.rounded())))
                        let y = min(size.height - 1, max(0, Int(p.y.rounded())))
                        after += (value - Double(end.pixels[y * size.width + x])) * (value - Double(end.pixels[y * size.width + x]))
                    }
                }
                let centre = model.apply(Double(x0 + x1) / 2, Double(y0 + y1) / 2) ?? (Double(x0 + x1) / 2, Double(y0 + y1) / 2)
                modelRegion = TrackedRegion(
                    box: [x0, y0, x1 - x0, y1 - y0], area: area, dx: (centre.x - Double(x0 + x1) / 2).rounded(),
                    dy: (centre.y - Double(y0 + y1) / 2).rounded(), before: (before / Double(area)).squareRoot(),
                    after: (after / Double(area)).squareRoot(), matrix: model)
            }
        }
        for component in candidates {
            // The region's own pixels, and the unchanged ring around its box.
            let inStart = contrast(of: component, labels: labels, mask: mask, in: start)
            let inEnd = contrast(of: component, labels: labels, mask: mask, in: end)
            let fromStart = inStart >= inEnd
            let (source, target) = fromStart ? (start, end) : (end, start)
            let looks = colours.map { fromStart ? ($0.start, $0.end) : ($0.end, $0.start) }
            let box = component
            let template = source.crop(x: box.x, y: box.y, width: box.width, height: box.height)
            let colourTemplate = looks?.0.crop(x: box.x, y: box.y, width: box.width, height: box.height)
            var own = [UInt8](repeating: 0, count: box.width * box.height)
            for row in 0..<box.height {
                for column in 0..<box.width where labels[(box.y + row) * size.width + box.x + column] == Int32(box.label) {
                    own[row * box.width + column] = 255
                }
            }
            // The thing is the region's silhouette: parts of it that happen to look like the
            // background behind it (holes in the region) move with it too.
            own = Self.filled(own, width: box.width, height: box.height)
            let ownMask = GrayImage(size: PixelSize(width: box.width, height: box.height), pixels: own)
            let x0 = max(0, box.x - radius)
            let y0 = max(0, box.y - radius)
            let x1 = min(size.width, box.x + box.width + radius)
            let y1 = min(size.height, box.y + box.height + radius)
            let window = target.crop(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
            let found = try Kernels.matchTemplate(
                template, mask: ownMask, in: window,
                colour: looks.map { (colourTemplate!, $0.1.crop(x: x0, y: y0, width: x1 - x0, height: y1 - y0)) })
            let moveX = x0 + found.x - box.x
            let moveY = y0 + found.y - box.y
            // No motion's difference, in the same terms (per colour channel, with colour).
            let before =
                looks.map { $0.1.meanSquaredDifference(colourTemplate!, mask: ownMask, atX: box.x, y: box.y) }
                ?? TrackingImage(target).meanSquaredDifference(TrackingImage(template), mask: ownMask, atX: box.x, y: box.y)
            guard moveX * moveX + moveY * moveY >= 4 else { continue }
            guard found.meanSquaredError <= improvement * before, found.meanSquaredError.squareRoot() <= maximumResidual else { continue }
            // And it must fit the region better than a flat patch of the region's own mean would:
            // a thing that left and another that arrived (a box's edge, a finger entering the
            // frame) differ from no motion too, but the one is no likeness of the other.
            guard found.meanSquaredError <= distinctiveness * (colourTemplate ?? TrackingImage(template)).variance(mask: ownMask) else {
                continue
            }
            // And back: what was found, searched for in the image it came from, must lead back
            // to where it started (a thing, not a look-alike patch somewhere).
            let returnX = max(0, min(size.width - box.width, box.x + moveX))
            let returnY = max(0, min(size.height - box.height, box.y + moveY))
            let arrived = target.crop(x: returnX, y: returnY, width: box.width, height: box.height)
            let bx0 = max(0, returnX - radius)
            let by0 = max(0, returnY - radius)
            let bx1 = min(size.width, returnX + box.width + radius)
            let by1 = min(size.height, returnY + box.height + radius)
            let back = try Kernels.matchTemplate(
                arrived, mask: ownMask, in: source.crop(x: bx0, y: by0, width: bx1 - bx0, height: by1 - by0),
                colour: looks.map {
                    (
                        $0.1.crop(x: returnX, y: returnY, width: box.width, height: box.height),
                        $0.0.crop(x: bx0, y: by0, width: bx1 - bx0, height: by1 - by0)
                    )
                })
            let missX = bx0 + back.x - box.x
            let missY = by0 + back.y - box.y
            guard missX * missX + missY * missY <= returnTolerance * returnTolerance else { continue }
            // Start → end: a region found in the start moved by (moveX, moveY); one found in
            // the end came from (moveX, moveY) away in the start.
            let (dx, dy) = fromStart ? (moveX, moveY) : (-moveX, -moveY)
            let startX = fromStart ? box.x : box.x + moveX
            let startY = fromStart ? box.y : box.y + moveY
            // A region whose start footprint is mostly taken already is the same thing seen
            // from the other image.
            var taken = 0
            for row in 0..<box.height {
                for column in 0..<box.width where own[row * box.width + column] != 0 {
                    let x = startX + column
                    let y = startY + row
                    if x >= 0, y >= 0, x < size.width, y < size.height, claimed[y * size.width + x] { taken += 1 }
                }
            }
            guard taken * 2 < component.area else { continue }
            // A thing leaves a change where it was and where it went: a region whose other end
            // is mostly unchanged matched a look-alike patch (a dark lock of hair against the
            // dark background) that was there all along.
            guard Self.changedShare(own, box: box, atX: box.x + moveX, y: box.y + moveY, mask: mask) >= minimumArrival else { continue }
            // And a thing stands out from a still surround at both ends: a patch of a face or
            // a body that changed all over is not one (the dense flow deals with it).
            guard Self.unchangedRing(box: box, atX: box.x, y: box.y, mask: mask) >= minimumStillSurround,
                Self.unchangedRing(box: box, atX: box.x + moveX, y: box.y + moveY, mask: mask) >= minimumStillSurround
            else { continue }
            let silhouette = Self.silhouette(
                own, box: box, startX: startX, startY: startY, dx: dx, dy: dy, labels: labels, size: size,
                moved: { x, y in Self.agrees(start, end, x, y, dx, dy, within: threshold) })
            let region = TrackedRegion(
                box: [silhouette.x, silhouette.y, silhouette.width, silhouette.height], area: component.area, dx: Double(dx), dy: Double(dy),
                before: before.squareRoot(), after: found.meanSquaredError.squareRoot())
            // Parts of one thing (where its texture happens to match the background, the change
            // splits it) move alike and touch: they are followed as one.
            if let k = things.firstIndex(where: { $0.region.dx == region.dx && $0.region.dy == region.dy && $0.touches(region.box) }) {
                things[k].add(region, silhouette.mask)
            } else {
                things.append(Thing(region: region, parts: [(region.box, silhouette.mask)]))
            }
            for row in 0..<silhouette.height {
                for column in 0..<silhouette.width where silhouette.mask[row * silhouette.width + column] != 0 {
                    let x = silhouette.x + column
                    let y = silhouette.y + row
                    if x >= 0, y >= 0, x < size.width, y < size.height { claimed[y * size.width + x] = true }
                }
            }
        }
        for (number, thing) in things.enumerated() {
            result.regions.append(thing.region)
            let index = Int32(number + 1)
            let mask = thing.mask()
            let box = thing.region.box
            let (dx, dy) = (Int(thing.region.dx), Int(thing.region.dy))
            for row in 0..<box[3] {
                for column in 0..<box[2] where mask[row * box[2] + column] != 0 {
                    let x = box[0] + column
                    let y = box[1] + row
                    if x >= 0, y >= 0, x < size.width, y < size.height { result.startLabels[y * size.width + x] = index }
                    let ex = x + dx
                    let ey = y + dy
                    if ex >= 0, ey >= 0, ex < size.width, ey < size.height { result.endLabels[ey * size.width + ex] = index }
                }
            }
        }
        // Changed pixels around a followed region that neither image shows it at are
        // background being covered or uncovered: known to stay where they are (not around a
        // thing that moves by its own model: what holds it, a hand, moves too).
        let margin = max(4, radius / 8)
        for region in result.regions {
            let box = region.box
            let xs = [box[0], box[0] + Int(region.dx)]
            let ys = [box[1], box[1] + Int(region.dy)]
            let left = max(0, xs.min()! - margin)
            let right = min(size.width, xs.max()! + box[2] + margin)
            let top = max(0, ys.min()! - margin)
            let bottom = min(size.height, ys.max()! + box[3] + margin)
            guard left < right, top < bottom else { continue }
            for y in top..<bottom {
                for x in left..<right where mask.pixels[y * size.width + x] != 0 { result.settled[y * size.width + x] = true }
            }
        }
        if let modelRegion { result.regions.append(modelRegion) }
        return result
    }

    /// One thing followed: its parts' silhouettes in the start image, all moving alike.
    struct Thing {
        var region: TrackedRegion
        var parts: [(box: [Int], mask: [UInt8])]

        /// Whether `box` touches the thing's box (within a few pixels).
        func touches(_ box: [Int]) -> Bool {
            let b = region.box
            let gap = 4
            return box[0] <= b[0] + b[2] + gap && b[0] <= box[0] + box[2] + gap && box[1] <= b[1] + b[3] + gap && b[1] <= box[1] + box[3] + gap
        }

        mutating func add(_ other: TrackedRegion, _ mask: [UInt8]) {
            let b = region.box
            let x0 = min(b[0], other.box[0])
            let y0 = min(b[1], other.box[1])
            let x1 = max(b[0] + b[2], other.box[0] + other.box[2])
            let y1 = max(b[1] + b[3], other.box[1] + other.box[3])
            region.box = [x0, y0, x1 - x0, y1 - y0]
            region.area += other.area
            region.after = max(region.after, other.after)
            region.before = min(region.before, other.before)
            parts.append((other.box, mask))
        }

        /// The parts together over the thing's box, holes (between parts too) filled.
        func mask() -> [UInt8] {
            let box = region.box
            var mask = [UInt8](repeating: 0, count: box[2] * box[3])
            for part in parts {
                for row in 0..<part.box[3] {
                    for column in 0..<part.box[2] where part.mask[row * part.box[2] + column] != 0 {
                        mask[(part.box[1] - box[1] + row) * box[2] + part.box[0] - box[0] + column] = 255
                    }
                }
            }
            return parts.count > 1 ? ChangeTracker.filled(mask, width: box[2], height: box[3]) : mask
        }
    }

    /// The whole of a tracked thing in the start image: the region it was found by (`own`, at
    /// `startX`, `startY`) together with the pixels of the changed regions it overlaps where it
    /// was and, moved back, where it went (each shows the parts of it that differ from the
    /// background there) that `moved` says travelled with it (start pixel x, y), holes filled,
    /// grown by a pixel so its soft edge travels with it. `moved` keeps a thing that joins a
    /// group from taking the others in the group along.
    static func silhouette(
        _ own: [UInt8], box: MaskComponent, startX: Int, startY: Int, dx: Int, dy: Int, labels: [Int32], size: PixelSize,
        moved: (Int, Int) -> Bool
    ) -> (x: Int, y: Int, width: Int, height: Int, mask: [UInt8]) {
        let pad = 2
        let x0 = startX - pad
        let y0 = startY - pad
        let width = box.width + 2 * pad
        let height = box.height + 2 * pad
        func label(_ x: Int, _ y: Int) -> Int32 {
            guard x >= 0, y >= 0, x < size.width, y < size.height else { return 0 }
            return labels[y * size.width + x]
        }
        var here = Set<Int32>()
        var there = Set<Int32>()
        for row in 0..<box.height {
            for column in 0..<box.width where own[row * box.width + column] != 0 {
                here.insert(label(startX + column, startY + row))
                there.insert(label(startX + column + dx, startY + row + dy))
            }
        }
        here.remove(0)
        there.remove(0)
        var mask = [UInt8](repeating: 0, count: width * height)
        for row in 0..<height {
            for column in 0..<width {
                let x = x0 + column
                let y = y0 + row
                let inOwn =
                    row >= pad && column >= pad && row < pad + box.height && column < pad + box.width
                    && own[(row - pad) * box.width + column - pad] != 0
                if inOwn || ((here.contains(label(x, y)) || there.contains(label(x + dx, y + dy))) && moved(x, y)) {
                    mask[row * width + column] = 255
                }
            }
        }
        mask = filled(mask, width: width, height: height)
        var grown = mask
        for row in 0..<height {
            for column in 0..<width where mask[row * width + column] == 0 {
                let near =
                    (column > 0 && mask[row * width + column - 1] != 0) || (column < width - 1 && mask[row * width + column + 1] != 0)
                    || (row > 0 && mask[(row - 1) * width + column] != 0) || (row < height - 1 && mask[(row + 1) * width + column] != 0)
                if near { grown[row * width + column] = 255 }
            }
        }
        return (x0, y0, width, height, grown)
    }

    /// Whether `start` at (x, y) and `end` at (x + dx, y + dy) differ by at most `within` levels
    /// (both inside the frame): the pixel travelled with a thing moved by (dx, dy).
    static func agrees(_ start: GrayImage, _ end: GrayImage, _ x: Int, _ y: Int, _ dx: Int, _ dy: Int, within: Int) -> Bool {
        let size = start.size
        guard x >= 0, y >= 0, x < size.width, y < size.height, x + dx >= 0, y + dy >= 0, x + dx < size.width, y + dy < size.height else {
            return false
        }
        return abs(Int(start.pixels[y * size.width + x]) - Int(end.pixels[(y + dy) * size.width + x + dx])) <= within
    }

    /// `mask` (nonzero inside) with every hole filled: the zero pixels that cannot be reached
    /// from the box's edge through zero pixels (4-connected) become inside.
    static func filled(_ mask: [UInt8], width: Int, height: Int) -> [UInt8] {
        var outside = [Bool](repeating: false, count: mask.count)
        var queue: [Int] = []
        func visit(_ i: Int) {
            guard mask[i] == 0, !outside[i] else { return }
            outside[i] = true
            queue.append(i)
        }
        for x in 0..<width {
            visit(x)
            visit((height - 1) * width + x)
        }
        for y in 0..<height {
            visit(y * width)
            visit(y * width + width - 1)
        }
        var next = 0
        while next < queue.count {
            let i = queue[next]
            next += 1
            let x = i % width
            if x > 0 { visit(i - 1) }
            if x < width - 1 { visit(i + 1) }
            if i >= width { visit(i - width) }
            if i + width < mask.count { visit(i + width) }
        }
        return outside.map { $0 ? 0 : 255 }
    }

    /// How much `image` stands out over `component` from the unchanged pixels around its box:
    /// the mean absolute difference of the region's pixels from the ring's mean.
    private func contrast(of component: MaskComponent, labels: [Int32], mask: GrayImage, in image: GrayImage) -> Double {
        let size = image.size
        let pad = 4
        var ringSum = 0.0
        var ringCount = 0.0
        let left = max(0, component.x - pad)
        let right = min(size.width, component.x + component.width + pad)
        let top = max(0, component.y - pad)
        let bottom = min(size.height, component.y + component.height + pad)
        for y in top..<bottom {
            for x in left..<right where mask.pixels[y * size.width + x] == 0 {
                ringSum += Double(image.pixels[y * size.width + x])
                ringCount += 1
            }
        }
        guard ringCount > 0 else { return 0 }
        let ring = ringSum / ringCount
        var sum = 0.0
        for y in component.y..<(component.y + component.height) {
            for x in component.x..<(component.x + component.width) where labels[y * size.width + x] == Int32(component.label) {
                sum += abs(Double(image.pixels[y * size.width + x]) - ring)
            }
        }
        return sum / Double(max(1, component.area))
    }

    /// Share of the set pixels of `own` (over `box`'s size) that fall on changed pixels of
    /// `mask` when placed at (x, y); pixels off the frame count as unchanged.
    static func changedShare(_ own: [UInt8], box: MaskComponent, atX x: Int, y: Int, mask: GrayImage) -> Double {
        let size = mask.size
        var changed = 0
        var total = 0
        for row in 0..<box.height {
            for column in 0..<box.width where own[row * box.width + column] != 0 {
                total += 1
                let px = x + column
                let py = y + row
                if px >= 0, py >= 0, px < size.width, py < size.height, mask.pixels[py * size.width + px] != 0 { changed += 1 }
            }
        }
        return total > 0 ? Double(changed) / Double(total) : 0
    }

    /// Share of unchanged pixels of `mask` in the ring around `box`'s size placed at (x, y),
    /// its width a fifth of the box's shorter side (4 pixels at least); pixels off the frame do
    /// not count.
    static func unchangedRing(box: MaskComponent, atX x: Int, y: Int, mask: GrayImage) -> Double {
        let size = mask.size
        let pad = max(4, min(box.width, box.height) / 5)
        var unchanged = 0
        var total = 0
        for py in max(0, y - pad)..<min(size.height, y + box.height + pad) {
            for px in max(0, x - pad)..<min(size.width, x + box.width + pad) {
                guard px < x || py < y || px >= x + box.width || py >= y + box.height else { continue }
                total += 1
                if mask.pixels[py * size.width + px] == 0 { unchanged += 1 }
            }
        }
        return total > 0 ? Double(unchanged) / Double(total) : 0
    }
}
