import InbetweenEngine
import Testing

@Suite("Output geometry")
struct OutputGeometryTests {
    @Test func bucketsPerResolution() {
        #expect(
            OutputGeometry.buckets(shortSide: 720).map(\.description) == ["1280x720", "1104x816", "960x960", "816x1104", "720x1280"])
        #expect(OutputGeometry.buckets(shortSide: 540).map(\.description) == ["960x540", "828x612", "720x720", "612x828", "540x960"])
        #expect(
            OutputGeometry.buckets(shortSide: 1080).map(\.description) == ["1920x1080", "1656x1224", "1440x1440", "1224x1656", "1080x1920"])
        for short in [540, 720, 1080] {
            for bucket in OutputGeometry.buckets(shortSide: short) {
                #expect(bucket.width % 2 == 0 && bucket.height % 2 == 0)
            }
        }
    }

    @Test(
        "the nearest bucket to the start image's aspect",
        arguments: [
            (PixelSize(width: 1920, height: 1080), "1280x720"),  // landscape 16:9
            (PixelSize(width: 1600, height: 1200), "1104x816"),  // 4:3
            (PixelSize(width: 3000, height: 2000), "1104x816"),  // 3:2 is nearer 4:3 than 16:9 on a log scale
            (PixelSize(width: 1000, height: 1000), "960x960"),  // square
            (PixelSize(width: 1100, height: 1000), "960x960"),  // nearly square
            (PixelSize(width: 1200, height: 1600), "816x1104"),  // 3:4 portrait
            (PixelSize(width: 1080, height: 1920), "720x1280"),  // 9:16 portrait
            (PixelSize(width: 3900, height: 1000), "1280x720"),  // extreme landscape
            (PixelSize(width: 1000, height: 3900), "720x1280"),  // extreme portrait
            (PixelSize(width: 1, height: 1), "960x960"),  // tiny
        ])
    func nearestBucket(source: PixelSize, expected: String) {
        #expect(OutputGeometry.bucket(for: source, shortSide: 720).description == expected)
    }

    @Test func bucketAtOtherResolutions() {
        #expect(OutputGeometry.bucket(for: PixelSize(width: 1080, height: 1920), shortSide: 540).description == "540x960")
        #expect(OutputGeometry.bucket(for: PixelSize(width: 1600, height: 1200), shortSide: 1080).description == "1656x1224")
    }

    @Test(
        "cover-crop around the centre",
        arguments: [
            // source, target, scaled, crop x, crop y
            (PixelSize(width: 1920, height: 1080), PixelSize(width: 1280, height: 720), PixelSize(width: 1280, height: 720), 0, 0),
            (PixelSize(width: 1000, height: 1000), PixelSize(width: 1280, height: 720), PixelSize(width: 1280, height: 1280), 0, 280),
            (PixelSize(width: 3900, height: 1000), PixelSize(width: 1280, height: 720), PixelSize(width: 2808, height: 720), 764, 0),
            (PixelSize(width: 1080, height: 1920), PixelSize(width: 720, height: 1280), PixelSize(width: 720, height: 1280), 0, 0),
            (PixelSize(width: 1000, height: 3900), PixelSize(width: 720, height: 1280), PixelSize(width: 720, height: 2808), 0, 764),
            (PixelSize(width: 640, height: 480), PixelSize(width: 960, height: 960), PixelSize(width: 1280, height: 960), 160, 0),
            (PixelSize(width: 300, height: 200), PixelSize(width: 1920, height: 1080), PixelSize(width: 1920, height: 1280), 0, 100),
        ])
    func coverFit(source: PixelSize, target: PixelSize, scaled: PixelSize, cropX: Int, cropY: Int) {
        let fit = OutputGeometry.coverFit(source: source, target: target)
        #expect(fit.scaled == scaled)
        #expect(fit.cropX == cropX)
        #expect(fit.cropY == cropY)
        #expect(fit.cropX + fit.target.width <= fit.scaled.width)
        #expect(fit.cropY + fit.target.height <= fit.scaled.height)
    }

    @Test func coverFitAlwaysCovers() {
        for w in stride(from: 100, through: 4000, by: 371) {
            for h in stride(from: 100, through: 4000, by: 413) {
                let source = PixelSize(width: w, height: h)
                let target = OutputGeometry.bucket(for: source, shortSide: 720)
                let fit = OutputGeometry.coverFit(source: source, target: target)
                #expect(fit.scaled.width >= target.width && fit.scaled.height >= target.height)
                // Uniform scale: the aspect ratio changes by under one pixel's worth.
                let scaleX = Double(fit.scaled.width) / Double(w)
                let scaleY = Double(fit.scaled.height) / Double(h)
                #expect(abs(scaleX - scaleY) * Double(max(w, h)) <= 1.01, "\(source)")
            }
        }
    }
}
