extension MotionEngine {
    /// `plan` with the request's creative controls applied and reported: a looping clip's
    /// steps, each frame's camera matrix when an explicit move shapes the path, and what the
    /// negative prompt removed and the static mask keeps still.
    func controlled(
        _ plan: MotionPlan, start: RGBImage, end: RGBImage, request: RenderRequest, negative: NegativeCues?, removed: [String]
    ) -> MotionPlan {
        let controls = request.controls
        var plan = plan
        var report = MotionPlan.Controls()
        if controls.loop {
            plan.steps = MotionPlan.loopSteps(frameCount: request.frameCount, camera: plan.camera.easing, blend: .linear)
            report.loop = true
            plan.reason += "; looping: start → end → start, the last frame leading into the first"
        }
        if let negative {
            report.negative = negative
            var removed = removed
            if negative.prefersMotion, plan.camera.source == .prompt, plan.cues.move == nil { removed.append("dissolve") }
            report.removed = removed
            if !removed.isEmpty { plan.reason += "; the negative prompt removed: \(removed.joined(separator: ", "))" }
        }
        if let mask = controls.staticMask {
            let still = mask.lazy.filter { $0 != 0 }.count
            report.staticShare = (Double(still) / Double(max(1, mask.count)) * 10000).rounded() / 10000
            plan.reason += "; the static mask keeps \(Int((report.staticShare! * 100).rounded()))% of the frame still (dissolve only)"
        }
        if let axes = controls.camera {
            report.camera = axes
            report.cameraRole = plan.camera.source == .control ? "transition" : "path"
            if report.cameraRole == "path" {
                plan.reason += "; the requested camera move (\(axes.type)) shapes the path between the two framings"
            }
        }
        if !controls.brushes.isEmpty {
            // Where the camera path leaves the start's pixels in the last frame (the end image's
            // framing); a transition between unrelated shots ends on the end image as it is.
            let arrival = plan.followsCamera ? (plan.pathToStart(camera: 1).inverse ?? .identity) : .identity
            report.brushes = controls.brushes.map { BrushPath($0, size: plan.size).stroke(start: start, end: end, fromStart: arrival) }
            plan.reason += "; \(controls.brushes.count) region(s) follow the motion brush's paths (no dense flow)"
        }
        plan.controls = report
        if controls.camera != nil {
            for index in plan.steps.indices {
                plan.steps[index].cameraMatrix = plan.controlledMaps(camera: plan.steps[index].camera)?.toStart
            }
        }
        return plan
    }
}
