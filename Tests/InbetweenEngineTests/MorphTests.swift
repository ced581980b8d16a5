import Foundation
import Testing

@testable import InbetweenEngine

/// Two images of one subject that moved in a way no camera model fits are morphed along the
/// dense flow; two different shots still dissolve.
@Suite("Morph between images that do not match")
struct MorphTests {
    static let size = PixelSize(width: 480, height: 272)

    /// `image` bent by a smooth wave scaled by `amount` (0 none, 1 full): the picture at (x, y)
    /// shows the source at (x + 10·a·sin(2πy / 200), y + 8·a·sin(2πx / 260)), nearest sample.
    static func bent(_ image: RGBImage, amount: Double) -> RGBImage {
        var out = RGBImage(size: size)
        for y in 0..<size.height {
            for x in 0..<size.width {
                let sx = Double(x) + 10 * amount * sin(2 * .pi * Double(y) / 200)
                let sy = Double(y) + 8 * amount * sin(2 * .pi * Double(x) / 260)
                let px = min(size.width - 1, max(0, Int(sx.rounded())))
                let py = min(size.height - 1, max(0, Int(sy.rounded())))
                for c in 0..<3 { out.pixels[(y * size.width + x) * 3 + c] = image.pixels[(py * size.width + px) * 3 + c] }
            }
        }
        return out
    }

    @Test("a subject bent out of any camera model morphs along the flow, nearer the truth than a dissolve")
    func aBentSubjectMorphs() throws {
        let picture = Patterns.picture(Self.size, seed: 30)
        let start = Self.bent(picture, amount: -1)
        let end = Self.bent(picture, amount: 1)
        let truth = Self.bent(picture, amount: 0)
        let request = RenderRequest(size: Self.size, frameCount: 9, fps: 8, prompt: "it sways")
        let clip = try MotionEngine().prepare(start: start, end: end, request: request)
        #expect(clip.plan.camera.source == .morph, "\(clip.plan.reason)")
        #expect(clip.flow != nil)
        let (ours, fade) = try Patterns.againstDissolve(
            clip, start: start, end: end, request: request, frame: 4, truth: truth,
            box: (x: 24, y: 24, width: Self.size.width - 48, height: Self.size.height - 48))
        #expect(ours > fade + 3, "morph \(ours) dB, dissolve \(fade) dB")
    }

    @Test("two different shots still dissolve: the flow explains little of what changed")
    func differentShotsDissolve() throws {
        let start = Patterns.picture(Self.size, seed: 31)
        let end = Patterns.picture(Self.size, seed: 32)
        let request = RenderRequest(size: Self.size, frameCount: 9, fps: 8, prompt: "a new scene")
        let clip = try MotionEngine().prepare(start: start, end: end, request: request)
        #expect(clip.plan.camera.source == .none, "\(clip.plan.reason)")
        #expect(clip.flow == nil)
    }
}
