import Testing

@testable import InbetweenEngine

@Suite("Engine")
struct EngineTests {
    static let size = PixelSize(width: 480, height: 272)

    @Test func matrixAlgebra() throws {
        let m = Patterns.zoom(1.3, shiftX: 12, shiftY: -7, size: Self.size)
        let product = m * (try #require(m.inverse))
        for (value, expected) in zip(product.m, Matrix3.identity.m) {
            #expect(abs(value - expected) < 1e-9)
        }
        let from: [(x: Double, y: Double)] = [(0, 0), (100, 0), (100, 50), (0, 50)]
        let to = from.map { m.apply($0.x, $0.y)! }
        let solved = try #require(Matrix3.perspective(from: from, to: to))
        for (value, expected) in zip(solved.normalized.m, m.normalized.m) {
            #expect(abs(value - expected) < 1e-6)
        }
        #expect(Matrix3.perspective(from: [(0, 0), (1, 1), (2, 2), (3, 3)], to: from) == nil)
    }

    @Test func recoversAKnownCameraMove() throws {
        let start = Patterns.picture(Self.size, seed: 7)
        let truth = Patterns.zoom(1.25, shiftX: 18, shiftY: -10, size: Self.size)
        let end = try Patterns.warped(start, by: truth)
        let motion = try GlobalMotionEstimator(profile: .pro).estimate(start: start, end: end)
        #expect(motion.model == .homography)
        #expect(motion.confidence > 0.5)
        // Every corner of the frame lands within 1.5 px of where the true motion puts it.
        for (x, y) in [(0.0, 0.0), (480, 0), (480, 272), (0, 272), (240, 136)] {
            let found = try #require(motion.matrix.apply(x, y))
            let expected = try #require(truth.apply(x, y))
            #expect(abs(found.x - expected.x) < 1.5 && abs(found.y - expected.y) < 1.5, "corner \(x),\(y): \(found) vs \(expected)")
        }
    }

    @Test func unrelatedImagesFallBackToADissolve() throws {
        let start = Patterns.picture(Self.size, seed: 1)
        let end = Patterns.picture(Self.size, seed: 2)
        let request = RenderRequest(size: Self.size, frameCount: 10, fps: 10)
        let plan = try CameraMotionEngine().plan(start: start, end: end, request: request)
        #expect(!plan.followsCamera)
        #expect(plan.reason.contains("dissolve"))
    }

    @Test func planIsConstantSpeedWithExactEnds() throws {
        let image = Patterns.picture(Self.size, seed: 3)
        let plan = try DissolveEngine().plan(start: image, end: image, request: RenderRequest(size: Self.size, frameCount: 5, fps: 5))
        #expect(plan.steps.map(\.time) == [0, 0.25, 0.5, 0.75, 1])
        #expect(plan.steps.map(\.blend) == [0, 0.25, 0.5, 0.75, 1])
        #expect(Easing.easeInOut.apply(0.5) == 0.5)
        #expect(Easing.easeInOut.apply(0.1) < 0.1)
    }

    @Test func endFramesAreTheInputsBitForBit() throws {
        let start = Patterns.picture(Self.size, seed: 4)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.2, shiftX: 5, shiftY: 5, size: Self.size))
        let request = RenderRequest(size: Self.size, frameCount: 12, fps: 12)
        let plan = try CameraMotionEngine().plan(start: start, end: end, request: request)
        let renderer = FrameRenderer(plan: plan, start: start, end: end, profile: .pro)
        #expect(try renderer.frame(0) == start)
        #expect(try renderer.frame(11) == end)
    }

    @Test func dissolveMidFrameIsTheAverage() throws {
        let start = RGBImage(size: Self.size, pixels: [UInt8](repeating: 40, count: Self.size.pixelCount * 3))
        let end = RGBImage(size: Self.size, pixels: [UInt8](repeating: 200, count: Self.size.pixelCount * 3))
        let plan = try DissolveEngine().plan(start: start, end: end, request: RenderRequest(size: Self.size, frameCount: 3, fps: 3))
        let middle = try FrameRenderer(plan: plan, start: start, end: end, profile: .turbo).frame(1)
        #expect(Set(middle.pixels) == [120])
    }

    @Test func followingTheCameraBeatsADissolveMidway() throws {
        // Ground truth: the frame halfway along a pure zoom is the start zoomed by the square root.
        let start = Patterns.picture(Self.size, seed: 5)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.44, shiftX: 0, shiftY: 0, size: Self.size))
        let truth = try Patterns.warped(start, by: Patterns.zoom(1.2, shiftX: 0, shiftY: 0, size: Self.size))
        let request = RenderRequest(size: Self.size, frameCount: 3, fps: 3)
        let camera = try CameraMotionEngine().plan(start: start, end: end, request: request)
        let dissolve = try DissolveEngine().plan(start: start, end: end, request: request)
        let withCamera = try FrameRenderer(plan: camera, start: start, end: end, profile: .pro).frame(1)
        let plain = try FrameRenderer(plan: dissolve, start: start, end: end, profile: .pro).frame(1)
        let cameraPSNR = ImageMetrics.psnr(withCamera, truth)
        let dissolvePSNR = ImageMetrics.psnr(plain, truth)
        #expect(camera.followsCamera)
        #expect(cameraPSNR > dissolvePSNR + 5, "camera \(cameraPSNR) dB vs dissolve \(dissolvePSNR) dB")
    }

    @Test func renderingIsDeterministic() async throws {
        let start = Patterns.picture(Self.size, seed: 6)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.1, shiftX: -9, shiftY: 4, size: Self.size))
        let request = RenderRequest(size: Self.size, frameCount: 8, fps: 8)
        func hashes() async throws -> [UInt64] {
            let plan = try CameraMotionEngine().plan(start: start, end: end, request: request)
            var sink = HashSink()
            try await FrameRenderer(plan: plan, start: start, end: end, profile: .pro).render(into: &sink)
            return sink.hashes
        }
        let first = try await hashes()
        #expect(first.count == 8)
        #expect(try await hashes() == first)
    }
}

/// Collects a hash per frame.
struct HashSink: FrameSink {
    var hashes: [UInt64] = []
    mutating func write(_ frame: RGBImage) async throws {
        hashes.append(ImageMetrics.hash(frame))
    }
}
