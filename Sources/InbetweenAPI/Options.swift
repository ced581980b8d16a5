/// Generation mode: the trade-off between speed and quality.
public enum Mode: String, Sendable, Codable, CaseIterable {
    case turbo
    case pro
    case proFast = "pro-fast"
}

/// Output resolution tier; the exact size is the aspect bucket nearest the start image.
public enum Resolution: String, Sendable, Codable, CaseIterable {
    case p540 = "540p"
    case p720 = "720p"
    case p1080 = "1080p"

    /// The short side of the landscape/portrait buckets in this tier.
    public var shortSide: Int {
        switch self {
        case .p540: 540
        case .p720: 720
        case .p1080: 1080
        }
    }
}

/// How far the camera may move when the prompt asks for a move.
public enum MovementAmplitude: String, Sendable, Codable, CaseIterable {
    case auto
    case small
    case medium
    case large
}

extension CaseIterable where Self: RawRepresentable, RawValue == String {
    /// "a, b, c" for messages.
    static var choices: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
