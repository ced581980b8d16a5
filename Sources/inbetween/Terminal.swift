import Foundation
import InbetweenMedia
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Standard error and terminal helpers.
enum Terminal {
    static var isInteractive: Bool { isatty(STDERR_FILENO) != 0 }

    static func fail(_ message: String) {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    }
}

/// A one-line progress bar on standard error, redrawn in place.
final class ProgressBar: Sendable {
    private let enabled: Bool
    private let state = Mutex((lastDrawn: -1, drawn: false))

    init(enabled: Bool) {
        self.enabled = enabled
    }

    func update(_ progress: GenerationProgress) {
        update(percent: Int((progress.fraction * 100).rounded(.down)), label: progress.stage.rawValue)
    }

    /// Redraws the bar at `percent` with `label` after it.
    func update(percent: Int, label: String) {
        guard enabled else { return }
        let shouldDraw = state.withLock { state -> Bool in
            guard percent != state.lastDrawn else { return false }
            state.lastDrawn = percent
            state.drawn = true
            return true
        }
        guard shouldDraw else { return }
        let width = 30
        let filled = width * percent / 100
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(bar) \(String(format: "%3d", percent))% \(label)   ".utf8))
    }

    func finish() {
        guard enabled, state.withLock({ $0.drawn }) else { return }
        FileHandle.standardError.write(Data("\n".utf8))
    }
}
