/// What `GET /api/v1/models` says about a model: its arguments and its prices.
public struct ModelDescription: Sendable, Hashable, Codable {
    public struct Argument: Sendable, Hashable, Codable {
        public var name: String
        public var type: String
        public var required: Bool
        public var defaultValue: String?
        public var options: [String]?
        public var minimum: Int?
        public var maximum: Int?
        public var description: String

        enum CodingKeys: String, CodingKey {
            case name, type, required
            case defaultValue = "default"
            case options, minimum, maximum, description
        }
    }

    /// One row of the pricing table: USD per duration, 1 s to 8 s, and the off-peak column.
    public struct Price: Sendable, Hashable, Codable {
        public var mode: String
        public var resolution: String
        public var amounts: [String]
        /// What an `off_peak: true` job costs, 1 s to 8 s (half, a half thousandth rounded down).
        public var offPeakAmounts: [String]?

        enum CodingKeys: String, CodingKey {
            case mode, resolution, amounts
            case offPeakAmounts = "off_peak_amounts"
        }
    }

    public var id: String
    public var category: String
    public var description: String
    public var arguments: [Argument]
    public var pricing: [Price]

    /// The model we serve, described from the same constants the validator uses.
    public static let startEndToVideo = ModelDescription(
        id: modelID,
        category: "image-to-video",
        description: "A video that travels from a start frame to an end frame, shaped by a prompt (camera moves and pace).",
        arguments: [
            Argument(
                name: "mode", type: "string", required: false, defaultValue: "pro", options: Mode.allCases.map(\.rawValue),
                description: "Speed/quality trade-off."),
            Argument(
                name: "prompt", type: "string", required: true, minimum: GenerationArguments.promptLength.lowerBound,
                maximum: GenerationArguments.promptLength.upperBound, description: "Text prompt; camera moves and pace words shape the motion."),
            Argument(
                name: "duration", type: "string", required: false, defaultValue: "5", minimum: GenerationArguments.durationRange.lowerBound,
                maximum: GenerationArguments.durationRange.upperBound, description: "Whole seconds (a JSON number is accepted too)."),
            Argument(name: "image", type: "string", required: true, description: "Start frame: http(s) URL or data:image/png|jpeg|webp;base64 URI."),
            Argument(name: "image_tail", type: "string", required: true, description: "End frame: same forms as image."),
            Argument(
                name: "resolution", type: "string", required: false, defaultValue: "720p", options: Resolution.allCases.map(\.rawValue),
                description: "Output tier; 540p is not offered in pro-fast."),
            Argument(
                name: "seed", type: "integer", required: false, minimum: 0, maximum: Int(GenerationArguments.maxSeed),
                description: "Same inputs and seed give the same video."),
            Argument(
                name: "movement_amplitude", type: "string", required: false, defaultValue: "auto",
                options: MovementAmplitude.allCases.map(\.rawValue), description: "How far a prompted camera move goes."),
            Argument(
                name: "fps", type: "integer", required: false, defaultValue: "24", minimum: GenerationArguments.fpsRange.lowerBound,
                maximum: GenerationArguments.fpsRange.upperBound, description: "Frames per second (an extension to the seed page)."),
            Argument(
                name: "camera_control", type: "object", required: false, options: CameraControl.Kind.allCases.map(\.rawValue),
                minimum: Int(CameraControl.axisRange.lowerBound), maximum: Int(CameraControl.axisRange.upperBound),
                description:
                    "An explicit camera move: {type, config: {horizontal, vertical, pan, tilt, roll, zoom}}, each axis -10 to 10; config only for simple."
            ),
            Argument(
                name: "dynamic_masks", type: "array", required: false, minimum: 1, maximum: DynamicMask.maxCount,
                description:
                    "Motion brush: up to 6 {mask: PNG of the start image's size, white = region; trajectories: 2-77 {x, y} in start-image pixels}."),
            Argument(
                name: "static_mask", type: "string", required: false,
                description: "A PNG of the start image's size (same forms as image); white areas take no motion, only a dissolve."),
            Argument(
                name: "negative_prompt", type: "string", required: false, minimum: 0, maximum: GenerationArguments.negativePromptLength,
                description: "Cue words to switch off (zoom, pan, tilt, rotation, camera movement, dissolve, pace words)."),
            Argument(
                name: "loop", type: "boolean", required: false, defaultValue: "false",
                description: "Start → end → start in the same duration; the last frame leads into the first (it is not the end image)."),
        ],
        pricing: pricingTable()
    )

    /// Every offered mode/resolution pair with its price for each duration.
    static func pricingTable() -> [Price] {
        var rows: [Price] = []
        for mode in Mode.allCases {
            for resolution in Resolution.allCases {
                let amounts: [String] = GenerationArguments.durationRange.compactMap {
                    Pricing.amount(mode: mode, resolution: resolution, duration: $0)
                }
                let offPeak: [String] = GenerationArguments.durationRange.compactMap {
                    Pricing.amount(mode: mode, resolution: resolution, duration: $0, offPeak: true)
                }
                if !amounts.isEmpty {
                    rows.append(Price(mode: mode.rawValue, resolution: resolution.rawValue, amounts: amounts, offPeakAmounts: offPeak))
                }
            }
        }
        return rows
    }
}
