@testable import InbetweenEngine

/// Seeded test pictures with enough texture for features: overlapping coloured rectangles and
/// discs over a gradient.
enum Patterns {
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// PSNR (dB) against `truth` over `box` of frame `index` of `clip` and of the same frame of
    /// a plain cross-fade (both drawn with the pro profile): how much nearer the truth the
    /// engine's frame is than two half-strength copies.
    static func againstDissolve(
        _ clip: PreparedClip, start: RGBImage, end: RGBImage, request: RenderRequest, frame index: Int, truth: RGBImage,
        box: (x: Int, y: Int, width: Int, height: Int)
    ) throws -> (ours: Double, fade: Double) {
        let ours = try FrameRenderer(clip: clip, start: start, end: end, profile: .pro).frame(index).rgb()
        let dissolve = try FrameRenderer(
            clip: try DissolveEngine().prepare(start: start, end: end, request: request), start: start, end: end, profile: .pro
        ).frame(index).rgb()
        return (ImageMetrics.psnr(ours.crop(box), truth.crop(box)), ImageMetrics.psnr(dissolve.crop(box), truth.crop(box)))
    }

    static func picture(_ size: PixelSize, seed: UInt64, shapes: Int = 400) -> RGBImage {
        var rng = SplitMix(state: seed)
        var image = RGBImage(size: size)
        for y in 0..<size.height {
            for x in 0..<size.width {
                let i = (y * size.width + x) * 3
                image.pixels[i] = UInt8(x * 255 / size.width)
                image.pixels[i + 1] = UInt8(y * 255 / size.height)
                image.pixels[i + 2] = 128
            }
        }
        for _ in 0..<shapes {
            let w = Int.random(in: 4...max(5, size.width / 12), using: &rng)
            let h = Int.random(in: 4...max(5, size.height / 12), using: &rng)
            let x0 = Int.random(in: 0..<size.width, using: &rng)
            let y0 = Int.random(in: 0..<size.height, using: &rng)
            let color = (UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng), UInt8.random(in: 0...255, using: &rng))
            let disc = Bool.random(using: &rng)
            for y in y0..<min(size.height, y0 + h) {
                for x in x0..<min(size.width, x0 + w) {
                    if disc {
                        let dx = Double(x - x0) / Double(w) - 0.5
                        let dy = Double(y - y0) / Double(h) - 0.5
                        if dx * dx + dy * dy > 0.25 { continue }
                    }
                    let i = (y * size.width + x) * 3
                    image.pixels[i] = color.0
                    image.pixels[i + 1] = color.1
                    image.pixels[i + 2] = color.2
                }
            }
        }
        return image
    }

    /// `image` seen through `motion` (start → end pixel coordinates).
    static func warped(_ image: RGBImage, by motion: Matrix3) throws -> RGBImage {
        try image.view(size: image.size, map: motion.inverse!, interpolation: .bicubic)
    }

    /// A zoom by `zoom` about the centre followed by a shift.
    static func zoom(_ zoom: Double, shiftX: Double, shiftY: Double, size: PixelSize) -> Matrix3 {
        let cx = Double(size.width) / 2
        let cy = Double(size.height) / 2
        return Matrix3.translation(cx + shiftX, cy + shiftY) * Matrix3.scale(zoom) * Matrix3.translation(-cx, -cy)
    }
}
