import Foundation

/// What a prompt says about the camera and the pace, read from plain words. Unknown words are
/// ignored; a prompt with no cues gives `MotionCues.none`.
public struct MotionCues: Sendable, Hashable, Codable {
    /// A camera move named in the prompt.
    public enum Move: String, Sendable, Hashable, Codable, CaseIterable {
        case zoomIn = "zoom-in"
        case zoomOut = "zoom-out"
        case panLeft = "pan-left"
        case panRight = "pan-right"
        case tiltUp = "tilt-up"
        case tiltDown = "tilt-down"
        case orbitLeft = "orbit-left"
        case orbitRight = "orbit-right"
        case `static`
    }

    /// How fast things happen.
    public enum Pace: String, Sendable, Hashable, Codable, CaseIterable {
        case normal
        case slow
        case fast
        case sudden

        /// The easing of camera progress over the clip for this pace.
        public var easing: Easing {
            switch self {
            case .normal: .linear
            case .slow: .easeInOut
            case .fast: .easeOut
            case .sudden: .sudden
            }
        }
    }

    /// The first camera move the prompt names, if any.
    public var move: Move?
    public var pace: Pace
    /// 0.5 for "slightly", 1 by default, 1.5 for "dramatically".
    public var strength: Double
    /// The phrases that were recognised, in the order they appear.
    public var phrases: [String]

    public init(move: Move? = nil, pace: Pace = .normal, strength: Double = 1, phrases: [String] = []) {
        self.move = move
        self.pace = pace
        self.strength = strength
        self.phrases = phrases
    }

    public static let none = MotionCues()

    /// Phrases for each move, matched against `normalised(_:)` text (words one space apart).
    /// Word forms are folded by the patterns (zoom, zooms, zooming).
    static let movePatterns: [(Move, String)] = [
        (.zoomIn, #"\b(zoom(s|ed|ing)?|push(es|ed|ing)?|dolly|dollies|dollying)\s+(in|into|forward|closer)\b"#),
        (.zoomIn, #"\b(close ?up|zoom(s|ing)? toward|camera (moves?|moving|gets?|getting|comes?|coming) (in|closer|forward))\b"#),
        (.zoomOut, #"\b(zoom(s|ed|ing)?|pull(s|ed|ing)?|dolly|dollies|dollying)\s+(out|back|away|backward)\b"#),
        (.zoomOut, #"\bcamera (moves?|moving|backs?|backing) (away|back|out)\b"#),
        (.zoomOut, #"\b(pull ?back|wide shot|reveal(s|ing)? the (whole|wider|full))\b"#),
        (.panLeft, #"\b(pan(s|ned|ning)?|truck(s|ed|ing)?|sweep(s|ing)?)\s+(to the\s+|toward the\s+)?left\b"#),
        (.panRight, #"\b(pan(s|ned|ning)?|truck(s|ed|ing)?|sweep(s|ing)?)\s+(to the\s+|toward the\s+)?right\b"#),
        (.tiltUp, #"\b(tilt(s|ed|ing)?|crane(s|d)?|craning|pedestal(s|ing)?|pan(s|ned|ning)?)\s+up(ward|wards)?\b"#),
        (.tiltDown, #"\b(tilt(s|ed|ing)?|crane(s|d)?|craning|pedestal(s|ing)?|pan(s|ned|ning)?)\s+down(ward|wards)?\b"#),
        (
            .orbitRight,
            #"\b(orbit(s|ed|ing)?|rotat(e|es|ed|ing)|circl(e|es|ed|ing)|arc(s|ing)?|spin(s|ning)?)\b[^.,;]*?\b(right|(?<!counter |anti )clockwise)\b"#
        ),
        (
            .orbitLeft,
            #"\b(orbit(s|ed|ing)?|rotat(e|es|ed|ing)|circl(e|es|ed|ing)|arc(s|ing)?|spin(s|ning)?)\b[^.,;]*?\b(left|counter ?clockwise|anti ?clockwise)\b"#
        ),
        (.orbitLeft, #"\b(orbit(s|ed|ing)?|rotat(e|es|ed|ing)|circl(e|es|ed|ing) around|arc(s|ing)? around|spin(s|ning)?)\b"#),
        (.static, #"\b(static (camera|shot)|still camera|locked ?off|tripod|camera (stays|remains|is) (still|static|fixed))\b"#),
    ]

    static let pacePatterns: [(Pace, String)] = [
        (.sudden, #"\b(sudden(ly)?|abrupt(ly)?|snap(s|py)?|whip(s)?|instant(ly)?|burst(s)?)\b"#),
        (.fast, #"\b(quick(ly)?|fast|rapid(ly)?|swift(ly)?|speed(s|ing)?|rush(es|ing)?|hurr(y|ies|iedly))\b"#),
        (.slow, #"\b(slow(ly)?|gentl(e|y)|gradual(ly)?|calm(ly)?|smooth(ly)?|leisurely|steady|steadily|drift(s|ing)?)\b"#),
    ]

    static let strengthPatterns: [(Double, String)] = [
        (0.5, #"\b(slight(ly)?|subtl(e|y)|a (little|bit)|barely|soft(ly)?)\b"#),
        (1.5, #"\b(dramatic(ally)?|strong(ly)?|huge|hugely|fully|all the way|deep(ly)?|extreme(ly)?)\b"#),
    ]

    /// `prompt` as the patterns read it: lower case, apostrophes dropped, every other mark but
    /// the clause breaks `.`, `,`, `;`, `!` and `?` (hyphens, dashes, slashes, underscores,
    /// brackets, quotes) turned into a space, and runs of spaces made one; so "zoom-in",
    /// "pan_left", "dolly–in" and "tilt / up" read as "zoom in", "pan left", "dolly in", "tilt up".
    static func normalised(_ prompt: String) -> String {
        var out = ""
        var pendingSpace = false
        for scalar in prompt.lowercased().unicodeScalars {
            if scalar == "'" || scalar == "\u{2019}" { continue }
            if CharacterSet.alphanumerics.contains(scalar) || ".,;!?".unicodeScalars.contains(scalar) {
                if pendingSpace, !out.isEmpty { out.append(" ") }
                pendingSpace = false
                out.unicodeScalars.append(scalar)
            } else {
                pendingSpace = true
            }
        }
        return out
    }

    /// Reads the cues of `prompt`; the phrases it records are in `normalised(_:)` form.
    public static func parse(_ prompt: String) -> MotionCues {
        let text = normalised(prompt)
        var cues = MotionCues()
        var found: [(position: Int, phrase: String)] = []

        func first(_ pattern: String) -> (position: Int, phrase: String)? {
            guard let regex = try? NSRegularExpression(pattern: pattern),
                let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
                let range = Range(match.range, in: text)
            else { return nil }
            return (match.range.location, String(text[range]))
        }

        var bestMove: (position: Int, move: Move, phrase: String)?
        for (move, pattern) in movePatterns {
            if let hit = first(pattern), bestMove == nil || hit.position < bestMove!.position {
                bestMove = (hit.position, move, hit.phrase)
            }
        }
        if let bestMove {
            cues.move = bestMove.move
            found.append((bestMove.position, bestMove.phrase))
        }
        for (pace, pattern) in pacePatterns {
            if let hit = first(pattern) {
                cues.pace = pace
                found.append(hit)
                break
            }
        }
        for (strength, pattern) in strengthPatterns {
            if let hit = first(pattern) {
                cues.strength = strength
                found.append(hit)
                break
            }
        }
        cues.phrases = found.sorted { $0.position < $1.position }.map(\.phrase)
        return cues
    }
}
