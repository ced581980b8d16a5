import CVisionKernels

/// A connected component of a mask: its bounding box and area, in the mask's pixels.
struct MaskComponent: Sendable, Hashable {
    var label: Int
    var x: Int
    var y: Int
    var width: Int
    var height: Int
    var area: Int
}

extension Kernels {
    /// 255 where the blurred `a` and `b` differ by more than `threshold` levels, cleaned by a
    /// morphological close then open (see `ivk_change_mask`).
    static func changeMask(_ a: GrayImage, _ b: GrayImage, blur: Int, threshold: Int, close: Int, open: Int) throws -> GrayImage {
        precondition(a.size == b.size, "the two images must be the same size")
        var out = GrayImage(size: a.size, pixels: [UInt8](repeating: 0, count: a.size.pixelCount))
        try withView(a) { va in
            try withView(b) { vb in
                try out.pixels.withUnsafeMutableBufferPointer { buffer in
                    var dst = IVKImage(
                        data: buffer.baseAddress, width: Int32(a.size.width), height: Int32(a.size.height), stride: Int32(a.size.width), channels: 1)
                    try check(ivk_change_mask(&va, &vb, Int32(blur), Int32(threshold), Int32(close), Int32(open), &dst), "change_mask")
                }
            }
        }
        return out
    }

    /// `image` Gaussian-blurred with a standard deviation of `sigma` pixels (see `ivk_gaussian_blur`).
    static func gaussianBlur(_ image: GrayImage, sigma: Double) throws -> GrayImage {
        var out = GrayImage(size: image.size, pixels: [UInt8](repeating: 0, count: image.size.pixelCount))
        try withView(image) { source in
            try out.pixels.withUnsafeMutableBufferPointer { buffer in
                var dst = IVKImage(
                    data: buffer.baseAddress, width: Int32(image.size.width), height: Int32(image.size.height), stride: Int32(image.size.width),
                    channels: 1)
                try check(ivk_gaussian_blur(&source, sigma, &dst), "gaussian_blur")
            }
        }
        return out
    }

    /// The 8-connected components of `mask`'s nonzero pixels: a label per pixel (0 background)
    /// and the first `capacity` components' boxes and areas.
    static func components(_ mask: GrayImage, capacity: Int) throws -> (labels: [Int32], components: [MaskComponent]) {
        var labels = [Int32](repeating: 0, count: mask.size.pixelCount)
        var stats = [Int32](repeating: 0, count: 5 * capacity)
        var count: Int32 = 0
        try withView(mask) { view in
            try check(ivk_connected_components(&view, &labels, &stats, Int32(capacity), &count), "connected_components")
        }
        let components = (0..<min(Int(count), capacity)).map { i in
            MaskComponent(
                label: i + 1, x: Int(stats[5 * i]), y: Int(stats[5 * i + 1]), width: Int(stats[5 * i + 2]), height: Int(stats[5 * i + 3]),
                area: Int(stats[5 * i + 4]))
        }
        return (labels, components)
    }

    /// `image` Gaussian-blurred with a standard deviation of `sigma` pixels, every channel.
    static func gaussianBlur(_ image: TrackingImage, sigma: Double) throws -> TrackingImage {
        var out = image
        try withView(image) { source in
            try out.pixels.withUnsafeMutableBufferPointer { buffer in
                var dst = IVKImage(
                    data: buffer.baseAddress, width: Int32(image.size.width), height: Int32(image.size.height),
                    stride: Int32(image.size.width * image.channels), channels: Int32(image.channels))
                try check(ivk_gaussian_blur(&source, sigma, &dst), "gaussian_blur")
            }
        }
        return out
    }

    static func withView<R>(_ image: TrackingImage, _ body: (inout IVKImage) throws -> R) rethrows -> R {
        try image.pixels.withUnsafeBufferPointer { buffer in
            var view = IVKImage(
                data: UnsafeMutablePointer(mutating: buffer.baseAddress), width: Int32(image.size.width), height: Int32(image.size.height),
                stride: Int32(image.size.width * image.channels), channels: Int32(image.channels))
            return try body(&view)
        }
    }

    /// Where `template` (counting only `mask`'s nonzero pixels) fits best in `search`: the
    /// top-left offset in `search` and the mean squared difference there (levels²). With
    /// `colour` (the same template and search image in colour), the `candidates` best offsets
    /// on luma are compared again in colour and the best there wins, its difference per colour
    /// channel returned: a look-alike of the same luma (another dark coat) loses. See
    /// `ivk_match_template`.
    static func matchTemplate(
        _ template: GrayImage, mask: GrayImage, in search: GrayImage, colour: (template: TrackingImage, search: TrackingImage)? = nil,
        candidates: Int = 5
    ) throws -> (x: Int, y: Int, meanSquaredError: Double) {
        var x: Int32 = 0
        var y: Int32 = 0
        var score = 0.0
        try withView(template) { vt in
            try withView(mask) { vm in
                try withView(search) { vs in
                    if let colour {
                        precondition(colour.template.channels == 3 && colour.search.channels == 3, "colour images have 3 channels")
                        try withView(colour.template) { ct in
                            try withView(colour.search) { cs in
                                try check(ivk_match_template(&vt, &vm, &vs, &ct, &cs, Int32(candidates), &x, &y, &score), "match_template")
                            }
                        }
                    } else {
                        try check(ivk_match_template(&vt, &vm, &vs, nil, nil, 1, &x, &y, &score), "match_template")
                    }
                }
            }
        }
        return (Int(x), Int(y), score)
    }
}

/// What the tracker matches things on: a gray (1 channel) or colour (3, RGB interleaved) image.
struct TrackingImage: Sendable {
    var size: PixelSize
    var channels: Int
    var pixels: [UInt8]

    init(_ gray: GrayImage) {
        (size, channels, pixels) = (gray.size, 1, gray.pixels)
    }

    init(_ colour: RGBImage) {
        (size, channels, pixels) = (colour.size, 3, colour.pixels)
    }

    init(size: PixelSize, channels: Int, pixels: [UInt8]) {
        (self.size, self.channels, self.pixels) = (size, channels, pixels)
    }

    /// The pixels of the rectangle at (x, y) of `width` × `height` (inside the image).
    func crop(x: Int, y: Int, width: Int, height: Int) -> TrackingImage {
        var out = [UInt8](repeating: 0, count: width * height * channels)
        for row in 0..<height {
            let from = ((y + row) * size.width + x) * channels
            out.replaceSubrange(row * width * channels..<(row + 1) * width * channels, with: pixels[from..<from + width * channels])
        }
        return TrackingImage(size: PixelSize(width: width, height: height), channels: channels, pixels: out)
    }

    /// The variance about the mean of the pixels where `mask` (this image's size) is set, per
    /// channel and averaged over the channels, in levels²: the terms in which
    /// `Kernels.matchTemplate` and `meanSquaredDifference` give a difference.
    func variance(mask: GrayImage) -> Double {
        var total = 0.0
        for channel in 0..<channels {
            var (count, sum, squares) = (0.0, 0.0, 0.0)
            for (i, inside) in mask.pixels.enumerated() where inside != 0 {
                let value = Double(pixels[i * channels + channel])
                (count, sum, squares) = (count + 1, sum + value, squares + value * value)
            }
            if count > 0 { total += max(0, squares / count - (sum / count) * (sum / count)) }
        }
        return total / Double(max(1, channels))
    }

    /// Mean squared difference (levels², per channel) between `template` (where `mask` is set)
    /// and this image at (x, y).
    func meanSquaredDifference(_ template: TrackingImage, mask: GrayImage, atX x: Int, y: Int) -> Double {
        var sum = 0.0
        var count = 0.0
        let width = template.size.width
        for row in 0..<template.size.height {
            for column in 0..<width where mask.pixels[row * width + column] != 0 {
                let t = (row * width + column) * channels
                let i = ((y + row) * size.width + x + column) * channels
                for channel in 0..<channels {
                    let d = Double(template.pixels[t + channel]) - Double(pixels[i + channel])
                    sum += d * d
                }
                count += Double(channels)
            }
        }
        return count > 0 ? sum / count : 0
    }
}

extension GrayImage {
    /// The pixels of the rectangle at (x, y) of `width` × `height` (inside the image).
    func crop(x: Int, y: Int, width: Int, height: Int) -> GrayImage {
        var out = [UInt8](repeating: 0, count: width * height)
        for row in 0..<height {
            let from = (y + row) * size.width + x
            for column in 0..<width { out[row * width + column] = pixels[from + column] }
        }
        return GrayImage(size: PixelSize(width: width, height: height), pixels: out)
    }
}
