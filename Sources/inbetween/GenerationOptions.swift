import ArgumentParser
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

    /// The flags as the JSON `args` object the API takes, so the same rules and messages apply.
    func rawArguments() -> [String: JSONValue] {
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
        return args
    }
}
