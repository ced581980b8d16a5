import Foundation

/// What a negative prompt switches off: the cue words it names, read from plain words as the
/// prompt is. Unknown words are ignored.
public struct NegativeCues: Sendable, Hashable, Codable {
    /// The cue families named, in a fixed order: `zoom`, `pan`, `tilt`, `orbit`, `camera`
    /// (any camera movement: locks the camera), `dissolve` (prefer motion), `pace`, `strength`.
    public var named: [String]

    public init(named: [String] = []) {
        self.named = named
    }

    /// Each family and the words that name it (matched on `MotionCues.normalised` text).
    static let families: [(String, String)] = [
        ("zoom", #"\b(zoom(s|ed|ing)?|push(es|ed|ing)? in|dolly|dollies|dollying|pull(s|ed|ing)? (back|out)|pull ?back|close ?ups?)\b"#),
        ("pan", #"\b(pan(s|ned|ning)?|truck(s|ed|ing)?|sweep(s|ing)?)\b"#),
        ("tilt", #"\b(tilt(s|ed|ing)?|crane(s|d)?|craning|pedestal(s|ing)?)\b"#),
        ("orbit", #"\b(orbit(s|ed|ing)?|rotat(e|es|ed|ing|ion|ions)|circl(e|es|ed|ing)|arc(s|ing)?|spin(s|ning)?|roll(s|ing)?)\b"#),
        (
            "camera",
            #"\b(camera (movement|movements|motion|moves?|moving|shake|shaking)|moving camera|camera work|shaky cam(era)?|handheld|hand held)\b"#
        ),
        ("dissolve", #"\b(dissolv(e|es|ed|ing)|cross ?fad(e|es|ed|ing)|fad(e|es|ed|ing)|blend(s|ed|ing)?|morph(s|ed|ing)?)\b"#),
        ("pace", #"\b(slow(ly|ness)?|quick(ly)?|fast|rapid(ly)?|sudden(ly)?|abrupt(ly)?|jerk(y|s)?|speed(s|ing)?)\b"#),
        ("strength", #"\b(dramatic(ally)?|strong(ly)?|extreme(ly)?|subtl(e|y)|slight(ly)?)\b"#),
    ]

    /// Reads the families `negativePrompt` names.
    public static func parse(_ negativePrompt: String) -> NegativeCues {
        let text = MotionCues.normalised(negativePrompt)
        let range = NSRange(text.startIndex..., in: text)
        return NegativeCues(
            named: families.compactMap { family, pattern in
                guard let regex = try? NSRegularExpression(pattern: pattern), regex.firstMatch(in: text, range: range) != nil else { return nil }
                return family
            })
    }

    /// Whether the camera is locked: no camera path, found or asked for by words.
    public var locksCamera: Bool { named.contains("camera") }
    /// Whether a dissolve between unrelated shots gives way to a camera move.
    public var prefersMotion: Bool { named.contains("dissolve") }

    /// Whether `move` is switched off.
    func removes(_ move: MotionCues.Move) -> Bool {
        if locksCamera { return move != .static }
        switch move {
        case .zoomIn, .zoomOut: return named.contains("zoom")
        case .panLeft, .panRight: return named.contains("pan")
        case .tiltUp, .tiltDown: return named.contains("tilt")
        case .orbitLeft, .orbitRight: return named.contains("orbit")
        case .static: return false
        }
    }

    /// `cues` without what this switches off, and what was removed (`move zoom-in`,
    /// `pace slow`, `strength 1.5`).
    public func apply(to cues: MotionCues) -> (cues: MotionCues, removed: [String]) {
        var out = cues
        var removed: [String] = []
        if let move = cues.move, removes(move) {
            out.move = nil
            removed.append("move \(move.rawValue)")
        }
        if named.contains("pace"), cues.pace != .normal {
            out.pace = .normal
            removed.append("pace \(cues.pace.rawValue)")
        }
        if named.contains("strength"), cues.strength != 1 {
            out.strength = 1
            removed.append("strength \(cues.strength)")
        }
        if !removed.isEmpty {
            // The phrases that no longer count are dropped with their cues.
            out.phrases = cues.phrases.filter { phrase in
                let alone = MotionCues.parse(phrase)
                let movesGone = alone.move != nil && alone.move == cues.move && out.move == nil
                let paceGone = alone.pace != .normal && alone.pace == cues.pace && out.pace == .normal
                let strengthGone = alone.strength != 1 && alone.strength == cues.strength && out.strength == 1
                return !(movesGone || paceGone || strengthGone)
            }
        }
        return (out, removed)
    }
}
