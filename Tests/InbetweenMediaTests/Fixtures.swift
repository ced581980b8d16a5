import Foundation
import InbetweenEngine
import InbetweenMedia
import Testing

/// Real image and video files made with the real ffmpeg, in a temporary directory per test.
struct Fixtures: ~Copyable {
    let directory: URL
    let ffmpeg: FFmpeg

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        ffmpeg = try FFmpeg()
    }

    deinit { try? FileManager.default.removeItem(at: directory) }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs ffmpeg with `arguments`, failing the test if it fails.
    func ffmpegRun(_ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ffmpeg.ffmpegPath)
        process.arguments = ["-nostdin", "-hide_banner", "-loglevel", "error", "-y"] + arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "ffmpeg \(arguments) failed")
    }

    /// A still picture from one of ffmpeg's test sources, written as `name` (format by extension).
    @discardableResult
    func image(_ name: String, width: Int, height: Int, source: String = "testsrc2") throws -> String {
        let out = path(name)
        let options = "size=\(width)x\(height):rate=1"
        try ffmpegRun(["-f", "lavfi", "-i", source.contains("=") ? "\(source):\(options)" : "\(source)=\(options)", "-frames:v", "1", out])
        return out
    }

    /// A file with these bytes.
    @discardableResult
    func file(_ name: String, _ bytes: [UInt8]) throws -> String {
        let out = path(name)
        try Data(bytes).write(to: URL(fileURLWithPath: out))
        return out
    }

    /// The repository's shipped sample images.
    static var samples: (start: String, end: String) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return (root.appendingPathComponent("samples/start.jpg").path, root.appendingPathComponent("samples/end.jpg").path)
    }
}
