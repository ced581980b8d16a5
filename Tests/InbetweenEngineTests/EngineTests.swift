import Foundation
import Synchronization
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

    @Test func unrelatedImagesWithoutCuesDissolve() throws {
        let start = Patterns.picture(Self.size, seed: 1)
        let end = Patterns.picture(Self.size, seed: 2)
        let request = RenderRequest(size: Self.size, frameCount: 10, fps: 10, prompt: "a cat sits on a mat")
        let plan = try MotionEngine().plan(start: start, end: end, request: request)
        #expect(plan.camera.source == .none)
        #expect(plan.flow == nil)
        #expect(plan.reason.contains("dissolve"))
    }

    @Test func planIsConstantSpeedWithExactEnds() throws {
        let image = Patterns.picture(Self.size, seed: 3)
        let plan = try DissolveEngine().plan(start: image, end: image, request: RenderRequest(size: Self.size, frameCount: 5, fps: 5))
        #expect(plan.steps.map(\.time) == [0, 0.25, 0.5, 0.75, 1])
        #expect(plan.steps.map(\.blend) == [0, 0.25, 0.5, 0.75, 1])
        for easing in Easing.allCases {
            #expect(easing.apply(0) == 0 && abs(easing.apply(1) - 1) < 1e-12, "\(easing)")
        }
        #expect(Easing.easeInOut.apply(0.5) == 0.5)
        #expect(Easing.easeInOut.apply(0.1) < 0.1)
        #expect(Easing.sudden.apply(0.2) < 0.05 && Easing.sudden.apply(0.8) > 0.95)
    }

    @Test(arguments: [EngineKind.motion, .homography, .dissolve])
    func endFramesAreTheInputsBitForBit(kind: EngineKind) throws {
        let start = Patterns.picture(Self.size, seed: 4)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.2, shiftX: 5, shiftY: 5, size: Self.size))
        let request = RenderRequest(size: Self.size, frameCount: 12, fps: 12)
        let clip = try kind.engine.prepare(start: start, end: end, request: request)
        let renderer = try FrameRenderer(clip: clip, start: start, end: end, profile: .pro)
        #expect(try renderer.frame(0) == YUVImage(start))
        #expect(try renderer.frame(11) == YUVImage(end))
    }

    @Test func colourConversionRoundTrips() throws {
        // A smooth picture survives 4:2:0 and back almost unchanged.
        var image = RGBImage(size: Self.size)
        for y in 0..<Self.size.height {
            for x in 0..<Self.size.width {
                let i = (y * Self.size.width + x) * 3
                (image.pixels[i], image.pixels[i + 1], image.pixels[i + 2]) = (UInt8(x * 255 / 480), UInt8(y * 255 / 272), UInt8((x + y) * 255 / 752))
            }
        }
        let back = try YUVImage(image).rgb()
        #expect(ImageMetrics.psnr(back, image) > 40)
        let grey = RGBImage(size: Self.size, pixels: [UInt8](repeating: 128, count: Self.size.pixelCount * 3))
        #expect(Set(try YUVImage(grey).rgb().pixels).isSubset(of: [127, 128, 129]))
    }

    @Test func dissolveMidFrameIsTheAverage() throws {
        let start = RGBImage(size: Self.size, pixels: [UInt8](repeating: 40, count: Self.size.pixelCount * 3))
        let end = RGBImage(size: Self.size, pixels: [UInt8](repeating: 200, count: Self.size.pixelCount * 3))
        let clip = try DissolveEngine().prepare(start: start, end: end, request: RenderRequest(size: Self.size, frameCount: 3, fps: 3))
        let middle = try FrameRenderer(clip: clip, start: start, end: end, profile: .turbo).frame(1).rgb()
        #expect(Set(middle.pixels).isSubset(of: [119, 120, 121]))
    }

    @Test func followingTheCameraBeatsADissolveMidway() throws {
        // Ground truth: the frame halfway along a pure zoom is the start zoomed by the square root.
        let start = Patterns.picture(Self.size, seed: 5)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.44, shiftX: 0, shiftY: 0, size: Self.size))
        let truth = try Patterns.warped(start, by: Patterns.zoom(1.2, shiftX: 0, shiftY: 0, size: Self.size))
        let request = RenderRequest(size: Self.size, frameCount: 3, fps: 3)
        var scores: [EngineKind: Double] = [:]
        for kind in [EngineKind.motion, .homography, .dissolve] {
            let clip = try kind.engine.prepare(start: start, end: end, request: request)
            scores[kind] = ImageMetrics.psnr(try FrameRenderer(clip: clip, start: start, end: end, profile: .pro).frame(1).rgb(), truth)
        }
        #expect(scores[.homography]! > scores[.dissolve]! + 5, "\(scores)")
        #expect(scores[.motion]! > scores[.dissolve]! + 5, "\(scores)")
    }

    @Test func localFlowFollowsAnObjectTheCameraDoesNot() throws {
        // The background pans; a textured block moves the other way on its own.
        let background = Patterns.picture(Self.size, seed: 10)
        let block = Patterns.picture(PixelSize(width: 80, height: 80), seed: 11, shapes: 60)
        func scene(block x: Int, camera: Matrix3) throws -> RGBImage {
            var image = try Patterns.warped(background, by: camera)
            for y in 0..<80 {
                for dx in 0..<80 {
                    for c in 0..<3 {
                        image.pixels[((y + 96) * Self.size.width + x + dx) * 3 + c] = block.pixels[(y * 80 + dx) * 3 + c]
                    }
                }
            }
            return image
        }
        let start = try scene(block: 150, camera: .identity)
        let end = try scene(block: 166, camera: Matrix3.translation(-8, 0))
        let truth = try scene(block: 158, camera: Matrix3.translation(-4, 0))
        let request = RenderRequest(size: Self.size, frameCount: 3, fps: 3)
        let motion = try MotionEngine(useFlow: true).prepare(start: start, end: end, request: request)
        let field = try #require(motion.flow)
        #expect(motion.plan.flow != nil)
        // Once the pan is removed the block moves 24 px right; halfway, its centre came 12 px
        // from the start and goes 12 px on to the end, and the still background moves not at all.
        let middle = try field.at(time: 0.5)
        let centre = 136 * field.size.width + 198
        #expect(
            abs(middle.toStart[2 * centre] + 12) < 0.5 && abs(middle.toEnd[2 * centre] - 12) < 0.5,
            "\(middle.toStart[2 * centre]), \(middle.toEnd[2 * centre]), trust \(middle.trust[centre]), forward \(field.forward[2 * centre])")
        #expect(abs(middle.toStart[2 * centre + 1]) < 0.5 && middle.trust[centre] > 0.9)
        let still = 40 * field.size.width + 60
        #expect(abs(middle.toStart[2 * still]) < 0.3 && abs(middle.toEnd[2 * still]) < 0.3 && middle.trust[still] > 0.9)
        // Measured, not yet a promise: rendering with the flow is within 1 dB of global-only.
        let global = try MotionEngine(useFlow: false).prepare(start: start, end: end, request: request)
        let withFlow = ImageMetrics.psnr(try FrameRenderer(clip: motion, start: start, end: end, profile: .pro).frame(1).rgb(), truth)
        let withoutFlow = ImageMetrics.psnr(try FrameRenderer(clip: global, start: start, end: end, profile: .pro).frame(1).rgb(), truth)
        #expect(withFlow > withoutFlow - 1, "with flow \(withFlow) dB, global only \(withoutFlow) dB")
    }

    @Test("a cancelled task leaves the render thread's call at once, before the work ends")
    func renderThreadAnswersACancelAtOnce() async throws {
        let finished = Mutex(false)
        let began = Mutex(false)
        let released = Mutex(false)
        let task = Task {
            try await RenderThread().run {
                began.withLock { $0 = true }
                // Uninterruptible work that ends only once the test lets it (or after a minute).
                for _ in 0..<6000 where !released.withLock({ $0 }) { Thread.sleep(forTimeInterval: 0.01) }
                finished.withLock { $0 = true }
                return 1
            }
        }
        while !began.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
        // The uninterruptible work is still running: the call did not wait for it.
        #expect(!finished.withLock { $0 })
        released.withLock { $0 = true }
        // A call that is not cancelled gets its result.
        #expect(try await RenderThread().run { 7 } == 7)
    }

    @Test func renderingIsDeterministic() async throws {
        let start = Patterns.picture(Self.size, seed: 6)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.1, shiftX: -9, shiftY: 4, size: Self.size))
        let request = RenderRequest(size: Self.size, frameCount: 8, fps: 8, seed: 42)
        func hashes() async throws -> [UInt64] {
            let clip = try MotionEngine().prepare(start: start, end: end, request: request)
            var sink = HashSink()
            try await FrameRenderer(clip: clip, start: start, end: end, profile: .pro).render(into: &sink)
            return sink.hashes
        }
        let first = try await hashes()
        #expect(first.count == 8)
        #expect(Set(first).count == 8)
        #expect(try await hashes() == first)
    }

    @Test(arguments: [EngineProfile.turbo, .pro])
    func interleavedChromaDrawsTheSameFrames(profile: EngineProfile) async throws {
        // The AVX2 path fetches U and V at once from interleaved copies; without them the
        // planes are resampled one by one. Every byte of every frame must agree. (On a CPU
        // without AVX2 both runs take the planar path.)
        let start = Patterns.picture(Self.size, seed: 8)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.3, shiftX: 20, shiftY: -6, size: Self.size))
        let clip = try MotionEngine().prepare(start: start, end: end, request: RenderRequest(size: Self.size, frameCount: 6, fps: 6))
        var frames: [[YUVImage]] = []
        for interleaved in [true, false] {
            let renderer = try FrameRenderer(clip: clip, start: start, end: end, profile: profile, interleavedChroma: interleaved)
            frames.append(try renderer.frames(0..<6))
        }
        #expect(frames[0] == frames[1])
        // The chroma really moved: the middle frame's is not the start's.
        #expect(frames[0][3].bytes[Self.size.pixelCount...] != frames[0][0].bytes[Self.size.pixelCount...])
    }
}

/// Collects a hash per frame.
struct HashSink: FrameSink {
    var hashes: [UInt64] = []
    mutating func write(_ frame: YUVImage) async throws {
        hashes.append(ImageMetrics.hash(frame.bytes))
    }
}

@Suite("Resampling kernels")
struct ResamplingKernelTests {
    /// A turn, a zoom out past the borders and a ripple: every kind of sample position,
    /// including ones far outside the source.
    static func maps(_ size: PixelSize) -> (x: [Float], y: [Float]) {
        var mapX = [Float](repeating: 0, count: size.pixelCount)
        var mapY = mapX
        let cx = Double(size.width) / 2
        let cy = Double(size.height) / 2
        for y in 0..<size.height {
            for x in 0..<size.width {
                let dx = Double(x) - cx
                let dy = Double(y) - cy
                let angle = 0.2
                let zoom = 1.3
                var sx = cx + zoom * (cos(angle) * dx - sin(angle) * dy) + 3 * sin(Double(y) / 9)
                let sy = cy + zoom * (sin(angle) * dx + cos(angle) * dy) + 2 * cos(Double(x) / 7)
                if x % 97 == 5 { sx = -1e6 }
                mapX[y * size.width + x] = Float(sx)
                mapY[y * size.width + x] = Float(sy)
            }
        }
        return (mapX, mapY)
    }

    @Test(arguments: [Interpolation.bilinear, .bicubic], [Kernels.RemapKernel.ours, .oursBaseline])
    func ourKernelsMatchOpenCV(_ interpolation: Interpolation, _ kernel: Kernels.RemapKernel) throws {
        let size = PixelSize(width: 320, height: 180)
        let gray = try Kernels.gray(Patterns.picture(size, seed: 11), size: size)
        let (mapX, mapY) = Self.maps(size)
        let ours = try Kernels.remap(gray, mapX: mapX, mapY: mapY, size: size, interpolation: interpolation, kernel: kernel)
        let reference = try Kernels.remap(gray, mapX: mapX, mapY: mapY, size: size, interpolation: interpolation, kernel: .openCV)
        let differences = zip(ours.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }
        let largest = differences.max() ?? 0
        let differing = differences.filter { $0 > 0 }.count
        // Bilinear is exact; bicubic rounds its 4 × 4 weights once instead of per axis.
        #expect(largest <= (interpolation == .bilinear ? 0 : 1))
        #expect(Double(differing) / Double(differences.count) < (interpolation == .bilinear ? 1e-9 : 0.02), "\(differing) pixels differ")
        // The picture really moved: this is not the identity.
        #expect(zip(ours.pixels, gray.pixels).filter { $0 != $1 }.count > size.pixelCount / 2)
    }
}

@Suite("Seeded flow")
struct SeededFlowTests {
    /// A textured patch, a fifth of the frame wide, that moves 70 px over a still background:
    /// more than DIS's coarsest scale follows on its own.
    @Test func seedingFollowsALargeMove() throws {
        let size = PixelSize(width: 480, height: 270)
        let background = Patterns.picture(size, seed: 3, shapes: 150)
        let patch = Patterns.picture(PixelSize(width: 96, height: 96), seed: 29, shapes: 60)
        func scene(_ x0: Int, _ y0: Int) -> RGBImage {
            var image = background
            for y in 0..<patch.height {
                for x in 0..<patch.width {
                    let s = (y * patch.width + x) * 3
                    let d = ((y0 + y) * size.width + x0 + x) * 3
                    image.pixels[d..<(d + 3)] = patch.pixels[s..<(s + 3)]
                }
            }
            return image
        }
        let (moveX, moveY) = (70, 12)
        let a = try Kernels.gray(scene(120, 80), size: size)
        let b = try Kernels.gray(scene(120 + moveX, 80 + moveY), size: size)
        /// Mean flow over the patch's inner part, and how far it is from the true move.
        func error(_ flow: [Float]) -> Double {
            var sum = 0.0
            var count = 0
            for y in (80 + 16)..<(80 + 80) {
                for x in (120 + 16)..<(120 + 80) {
                    let i = 2 * (y * size.width + x)
                    sum += hypot(Double(flow[i]) - Double(moveX), Double(flow[i + 1]) - Double(moveY))
                    count += 1
                }
            }
            return sum / Double(count)
        }
        let plain = error(try Kernels.disFlowPair(a, b, preset: 2, seeded: false).forward)
        let seeded = error(try Kernels.disFlowPair(a, b, preset: 2, seeded: true).forward)
        #expect(seeded < 3, "seeded flow misses the patch's move by \(seeded) px on average")
        #expect(seeded < plain, "seeded \(seeded) px, plain \(plain) px")
    }
}
