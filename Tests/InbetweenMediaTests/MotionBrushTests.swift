import Foundation
import InbetweenAPI
import InbetweenEngine
import InbetweenMedia
import Testing

/// The motion brush against ground truth: a sprite on the sample photograph, given its mask and
/// a 3-point trajectory, is followed in the rendered frames (before encoding).
@Suite("Motion brush on a photo", .tags(.slow), .timeLimit(.minutes(3)))
struct MotionBrushTests {
    static let size = PixelSize(width: 480, height: 272)
    static let radius = 14

    /// The photo with a magenta disc of `radius` centred on (cx, cy).
    static func withSprite(_ photo: RGBImage, at centre: (x: Int, y: Int)) -> RGBImage {
        var image = photo
        for y in 0..<size.height {
            for x in 0..<size.width where (x - centre.x) * (x - centre.x) + (y - centre.y) * (y - centre.y) <= radius * radius {
                let i = (y * size.width + x) * 3
                (image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]) = (255, 0, 255)
            }
        }
        return image
    }

    /// The centre of the magenta samples of `frame`, in luma pixels (from the chroma planes:
    /// magenta is high in both U and V), and how many chroma samples it has.
    static func spriteCentre(_ frame: YUVImage) -> (x: Double, y: Double, count: Int) {
        let luma = size.pixelCount
        let chromaWidth = size.width / 2
        var (sx, sy, count) = (0.0, 0.0, 0)
        for cy in 0..<(size.height / 2) {
            for cx in 0..<chromaWidth {
                let c = cy * chromaWidth + cx
                if frame.bytes[luma + c] > 180 && frame.bytes[luma + luma / 4 + c] > 180 {
                    sx += Double(2 * cx) + 0.5
                    sy += Double(2 * cy) + 0.5
                    count += 1
                }
            }
        }
        return count == 0 ? (0, 0, 0) : (sx / Double(count), sy / Double(count), count)
    }

    @Test("a sprite given a mask and a 3-point trajectory follows it within 2 px in every frame")
    func spriteFollowsTheTrajectory() async throws {
        let fixtures = try Fixtures()
        let stager = ImageStager(ffmpeg: fixtures.ffmpeg, directory: fixtures.directory)
        let staged = try await stager.stage(.file(Fixtures.samples.start), field: "image")
        let photo = try await stager.decode(staged, fit: OutputGeometry.coverFit(source: staged.size, target: Self.size))
        #expect(Self.spriteCentre(try YUVImage(photo)).count == 0, "the photo has no magenta of its own")
        let points = [(x: 80, y: 200), (x: 240, y: 60), (x: 400, y: 180)]
        let start = Self.withSprite(photo, at: points[0])
        let end = Self.withSprite(photo, at: points[2])
        var mask = [UInt8](repeating: 0, count: Self.size.pixelCount)
        let reach = Self.radius + 1
        for y in 0..<Self.size.height {
            for x in 0..<Self.size.width where (x - 80) * (x - 80) + (y - 200) * (y - 200) <= reach * reach { mask[y * Self.size.width + x] = 255 }
        }
        let path = points.map { CreativeControls.Point(x: Double($0.x), y: Double($0.y)) }
        let controls = CreativeControls(brushes: [CreativeControls.Brush(mask: mask, path: path)])
        let request = RenderRequest(
            size: Self.size, frameCount: 24, fps: 24, prompt: "a ball flies over the ridge", profile: .turbo, controls: controls)
        let clip = try MotionEngine().prepare(start: start, end: end, request: request)
        let stroke = try #require(clip.plan.controls?.brushes?.first)
        #expect(stroke.arrives, "difference \(stroke.difference)")
        #expect(abs(stroke.length - (hypot(160, 140) + hypot(160, 120))) < 0.01)
        let frames = try FrameRenderer(clip: clip, start: start, end: end, profile: .turbo).frames(0..<24)
        // The ground truth: the trajectory resampled by arc length at each frame's progress.
        let length = stroke.length
        func truth(_ u: Double) -> (x: Double, y: Double) {
            let target = u * length
            let first = hypot(160.0, 140)
            if target <= first { return (80 + 160 * target / first, 200 - 140 * target / first) }
            let f = (target - first) / hypot(160.0, 120)
            return (240 + 160 * f, 60 + 120 * f)
        }
        var worst = 0.0
        for (index, frame) in frames.enumerated() {
            let seen = Self.spriteCentre(frame)
            let expected = truth(clip.plan.steps[index].camera)
            let error = hypot(seen.x - expected.x, seen.y - expected.y)
            worst = max(worst, error)
            // One sprite, whole: about π r² / 4 chroma samples, no ghost where it was or goes.
            #expect(abs(Double(seen.count) - Double.pi * 14 * 14 / 4) < 40, "frame \(index): \(seen.count) magenta samples")
            #expect(error <= 2, "frame \(index): sprite at (\(seen.x), \(seen.y)), trajectory at \(expected)")
        }
        print("motion brush: worst centroid error \((worst * 100).rounded() / 100) px over \(frames.count) frames")
    }
}
