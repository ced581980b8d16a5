import Foundation
import InbetweenAPI
import Testing

/// The extension fields of CONTRACT.md ("Extensions"): their shapes, and a 422 naming the
/// field and the rule for every broken one.
@Suite("Creative controls: argument validation")
struct CreativeControlsArgumentsTests {
    static func png(_ width: Int, _ height: Int) -> String {
        "data:image/png;base64," + Data(ImageHeaderTests.pngHeader(width: UInt32(width), height: UInt32(height))).base64EncodedString()
    }

    /// `text` (JSON, with `PNG64x48` and the like standing for a PNG data URI of that size) as
    /// arguments over a start image of 64×48 in hand (a data URI), so mask sizes are checked at create.
    static func args(_ text: String) throws -> [String: JSONValue] {
        var expanded = text
        for (name, size) in [("PNG64x48", (64, 48)), ("PNG32x48", (32, 48)), ("PNG64x64", (64, 64))] {
            expanded = expanded.replacingOccurrences(of: name, with: png(size.0, size.1))
        }
        guard case .object(let changes) = try JSONDecoder().decode(JSONValue.self, from: Data(expanded.utf8)) else {
            throw CocoaError(.coderInvalidValue)
        }
        var args: [String: JSONValue] = ["prompt": "a shot", "image": .string(png(64, 48)), "image_tail": .string(png(64, 48))]
        for (key, value) in changes { args[key] = value }
        return args
    }

    static func refusal(_ text: String) throws -> APIError? {
        do {
            _ = try GenerationArguments(validating: try args(text))
            Issue.record("expected \(text.prefix(80)) to be refused")
            return nil
        } catch let error as APIError {
            return error
        }
    }

    static let points = #"[{"x": 10, "y": 10}, {"x": 30, "y": 20}, {"x": 50, "y": 40}]"#

    @Test func absentFieldsAreAbsent() throws {
        let parsed = try GenerationArguments(validating: try Self.args("{}"))
        #expect(!parsed.hasControls && parsed.controlFields.isEmpty)
        #expect(parsed.cameraControl == nil && parsed.dynamicMasks == nil && parsed.staticMask == nil && parsed.negativePrompt == nil)
        #expect(!parsed.loop)
    }

    @Test func validShapes() throws {
        let parsed = try GenerationArguments(
            validating: try Self.args(
                #"{"camera_control": {"type": "simple", "config": {"zoom": 5, "pan": -2.5}}, "#
                    + #""dynamic_masks": [{"mask": "PNG64x48", "trajectories": \#(Self.points)}], "#
                    + #""static_mask": "PNG64x48", "negative_prompt": "zoom, shake", "loop": true}"#))
        #expect(parsed.cameraControl == CameraControl(type: .simple, config: .init(pan: -2.5, zoom: 5)))
        #expect(parsed.dynamicMasks?.first?.trajectory == [.init(x: 10, y: 10), .init(x: 30, y: 20), .init(x: 50, y: 40)])
        #expect(parsed.negativePrompt == "zoom, shake" && parsed.loop && parsed.staticMask != nil)
        #expect(parsed.controlFields == ["camera_control", "dynamic_masks", "static_mask", "negative_prompt", "loop"])
        let preset = try GenerationArguments(validating: try Self.args(#"{"camera_control": {"type": "forward_up"}}"#))
        #expect(preset.cameraControl?.config == CameraControl.Axes(vertical: 5, zoom: 5))
    }

    static let brokenRules: [(String, String, String)] = [
        (#"{"camera_control": "zoom"}"#, "camera_control", "`camera_control` must be an object"),
        (#"{"camera_control": {"type": "dolly"}}"#, "camera_control.type", "`camera_control.type` must be one of simple, down_back"),
        (#"{"camera_control": {"config": {"zoom": 1}}}"#, "camera_control.type", "`camera_control.type` is required"),
        (#"{"camera_control": {"type": "simple"}}"#, "camera_control.config", "`camera_control.config` is required for type simple"),
        (#"{"camera_control": {"type": "simple", "config": {"zoom": 11}}}"#, "camera_control.config.zoom", "must be a number from -10 to 10; got 11"),
        (#"{"camera_control": {"type": "simple", "config": {"roll": "2"}}}"#, "camera_control.config.roll", "must be a number from -10 to 10"),
        (#"{"camera_control": {"type": "simple", "config": {"yaw": 2}}}"#, "camera_control.config", "got `yaw`"),
        (#"{"camera_control": {"type": "simple", "config": {}}}"#, "camera_control.config", "`camera_control.config` sets no axis"),
        (#"{"camera_control": {"type": "simple", "config": {"zoom": null}}}"#, "camera_control.config", "sets no axis"),
        (#"{"camera_control": {"type": "down_back", "config": {"zoom": 2}}}"#, "camera_control.config", "only for type simple"),
        (#"{"negative_prompt": "\#(String(repeating: "a", count: 2501))"}"#, "negative_prompt", "at most 2500 characters long; it has 2501"),
        (#"{"negative_prompt": 3}"#, "negative_prompt", "`negative_prompt` must be a string"),
        (#"{"loop": "true"}"#, "loop", "`loop` must be a boolean"),
        (#"{"static_mask": "PNG32x48"}"#, "static_mask", "must be the start image's size, 64×48 pixels; it is 32×48"),
        (#"{"static_mask": "ftp://example.com/m.png"}"#, "static_mask", "`static_mask` must be an https:// or http:// URL"),
        (#"{"dynamic_masks": []}"#, "dynamic_masks", "must hold 1 to 6 entries; it has 0"),
        (
            "{\"dynamic_masks\": [" + Array(repeating: #"{"mask": "PNG64x48", "trajectories": \#(points)}"#, count: 7).joined(separator: ",") + "]}",
            "dynamic_masks", "it has 7"
        ),
        (#"{"dynamic_masks": [{"trajectories": \#(points)}]}"#, "dynamic_masks[0].mask", "`dynamic_masks[0].mask` is required"),
        (
            #"{"dynamic_masks": [{"mask": "PNG64x48", "trajectories": [{"x": 1, "y": 1}]}]}"#, "dynamic_masks[0].trajectories",
            "2 to 77 points; it has 1"
        ),
        (
            "{\"dynamic_masks\": [{\"mask\": \"PNG64x48\", \"trajectories\": ["
                + Array(repeating: #"{"x": 1, "y": 1}"#, count: 78).joined(separator: ",") + "]}]}",
            "dynamic_masks[0].trajectories", "it has 78"
        ),
        (
            #"{"dynamic_masks": [{"mask": "PNG64x48", "trajectories": [{"x": 1, "y": 1}, {"x": 1.5, "y": 1}]}]}"#,
            "dynamic_masks[0].trajectories[1]", "whole numbers"
        ),
        (
            #"{"dynamic_masks": [{"mask": "PNG64x48", "trajectories": [{"x": 1, "y": 1}, {"x": 64, "y": 1}]}]}"#,
            "dynamic_masks[0].trajectories[1]", "lies outside the start image"
        ),
        (#"{"dynamic_masks": [{"mask": "PNG64x64", "trajectories": \#(points)}]}"#, "dynamic_masks[0].mask", "must be the start image's size"),
        (
            #"{"dynamic_masks": [{"mask": "PNG64x48", "trajectories": \#(points), "speed": 2}]}"#, "dynamic_masks[0]",
            "takes only `mask` and `trajectories`"
        ),
    ]

    @Test("each broken rule is a 422 naming the field and the rule", arguments: brokenRules)
    func refused(changes: String, field: String, message: String) throws {
        let error = try #require(try Self.refusal(changes))
        #expect(error.code.httpStatus == 422)
        #expect(error.field == field, "\(error.message)")
        #expect(error.message.contains(message), "\(error.message)")
    }

    @Test("a mask must be a PNG, in the image rules' words")
    func maskMustBePNG() throws {
        let webp = "data:image/webp;base64," + ImageHeaderTests.lossyWebP.base64EncodedString()
        let error = try #require(try Self.refusal(#"{"static_mask": "\#(webp)"}"#))
        #expect(error.code == .invalidImage && error.field == "static_mask" && error.message.contains("must be a PNG"), "\(error.message)")
    }

    @Test("the SDK's JSON forms of the controls read back as the same controls")
    func jsonRoundTrip() throws {
        let camera = CameraControl(type: .simple, config: .init(pan: -2, zoom: 5))
        let mask = DynamicMask(mask: try ImageReference.parse(Self.png(64, 48), field: "mask"), trajectory: [.init(x: 1, y: 2), .init(x: 30, y: 40)])
        var args = try Self.args("{}")
        args["camera_control"] = camera.json
        args["dynamic_masks"] = .array([mask.json])
        args["static_mask"] = mask.mask.json
        let parsed = try GenerationArguments(validating: args)
        #expect(parsed.cameraControl == camera && parsed.dynamicMasks == [mask] && parsed.staticMask == mask.mask)
        args["camera_control"] = CameraControl(type: .leftTurnForward, config: CameraControl.Kind.leftTurnForward.axes).json
        #expect(try GenerationArguments(validating: args).cameraControl?.config.pan == -5)
    }

    @Test("the model description lists every extension field")
    func modelListsThem() {
        let names = ModelDescription.startEndToVideo.arguments.map(\.name)
        for field in ["camera_control", "dynamic_masks", "static_mask", "negative_prompt", "loop"] { #expect(names.contains(field)) }
        #expect(names == GenerationArguments.keys)
    }
}
