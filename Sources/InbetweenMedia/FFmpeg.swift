import Foundation
import InbetweenAPI
public import Subprocess
import SystemPackage

/// Where ffmpeg and ffprobe live and how long they may run. Every call is hardened: no stdin,
/// no network protocols, only the demuxers and decoders named by the caller.
public struct FFmpeg: Sendable {
    public var ffmpegPath: String
    public var ffprobePath: String
    /// Longest a probe or an image decode may take.
    public var decodeTimeout: Duration
    /// Most bytes of stderr kept for error messages.
    public var stderrLimit = 64 * 1024

    /// Finds ffmpeg and ffprobe on `PATH` (or uses the given paths).
    public init(ffmpegPath: String? = nil, ffprobePath: String? = nil, decodeTimeout: Duration = .seconds(30)) throws(MediaError) {
        guard let ffmpeg = ffmpegPath ?? Self.which("ffmpeg"), let ffprobe = ffprobePath ?? Self.which("ffprobe") else {
            throw MediaError(.toolMissing, "ffmpeg and ffprobe must be installed and on PATH (Debian: apt-get install ffmpeg).")
        }
        self.ffmpegPath = ffmpeg
        self.ffprobePath = ffprobe
        self.decodeTimeout = decodeTimeout
    }

    static func which(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Options every ffprobe invocation starts with: quiet, local files and pipes only.
    public static let probeHardening = ["-hide_banner", "-loglevel", "error", "-protocol_whitelist", "file,pipe"]
    /// Options every ffmpeg invocation starts with: the same, and never read the terminal.
    public static let hardening = ["-nostdin"] + probeHardening

    /// What a finished tool run left behind.
    public struct Outcome: Sendable {
        public var status: TerminationStatus
        public var output: [UInt8]
        public var error: String
        public var succeeded: Bool { status.isSuccess }
        /// The first line of stderr, trimmed, for messages.
        public var firstErrorLine: String {
            error.split(whereSeparator: \.isNewline).first.map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
        }
    }

    /// Runs `tool` with `arguments`, capturing at most `outputLimit` bytes of stdout, killing it
    /// after `timeout`.
    public func run(_ tool: String, _ arguments: [String], outputLimit: Int, timeout: Duration) async throws -> Outcome {
        let stderrLimit = self.stderrLimit
        let what = URL(fileURLWithPath: tool).lastPathComponent
        return try await withDeadline(
            timeout, orThrow: MediaError(.timedOut, "\(what) did not finish within \(timeout.components.seconds) s and was stopped.")
        ) {
            let result = try await Subprocess.run(
                .path(FilePath(tool)), arguments: Arguments(arguments), environment: .inherit, output: .bytes(limit: outputLimit),
                error: .string(limit: stderrLimit))
            return Outcome(status: result.terminationStatus, output: result.standardOutput, error: result.standardError)
        }
    }
}

extension TerminationStatus {
    var isSuccess: Bool {
        if case .exited(0) = self { return true }
        return false
    }
}
