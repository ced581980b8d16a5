import Foundation

/// The output frame size and how each input is fitted to it (CONTRACT.md, "Output video").
public enum OutputGeometry {
    /// The five 720p aspect buckets, landscape to portrait.
    static let buckets720: [PixelSize] = [
        PixelSize(width: 1280, height: 720),
        PixelSize(width: 1104, height: 816),
        PixelSize(width: 960, height: 960),
        PixelSize(width: 816, height: 1104),
        PixelSize(width: 720, height: 1280),
    ]

    /// The buckets of a resolution tier given by its short side (540, 720, 1080): the 720p
    /// buckets scaled by `shortSide / 720`, each side rounded to an even number.
    public static func buckets(shortSide: Int) -> [PixelSize] {
        buckets720.map { bucket in
            PixelSize(width: even(Double(bucket.width) * Double(shortSide) / 720), height: even(Double(bucket.height) * Double(shortSide) / 720))
        }
    }

    /// The bucket whose aspect ratio is nearest `source`'s, measured on a log scale so that
    /// 2:1 and 1:2 are equally far from square. Ties go to the earlier (wider) bucket.
    public static func bucket(for source: PixelSize, shortSide: Int) -> PixelSize {
        let target = log(source.aspectRatio)
        let candidates = buckets(shortSide: shortSide)
        var best = candidates[0]
        var bestDistance = Double.infinity
        for candidate in candidates {
            let distance = abs(log(candidate.aspectRatio) - target)
            if distance < bestDistance - 1e-12 {
                best = candidate
                bestDistance = distance
            }
        }
        return best
    }

    /// How to cover `target` with `source`: scale uniformly until both sides reach the target,
    /// then crop the overflow equally from both ends (centre crop).
    public static func coverFit(source: PixelSize, target: PixelSize) -> CoverFit {
        let scale = max(Double(target.width) / Double(source.width), Double(target.height) / Double(source.height))
        let scaled = PixelSize(
            width: max(target.width, Int((Double(source.width) * scale).rounded())),
            height: max(target.height, Int((Double(source.height) * scale).rounded()))
        )
        return CoverFit(
            source: source,
            scaled: scaled,
            cropX: (scaled.width - target.width) / 2,
            cropY: (scaled.height - target.height) / 2,
            target: target
        )
    }

    private static func even(_ value: Double) -> Int { Int((value / 2).rounded()) * 2 }
}

/// A cover-crop: resize `source` to `scaled`, then cut `target` at (`cropX`, `cropY`).
public struct CoverFit: Sendable, Hashable, Codable {
    public var source: PixelSize
    public var scaled: PixelSize
    public var cropX: Int
    public var cropY: Int
    public var target: PixelSize
}
