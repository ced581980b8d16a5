/// Where a job is in its life, as the numbers CONTRACT.md fixes.
public enum JobStatus: Int, Sendable, Codable, CaseIterable, CustomStringConvertible {
    case queued = 0
    case running = 1
    case succeeded = 2
    case failed = 3
    case canceled = 4

    /// Succeeded, failed or canceled: nothing will change it any more.
    public var isTerminal: Bool { rawValue >= 2 }

    /// The lowercase name, for logs and metrics labels.
    public var name: String {
        switch self {
        case .queued: "queued"
        case .running: "running"
        case .succeeded: "succeeded"
        case .failed: "failed"
        case .canceled: "canceled"
        }
    }

    public var description: String { name }
}
