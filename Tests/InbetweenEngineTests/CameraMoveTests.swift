import Testing

@testable import InbetweenEngine

/// A camera move the prompt asks for between two shots that do not match.
@Suite("Camera moves between unrelated shots")
struct CameraMoveTests {
    static let size = PixelSize(width: 480, height: 272)

    static func solid(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> RGBImage {
        var image = RGBImage(size: size)
        for i in 0..<size.pixelCount { (image.pixels[3 * i], image.pixels[3 * i + 1], image.pixels[3 * i + 2]) = (r, g, b) }
        return image
    }

    /// With each shot one flat colour, a frame covered edge to edge by both is one flat
    /// blend; a shrunken or shifted shot leaves a border of the other colour (or of neither).
    @Test(arguments: ["zoom in", "zoom out", "pan left", "pan right", "tilt up", "tilt down", "orbit left", "orbit right"])
    func bothShotsCoverEveryFrameEdgeToEdge(prompt: String) throws {
        let start = Self.solid(200, 40, 40)
        let end = Self.solid(30, 60, 220)
        let request = RenderRequest(size: Self.size, frameCount: 12, fps: 12, prompt: "the camera moves: \(prompt)", amplitude: 0.2)
        let clip = try MotionEngine().prepare(start: start, end: end, request: request)
        #expect(clip.plan.camera.source == .prompt, "\(clip.plan.reason)")
        let renderer = try FrameRenderer(clip: clip, start: start, end: end, profile: .pro)
        let a = try YUVImage(start)
        let b = try YUVImage(end)
        for index in 1..<(request.frameCount - 1) {
            let frame = try renderer.frame(index)
            let blend = clip.plan.steps[index].blend
            // Every luma sample is the blend of the two colours (within rounding), edges included.
            let expected = (1 - blend) * Double(a.bytes[0]) + blend * Double(b.bytes[0])
            var off = 0
            var worst = 0.0
            for i in 0..<Self.size.pixelCount {
                let error = abs(Double(frame.bytes[i]) - expected)
                if error > 1.5 { off += 1 }
                worst = max(worst, error)
            }
            #expect(off == 0, "\(prompt), frame \(index): \(off) luma samples off the blend, worst by \(worst)")
        }
    }

    @Test func theMoveTravelsOneWay() {
        // Pan left: the start's content moves right, and so does the end's on its way in.
        let size = Self.size
        var previous: (start: Double, end: Double)?
        for step in 0...10 {
            let c = Double(step) / 10
            let maps = CameraMoves.sourceMaps(.panLeft, amplitude: 0.12, size: size, progress: c)
            // Where the frame's centre looks in each source: moving left there means what is
            // seen moves right.
            let start = maps.toStart.apply(240, 136)!.x
            let end = maps.toEnd.apply(240, 136)!.x
            if let previous {
                #expect(start <= previous.start + 1e-9 && end <= previous.end + 1e-9, "step \(step): \(start), \(end)")
            }
            previous = (start, end)
        }
        let first = CameraMoves.sourceMaps(.zoomIn, amplitude: 0.12, size: size, progress: 0)
        let last = CameraMoves.sourceMaps(.zoomIn, amplitude: 0.12, size: size, progress: 1)
        #expect(first.toStart == .identity && last.toEnd == .identity)
    }
}
