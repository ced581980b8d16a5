import Foundation

/// The model we serve, as clients name it.
public let modelID = "vidu/vidu-q2/start-end-to-video"

/// The validated `args` of a job: every rule of CONTRACT.md has been applied.
public struct GenerationArguments: Sendable, Hashable {
    public var mode: Mode
    public var prompt: String
    /// Whole seconds, 1...8.
    public var duration: Int
    public var image: ImageReference
    public var imageTail: ImageReference
    public var resolution: Resolution
    public var seed: UInt64?
    public var movementAmplitude: MovementAmplitude
    /// Frames per second, 8...60.
    public var fps: Int
    /// The extensions of CONTRACT.md ("Extensions"); each nil (false) when absent.
    public var cameraControl: CameraControl?
    public var dynamicMasks: [DynamicMask]?
    public var staticMask: ImageReference?
    public var negativePrompt: String?
    public var loop: Bool = false

    /// Every key `args` may hold.
    public static let keys = [
        "mode", "prompt", "duration", "image", "image_tail", "resolution", "seed", "movement_amplitude", "fps", "camera_control", "dynamic_masks",
        "static_mask", "negative_prompt", "loop",
    ]
    public static let durationRange = 1...8
    public static let fpsRange = 8...60
    public static let promptLength = 1...5000
    /// Seeds must survive a trip through a JSON number (IEEE double): 0 ... 2^53 - 1.
    public static let maxSeed: UInt64 = (1 << 53) - 1

    /// `duration × fps`: frame 0 is the start image, the last one the end image.
    public var frameCount: Int { duration * fps }

    /// Validates a JSON `args` object; the first broken rule is thrown with a message that
    /// names the field and the rule. `allowFilePaths` lets the command line pass local files.
    public init(validating args: [String: JSONValue], limits: ImageLimits = .contract, allowFilePaths: Bool = false) throws(APIError) {
        if let unknown = args.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw APIError(
                .unknownArgument,
                "unknown argument `\(ImageReference.excerpt(unknown))`; this model takes: \(Self.keys.joined(separator: ", ")).",
                field: unknown
            )
        }
        mode = try Self.choice(args["mode"], field: "mode", default: .pro)
        let prompt = try Self.string(args["prompt"], field: "prompt")
        guard let prompt, !prompt.allSatisfy(\.isWhitespace) else {
            throw .invalid("prompt", "`prompt` is required: a text of 1 to 5000 characters.")
        }
        guard Self.promptLength.contains(prompt.count) else {
            throw .invalid("prompt", "`prompt` must be 1 to 5000 characters long; it has \(prompt.count).")
        }
        self.prompt = prompt
        duration = try Self.integer(args["duration"], field: "duration", range: Self.durationRange, default: 5, unit: " seconds", acceptString: true)
        resolution = try Self.choice(args["resolution"], field: "resolution", default: .p720)
        if mode == .proFast, resolution == .p540 {
            throw .invalid("resolution", "`resolution` 540p is not available in pro-fast mode; use 720p or 1080p, or another mode.")
        }
        fps = try Self.integer(args["fps"], field: "fps", range: Self.fpsRange, default: 24, unit: "", acceptString: false)
        movementAmplitude = try Self.choice(args["movement_amplitude"], field: "movement_amplitude", default: .auto)
        switch args["seed"] {
        case nil, .null?:
            seed = nil
        case .number(let value)? where value >= 0 && value <= Double(Self.maxSeed) && value.rounded() == value:
            seed = UInt64(value)
        case let other?:
            throw .invalid("seed", "`seed` must be a whole number from 0 to \(Self.maxSeed); got \(Self.describe(other)).")
        }
        image = try Self.image(args["image"], field: "image", limits: limits, allowFiles: allowFilePaths)
        imageTail = try Self.image(args["image_tail"], field: "image_tail", limits: limits, allowFiles: allowFilePaths)
        try readControls(args, limits: limits, allowFilePaths: allowFilePaths)
    }

    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): "\"\(text.count > 40 ? String(text.prefix(40)) + "…" : text)\""
        case .number(let number): number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        default: value.typeName
        }
    }

    static func string(_ value: JSONValue?, field: String) throws(APIError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        case let other?: throw .invalid(field, "`\(field)` must be a string; got \(other.typeName).")
        }
    }

    private static func choice<T: RawRepresentable & CaseIterable>(_ value: JSONValue?, field: String, default fallback: T) throws(APIError) -> T
    where T.RawValue == String {
        guard let text = try string(value, field: field) else { return fallback }
        guard let choice = T(rawValue: text.lowercased()) else {
            throw .invalid(field, "`\(field)` must be one of \(T.choices); got \(describe(.string(text))).")
        }
        return choice
    }

    private static func integer(
        _ value: JSONValue?, field: String, range: ClosedRange<Int>, default fallback: Int, unit: String, acceptString: Bool
    ) throws(APIError) -> Int {
        let rule = "`\(field)` must be a whole number from \(range.lowerBound) to \(range.upperBound)\(unit)"
        switch value {
        case nil, .null?:
            return fallback
        case .number(let number)?:
            guard number.rounded() == number, number >= Double(range.lowerBound), number <= Double(range.upperBound) else {
                throw .invalid(field, "\(rule); got \(describe(.number(number))).")
            }
            return Int(number)
        case .string(let text)? where acceptString:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            let digits = trimmed.hasSuffix("s") ? String(trimmed.dropLast()) : trimmed
            guard let number = Int(digits), range.contains(number) else {
                throw .invalid(field, "\(rule); got \(describe(.string(text))).")
            }
            return number
        case let other?:
            throw .invalid(field, "\(rule); got \(describe(other)).")
        }
    }

    static func image(_ value: JSONValue?, field: String, limits: ImageLimits, allowFiles: Bool) throws(APIError) -> ImageReference {
        guard let text = try string(value, field: field) else {
            let forms = allowFiles ? "a file path, URL or data URI" : "an https:// or http:// URL or a data:image/png|jpeg|webp;base64 URI"
            throw .invalid(field, "`\(field)` is required: \(forms).")
        }
        return try ImageReference.parse(text, field: field, limits: limits, allowFiles: allowFiles)
    }
}
