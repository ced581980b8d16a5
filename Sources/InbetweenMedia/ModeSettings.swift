public import InbetweenAPI
public import InbetweenEngine

/// What each API mode means to the engine and the encoder, in one table.
public struct ModeSettings: Sendable, Hashable {
    public var profile: EngineProfile
    /// libx264 preset.
    public var preset: String
    /// libx264 constant rate factor.
    public var crf: Int
    /// libx264 options over the preset (`key=value:key=value`), measured per mode: see README.
    public var x264Options: String = ""

    /// A prompt-driven camera move's size as a fraction of the frame; nil lets the prompt decide.
    public static func amplitude(_ amplitude: MovementAmplitude) -> Double? {
        switch amplitude {
        case .auto: nil
        case .small: 0.06
        case .medium: 0.12
        case .large: 0.2
        }
    }

    /// How this mode encodes a clip of `size` at `fps` with `frameCount` frames.
    public func encoder(size: PixelSize, fps: Int, frameCount: Int) -> EncoderSettings {
        EncoderSettings(size: size, fps: fps, frameCount: frameCount, preset: preset, crf: crf, x264Options: x264Options)
    }

    /// The settings for `mode`.
    public static func `for`(_ mode: Mode) -> ModeSettings {
        switch mode {
        // ultrafast's speed with most of superfast's compression back: CABAC, B-frames,
        // the deblocking filter, 8×8 transforms, adaptive quantisation and subpel motion.
        case .turbo:
            ModeSettings(
                profile: .turbo, preset: "ultrafast", crf: 23, x264Options: "cabac=1:bframes=3:b-adapt=0:deblock=1:8x8dct=1:aq-mode=1:subme=1")
        case .proFast: ModeSettings(profile: .proFast, preset: "superfast", crf: 20)
        // veryfast keeps its macroblock tree and lookahead (the small files); the diamond search
        // and one subpel pass cost a third less time than its defaults on our smooth motion.
        case .pro: ModeSettings(profile: .pro, preset: "veryfast", crf: 18, x264Options: "me=dia:subme=1")
        }
    }
}
