import Testing

@testable import InbetweenEngine

@Suite("Prompt cues")
struct MotionCuesTests {
    @Test(
        "real prompts",
        arguments: [
            // The seed page's own example.
            ("The camera zooms in, and the character slowly emerges from the water.", MotionCues.Move.zoomIn, MotionCues.Pace.slow),
            ("Slow push in on the lighthouse at dusk", .zoomIn, .slow),
            ("Dolly forward through the forest", .zoomIn, .normal),
            ("The camera pulls back to reveal the whole city", .zoomOut, .normal),
            ("Zoom out quickly from the face to the crowd", .zoomOut, .fast),
            ("the camera pans left across the harbour", .panLeft, .normal),
            ("Pan to the right, following the cyclist", .panRight, .normal),
            ("Camera tilts up from the street to the skyline", .tiltUp, .normal),
            ("Tilt down slowly to the flowers", .tiltDown, .slow),
            ("The camera orbits clockwise around the statue", .orbitRight, .normal),
            ("Orbit around the car", .orbitLeft, .normal),
            ("Suddenly the camera zooms in on the eyes", .zoomIn, .sudden),
            ("Static shot, the sun sets behind the hills", .static, .normal),
        ])
    func prompt(text: String, move: MotionCues.Move, pace: MotionCues.Pace) {
        let cues = MotionCues.parse(text)
        #expect(cues.move == move, "\(text): \(cues)")
        #expect(cues.pace == pace, "\(text): \(cues)")
    }

    /// Cue words joined or split by hyphens, dashes, slashes, underscores and brackets read as
    /// the plain words do (issue 17).
    @Test(
        "hyphens and other marks",
        arguments: [
            ("Slow zoom-in on the lighthouse", MotionCues.Move.zoomIn, "zoom in"),
            ("A quick pan-left across the bay", .panLeft, "pan left"),
            ("dolly-in toward the door", .zoomIn, "dolly in"),
            ("ZOOM\u{2013}OUT to the skyline", .zoomOut, "zoom out"),
            ("camera: tilt_up / slowly", .tiltUp, "tilt up"),
            ("(pan) (right) past the shelves", .panRight, "pan right"),
            ("a close-up of the coin", .zoomIn, "close up"),
            ("orbit counter-clockwise around the vase", .orbitLeft, "orbit counter clockwise"),
            ("locked-off shot of the street", .static, "locked off"),
            ("pull-back from the singer", .zoomOut, "pull back"),
        ])
    func marksBetweenWords(text: String, move: MotionCues.Move, phrase: String) {
        let cues = MotionCues.parse(text)
        #expect(cues.move == move, "\(text): \(cues)")
        #expect(cues.phrases.contains(phrase), "\(text): \(cues)")
    }

    @Test func clauseBreaksStillSeparateAnOrbitFromALaterDirection() {
        // "left" after a comma belongs to another clause: an orbit with no direction is left.
        #expect(MotionCues.parse("the camera orbits the statue, a dog runs right").move == .orbitLeft)
        #expect(MotionCues.parse("the camera orbits the statue to the right").move == .orbitRight)
    }

    @Test func unknownWordsAreIgnored() {
        #expect(MotionCues.parse("A watercolour of a fox, trending, 8k, masterpiece") == .none)
        #expect(MotionCues.parse("") == .none)
    }

    @Test func firstMoveWinsAndStrengthIsRead() {
        let cues = MotionCues.parse("Pan left slightly, then zoom in")
        #expect(cues.move == .panLeft)
        #expect(cues.strength == 0.5)
        #expect(cues.phrases == ["pan left", "slightly"])
        #expect(MotionCues.parse("a dramatic zoom in").strength == 1.5)
    }

    static let size = PixelSize(width: 320, height: 180)

    /// Two unrelated pictures: the prompt picks the transition.
    func plan(_ prompt: String, amplitude: Double? = nil) throws -> MotionPlan {
        let start = Patterns.picture(Self.size, seed: 21)
        let end = Patterns.picture(Self.size, seed: 22)
        return try MotionEngine().plan(
            start: start, end: end, request: RenderRequest(size: Self.size, frameCount: 24, fps: 24, prompt: prompt, amplitude: amplitude))
    }

    @Test func panLeftOverADissolve() throws {
        let plan = try plan("the camera pans left")
        #expect(plan.camera.source == .prompt)
        #expect(plan.camera.move == .panLeft)
        // What is seen moves right: the end is reached by a pure horizontal shift of 12% of the width.
        let m = plan.camera.matrix
        #expect(abs(m[0, 2] - 0.12 * 320) < 1e-9 && m[1, 2] == 0 && m[0, 0] == 1 && m[1, 1] == 1)
        // Halfway, the camera is halfway along the move and the two shots are mixed evenly.
        let middle = plan.steps[12]
        #expect(abs(middle.camera - 12.0 / 23.0) < 1e-9)
        #expect(abs(middle.blend - 12.0 / 23.0) < 1e-9)
        #expect(plan.reason.contains("pan-left over a dissolve"))
    }

    @Test func zoomInOverADissolve() throws {
        let plan = try plan("zoom in", amplitude: 0.2)
        #expect(plan.camera.source == .prompt)
        #expect(plan.camera.move == .zoomIn)
        let m = plan.camera.matrix
        // A zoom about the centre: the centre stays put, the corners move outwards by 1.4x.
        let centre = try #require(m.apply(160, 90))
        #expect(abs(centre.x - 160) < 1e-9 && abs(centre.y - 90) < 1e-9)
        let corner = try #require(m.apply(0, 0))
        #expect(abs(corner.x - (160 - 1.4 * 160)) < 1e-9 && abs(corner.y - (90 - 1.4 * 90)) < 1e-9)
    }

    @Test func amplitudeAndPaceShapeTheMove() throws {
        let small = try plan("pan right", amplitude: 0.06).camera.matrix[0, 2]
        let large = try plan("pan right", amplitude: 0.2).camera.matrix[0, 2]
        #expect(small < 0 && large < small)
        let slow = try plan("pan right slowly")
        #expect(slow.camera.easing == .easeInOut)
        #expect(slow.steps[3].camera < slow.steps[3].time)
    }

    @Test func matchedImagesFollowTheFoundMotionWhateverThePromptSays() throws {
        let start = Patterns.picture(Self.size, seed: 23)
        let end = try Patterns.warped(start, by: Patterns.zoom(1.15, shiftX: 4, shiftY: 2, size: Self.size))
        let plan = try MotionEngine().plan(
            start: start, end: end, request: RenderRequest(size: Self.size, frameCount: 24, fps: 24, prompt: "pan left gently"))
        #expect(plan.camera.source == .found)
        #expect(plan.camera.easing == .easeInOut)
        #expect(plan.cues.move == .panLeft)
    }
}
