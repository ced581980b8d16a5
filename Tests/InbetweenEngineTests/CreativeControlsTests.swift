import Foundation
import Testing

@testable import InbetweenEngine

/// The request's creative controls in the engine: each changes the plan as documented, and
/// their frames keep the promises the issue names (measured on the frames before encoding).
@Suite("Creative controls in the engine")
struct CreativeControlsTests {
    static let size = PixelSize(width: 320, height: 192)

    /// Two unrelated textured shots whose every pixel is bright (luma well above black), so a
    /// border or a blank area shows as a dark sample.
    static func bright(seed: UInt64) -> RGBImage {
        let picture = Patterns.picture(size, seed: seed, shapes: 120)
        var image = picture
        // Odd seeds are turned half a turn, so two shots never share the pattern's gradient.
        let turned = seed % 2 == 1
        for y in 0..<size.height {
            for x in 0..<size.width {
                let from = turned ? ((size.height - 1 - y) * size.width + (size.width - 1 - x)) * 3 : (y * size.width + x) * 3
                for c in 0..<3 { image.pixels[(y * size.width + x) * 3 + c] = 70 + UInt8(Int(picture.pixels[from + c]) * 150 / 255) }
            }
        }
        return image
    }

    static func request(frames: Int = 12, prompt: String = "a shot", controls: CreativeControls = CreativeControls()) -> RenderRequest {
        RenderRequest(size: size, frameCount: frames, fps: 12, prompt: prompt, profile: .turbo, controls: controls)
    }

    static func frames(_ clip: PreparedClip, _ start: RGBImage, _ end: RGBImage) throws -> [YUVImage] {
        try FrameRenderer(clip: clip, start: start, end: end, profile: .turbo).frames(0..<clip.plan.frameCount)
    }

    /// Mean absolute luma difference.
    static func meanStep(_ a: YUVImage, _ b: YUVImage) -> Double {
        var sum = 0
        for i in 0..<a.size.pixelCount { sum += abs(Int(a.bytes[i]) - Int(b.bytes[i])) }
        return Double(sum) / Double(a.size.pixelCount)
    }

    @Test("no controls: the plan and frames are those of a request without the field")
    func absentControlsChangeNothing() throws {
        let (start, end) = (Self.bright(seed: 1), Self.bright(seed: 2))
        let plain = try MotionEngine().prepare(start: start, end: end, request: Self.request(prompt: "zoom in"))
        #expect(plain.plan.controls == nil && plain.plan.steps.allSatisfy { $0.cameraMatrix == nil })
        let json = String(decoding: try JSONEncoder().encode(plain.plan), as: UTF8.self)
        #expect(!json.contains("controls") && !json.contains("cameraMatrix"))
    }

    @Test("simple zoom +5 on an unrelated pair: every frame covered edge to edge, the plan shows each frame's matrix")
    func zoomCoversEveryFrame() throws {
        let (start, end) = (Self.bright(seed: 3), Self.bright(seed: 4))
        let controls = CreativeControls(camera: CameraAxes(type: "simple", zoom: 5))
        let clip = try MotionEngine().prepare(start: start, end: end, request: Self.request(prompt: "pan left", controls: controls))
        #expect(clip.plan.camera.source == .control, "\(clip.plan.reason)")
        #expect(clip.plan.controls?.cameraRole == "transition")
        let matrices = clip.plan.steps.compactMap(\.cameraMatrix)
        #expect(matrices.count == clip.plan.frameCount)
        #expect(matrices.first == .identity)
        // The start is magnified more and more: the frame's corner looks closer to the centre.
        let corners = matrices.map { $0.apply(0, 0)!.x }
        #expect(zip(corners, corners.dropFirst()).allSatisfy { $0.0 <= $0.1 + 1e-9 } && corners[corners.count - 2] > 10)
        let frames = try Self.frames(clip, start, end)
        for (index, frame) in frames.enumerated() {
            // YUV luma of the bright inputs is never below ~75; a border or a blank shows as dark.
            let darkest = frame.bytes[0..<Self.size.pixelCount].min()!
            #expect(darkest >= 60, "frame \(index): a sample of luma \(darkest)")
        }
    }

    @Test("static mask + zoom +5: the masked pixels stay the input's in every frame")
    func staticMaskKeepsPixels() throws {
        var (start, end) = (Self.bright(seed: 5), Self.bright(seed: 6))
        // A logo both shots share, where the mask keeps it.
        var mask = [UInt8](repeating: 0, count: Self.size.pixelCount)
        for y in 20..<70 {
            for x in 30..<130 {
                let i = y * Self.size.width + x
                mask[i] = 255
                let value: (UInt8, UInt8, UInt8) = (x / 10 + y / 10) % 2 == 0 ? (250, 250, 250) : (20, 30, 200)
                (start.pixels[3 * i], start.pixels[3 * i + 1], start.pixels[3 * i + 2]) = value
                (end.pixels[3 * i], end.pixels[3 * i + 1], end.pixels[3 * i + 2]) = value
            }
        }
        let controls = CreativeControls(camera: CameraAxes(type: "simple", zoom: 5), staticMask: mask)
        let clip = try MotionEngine().prepare(start: start, end: end, request: Self.request(controls: controls))
        #expect(abs((clip.plan.controls?.staticShare ?? 0) - Double(50 * 100) / Double(Self.size.pixelCount)) < 1e-4)
        let input = try YUVImage(start)
        let luma = Self.size.pixelCount
        let frames = try Self.frames(clip, start, end)
        for (index, frame) in frames.enumerated() {
            var off = 0
            for y in 20..<70 {
                for x in 30..<130 {
                    let i = y * Self.size.width + x
                    let c = (y / 2) * (Self.size.width / 2) + x / 2
                    if frame.bytes[i] != input.bytes[i] || frame.bytes[luma + c] != input.bytes[luma + c]
                        || frame.bytes[luma + luma / 4 + c] != input.bytes[luma + luma / 4 + c]
                    {
                        off += 1
                    }
                }
            }
            #expect(off == 0, "frame \(index): \(off) masked pixels changed")
        }
        // Outside the mask the zoom moved things.
        #expect(Self.meanStep(frames[0], frames[frames.count / 2]) > 5)
    }

    @Test("camera_control on a matched pair shapes the path: frame 0 and the last unchanged, a push past both in between")
    func controlShapesAMatchedPath() throws {
        let start = Patterns.picture(Self.size, seed: 7)
        let motion = Patterns.zoom(1.08, shiftX: 6, shiftY: 2, size: Self.size)
        let end = try Patterns.warped(start, by: motion)
        let plain = try MotionEngine().prepare(start: start, end: end, request: Self.request())
        #expect(plain.plan.camera.source == .found, "\(plain.plan.reason)")
        let controls = CreativeControls(camera: CameraAxes(type: "simple", pan: 4, zoom: 5))
        let clip = try MotionEngine().prepare(start: start, end: end, request: Self.request(controls: controls))
        #expect(clip.plan.camera.source == .found && clip.plan.controls?.cameraRole == "path")
        let steps = clip.plan.steps
        #expect(steps.first?.cameraMatrix == .identity)
        let lastMatrix = try #require(steps.last?.cameraMatrix)
        let plainLast = plain.plan.pathToStart(camera: 1)
        #expect(zip(lastMatrix.m, plainLast.m).allSatisfy { abs($0 - $1) < 1e-9 })
        // Half way the view is pushed in past the plain path (a smaller area of the start is seen)
        // and turned right (what is seen lies further right).
        let middle = try #require(steps[steps.count / 2].cameraMatrix)
        let plainMiddle = plain.plan.pathToStart(camera: steps[steps.count / 2].camera)
        let span = { (m: Matrix3) in m.apply(Double(Self.size.width), 0)!.x - m.apply(0, 0)!.x }
        #expect(span(middle) < span(plainMiddle) * 0.95)
        #expect(middle.apply(160, 96)!.x > plainMiddle.apply(160, 96)!.x + 5)
        let frames = try Self.frames(clip, start, end)
        let (first, last) = (try YUVImage(start), try YUVImage(end))
        #expect(frames.first == first && frames.last == last)
    }

    @Test("the presets are fixed axes and each one changes the frames' matrices")
    func presetsMove() {
        for type in ["down_back", "forward_up", "right_turn_forward", "left_turn_forward"] {
            let axes: CameraAxes =
                switch type {
                case "down_back": CameraAxes(type: type, vertical: -5, zoom: -5)
                case "forward_up": CameraAxes(type: type, vertical: 5, zoom: 5)
                case "right_turn_forward": CameraAxes(type: type, pan: 5, zoom: 5)
                default: CameraAxes(type: type, pan: -5, zoom: 5)
                }
            let maps = axes.transitionMaps(size: Self.size, progress: 0.5)
            #expect(maps.toStart != .identity || maps.toEnd != .identity, "\(type)")
        }
    }

    @Test("negative prompt: named cues are switched off and listed, unknown words ignored")
    func negativePrompt() throws {
        let (start, end) = (Self.bright(seed: 8), Self.bright(seed: 9))
        let prompt = "the camera zooms in slowly"
        let plain = try MotionEngine().prepare(start: start, end: end, request: Self.request(prompt: prompt))
        #expect(plain.plan.camera.move == .zoomIn && plain.plan.cues.pace == .slow)
        let off = try MotionEngine().prepare(
            start: start, end: end, request: Self.request(prompt: prompt, controls: CreativeControls(negativePrompt: "no zoom, nothing slow")))
        #expect(off.plan.camera.source == .none && off.plan.cues.move == nil && off.plan.cues.pace == .normal)
        #expect(off.plan.controls?.removed == ["move zoom-in", "pace slow"])
        #expect(off.plan.cues.phrases.isEmpty)
        let unknown = try MotionEngine().prepare(
            start: start, end: end, request: Self.request(prompt: prompt, controls: CreativeControls(negativePrompt: "blurry, watermark, ugly")))
        #expect(unknown.plan.camera.move == .zoomIn && unknown.plan.controls?.removed == [])
        #expect(unknown.plan.steps == plain.plan.steps)
        // "dissolve" prefers motion: an unrelated pair without a move gets a push in.
        let moving = try MotionEngine().prepare(
            start: start, end: end, request: Self.request(prompt: "two shots", controls: CreativeControls(negativePrompt: "dissolve")))
        #expect(moving.plan.camera.source == .prompt && moving.plan.camera.move == .zoomIn && moving.plan.controls?.removed == ["dissolve"])
    }

    @Test("negative prompt 'camera movement' locks a camera the images would follow")
    func negativeLocksCamera() throws {
        let start = Patterns.picture(Self.size, seed: 10)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.0, shiftX: 14, shiftY: 0, size: Self.size))
        let locked = try MotionEngine().prepare(
            start: start, end: end, request: Self.request(controls: CreativeControls(negativePrompt: "camera movement, shaky")))
        #expect(!locked.plan.followsCamera, "\(locked.plan.reason)")
        #expect(locked.plan.controls?.removed?.contains("camera path found") == true)
    }

    @Test("the dissolve engine loops too")
    func dissolveLoops() throws {
        let (start, end) = (Self.bright(seed: 12), Self.bright(seed: 13))
        let clip = try DissolveEngine().prepare(start: start, end: end, request: Self.request(frames: 8, controls: CreativeControls(loop: true)))
        #expect(clip.plan.loops && clip.plan.steps.map(\.blend)[4] == 1 && clip.plan.steps[7].blend == clip.plan.steps[1].blend)
        let frames = try Self.frames(clip, start, end)
        let (first, last) = (try YUVImage(start), try YUVImage(end))
        #expect(frames[0] == first && frames[7] != last && frames[7] == frames[1])
    }

    @Test("loop: out and back in the same frames; the step from the last frame to frame 0 is no bigger than the median step")
    func loopWraps() throws {
        let start = Patterns.picture(Self.size, seed: 11)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.1, shiftX: 10, shiftY: 4, size: Self.size))
        let clip = try MotionEngine().prepare(start: start, end: end, request: Self.request(frames: 16, controls: CreativeControls(loop: true)))
        #expect(clip.plan.controls?.loop == true && clip.plan.loops)
        #expect(clip.plan.steps[8].camera == 1 && clip.plan.steps[8].blend == 1)
        #expect(clip.plan.steps[15].camera == clip.plan.steps[1].camera)
        let frames = try Self.frames(clip, start, end)
        let endFrame = try YUVImage(end)
        #expect(frames.count == 16 && frames.last != endFrame)
        // Every step of the loop, the wrap from the last frame to frame 0 among them.
        let wrap = Self.meanStep(frames[15], frames[0])
        let steps = (zip(frames, frames.dropFirst()).map { Self.meanStep($0.0, $0.1) } + [wrap]).sorted()
        let median = steps[steps.count / 2]
        print("loop: wrap \(wrap), median step \(median) (luma levels)")
        #expect(wrap <= median, "wrap \(wrap), median \(median)")
        #expect(wrap > 0)
    }
}
