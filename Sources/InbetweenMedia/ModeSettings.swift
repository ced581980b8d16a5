public import InbetweenAPI
public import InbetweenEngine

/// What each API mode means to the engine and the encoder, in one table.
public struct ModeSettings: Sendable, Hashable {
    public var profile: EngineProfile
    /// libx264 preset.
    public var preset: String
    /// libx264 constant rate factor.
    public var crf: Int

    /// A prompt-driven camera move's size as a fraction of the frame; nil lets the prompt decide.
    public static func amplitude(_ amplitude: MovementAmplitude) -> Double? {
        switch amplitude {
        case .auto: nil
        case .small: 0.06
        case .medium: 0.12
        case .large: 0.2
        }
    }

    /// The settings for `mode`.
    public static func `for`(_ mode: Mode) -> ModeSettings {
        switch mode {
        case .turbo: ModeSettings(profile: .turbo, preset: "superfast", crf: 23)
        case .proFast: ModeSettings(profile: .proFast, preset: "faster", crf: 21)
        case .pro: ModeSettings(profile: .pro, preset: "veryfast", crf: 18)
        }
    }
}
