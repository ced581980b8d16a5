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

    /// Makes a write to a closed pipe (ffmpeg exiting early) an error the caller reports,
    /// not a SIGPIPE that kills the process without a word.
    static func ignoreBrokenPipes() {
        signal(SIGPIPE, SIG_IGN)
    }

    /// Why a video cannot be written to `path`, in words; nil when its folder exists and is
    /// writable (and `path` is no folder itself).
    static func outputProblem(_ path: String) -> String? {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            return "--output \(path) is a folder; give a file name, such as \(path)/out.mp4."
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard manager.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "--output: the folder \(folder) does not exist; create it first."
        }
        guard manager.isWritableFile(atPath: folder) else { return "--output: the folder \(folder) is not writable here." }
        return nil
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
