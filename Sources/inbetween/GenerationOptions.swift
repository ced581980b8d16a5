import ArgumentParser
import Foundation
import InbetweenAPI

/// The job's arguments as flags: `generate` and `submit` share them, and both turn them into
/// the API's JSON `args`, so the same rules and messages apply.
struct GenerationOptions: ParsableArguments {
    @Option(help: "The start frame: a path, URL or data URI.") var image: String?
    @Option(name: .customLong("image-tail"), help: "The end frame: a path, URL or data URI.") var imageTail: String?
    @Option(help: "What happens between the frames, 1–5000 characters.") var prompt: String?
    @Option(help: "turbo | pro | pro-fast (default pro).") var mode: String?
    @Option(help: "Whole seconds, 1–8 (default 5).") var duration: String?
    @Option(help: "540p | 720p | 1080p (default 720p; 540p is not offered in pro-fast).") var resolution: String?
    @Option(help: "Frames per second, 8–60 (default 24).") var fps: String?
    @Option(help: "Seed, 0 to 2^53-1: the same inputs and seed give the same video.") var seed: String?
    @Option(name: .customLong("movement-amplitude"), help: "auto | small | medium | large (default auto).") var movementAmplitude: String?
    @Option(
        name: .customLong("camera-control"),
        help: ArgumentHelp(
            "An explicit camera move: axes as zoom=5,pan=-2 (horizontal, vertical, pan, tilt, roll, zoom; each -10..10), or a preset: "
                + "down_back | forward_up | right_turn_forward | left_turn_forward."))
    var cameraControl: String?
    @Option(
        name: .customLong("motion-brush"),
        help: ArgumentHelp(
            "A region that follows a path: MASK:x,y;x,y;... (a PNG of the start image's size, white = the region; 2-77 points in "
                + "start-image pixels). Up to 6 times."))
    var motionBrush: [String] = []
    @Option(name: .customLong("static-mask"), help: "A PNG of the start image's size: white areas take no motion, only a dissolve.")
    var staticMask: String?
    @Option(name: .customLong("negative-prompt"), help: "Cue words to switch off (zoom, pan, camera movement, dissolve, ...), ≤ 2500 characters.")
    var negativePrompt: String?
    @Flag(help: "Start → end → start in the same duration; the last frame leads into the first.") var loop = false

    /// The flags as the JSON `args` object the API takes, so the same rules and messages apply.
    func rawArguments() throws(APIError) -> [String: JSONValue] {
        var args: [String: JSONValue] = [:]
        func put(_ key: String, _ value: String?, numeric: Bool = false) {
            guard let value else { return }
            if numeric, let number = Double(value) {
                args[key] = .number(number)
            } else {
                args[key] = .string(value)
            }
        }
        put("image", image)
        put("image_tail", imageTail)
        put("prompt", prompt)
        put("mode", mode)
        put("duration", duration, numeric: true)
        put("resolution", resolution)
        put("fps", fps, numeric: true)
        put("seed", seed, numeric: true)
        put("movement_amplitude", movementAmplitude)
        if let cameraControl { args["camera_control"] = try Self.cameraControl(cameraControl) }
        if !motionBrush.isEmpty {
            var strokes: [JSONValue] = []
            for (index, text) in motionBrush.enumerated() { strokes.append(try Self.motionBrush(text, index: index)) }
            args["dynamic_masks"] = .array(strokes)
        }
        put("static_mask", staticMask)
        put("negative_prompt", negativePrompt)
        if loop { args["loop"] = .bool(true) }
        return args
    }

    /// `zoom=5,pan=-2` (type simple), `forward_up` or `type=forward_up` as `camera_control`; a
    /// value that is not a number is passed on as a string, for the API's rule to name.
    /// - Throws: `APIError` (`camera_control`) for an empty flag, an empty item (`zoom=5,`) or an
    ///   axis named twice, which the JSON could not carry to the API's rules.
    static func cameraControl(_ text: String) throws(APIError) -> JSONValue {
        var type = "simple"
        var config: [String: JSONValue] = [:]
        let example = "axes such as zoom=5,pan=-2 or a preset such as forward_up"
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .invalid("camera_control", "`--camera-control` is empty: give \(example).")
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map({ $0.trimmingCharacters(in: .whitespaces) }) {
            guard !part.isEmpty else {
                throw .invalid("camera_control", "`--camera-control` has an empty item in \"\(text.prefix(80))\": give \(example), comma-separated.")
            }
            guard let equals = part.firstIndex(of: "=") else {
                type = part
                continue
            }
            let key = String(part[..<equals]).lowercased()
            let value = String(part[part.index(after: equals)...])
            if key == "type" {
                type = value
            } else {
                guard config[key] == nil else {
                    throw .invalid("camera_control", "`--camera-control` names `\(key.prefix(40))` twice: give each axis once.")
                }
                config[key] = Double(value).map(JSONValue.number) ?? .string(value)
            }
        }
        var object: [String: JSONValue] = ["type": .string(type)]
        if type == "simple" || !config.isEmpty { object["config"] = .object(config) }
        return .object(object)
    }

    /// `MASK:x,y;x,y;...` as one `dynamic_masks` entry (the mask is what comes before the last
    /// colon, so a data URI works too); a point that does not read as two numbers is passed on as
    /// a string, for the API's rule to name.
    /// - Throws: `APIError` (`dynamic_masks[index].trajectories`) for an empty point (`;;` or a
    ///   trailing `;`), which the JSON could not carry to the API's rules.
    static func motionBrush(_ text: String, index: Int) throws(APIError) -> JSONValue {
        guard let colon = text.lastIndex(of: ":") else { return .object(["mask": .string(text)]) }
        let mask = String(text[..<colon])
        let parts = text[text.index(after: colon)...].split(separator: ";", omittingEmptySubsequences: false)
        if parts.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            let field = "dynamic_masks[\(index)].trajectories"
            throw .invalid(field, "`--motion-brush` number \(index + 1) has an empty point: give its path as x,y;x,y;... with no empty item.")
        }
        let points: [JSONValue] = parts.map { point in
            let xy = point.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard xy.count == 2, let x = xy[0], let y = xy[1] else { return .string(String(point)) }
            return .object(["x": .number(x), "y": .number(y)])
        }
        return .object(["mask": .string(mask), "trajectories": .array(points)])
    }
}
