import Foundation
import Testing

/// The playground's creative controls in headless Chromium, drawn with pointer actions.
@Suite("playground: creative controls", .tags(.slow), .timeLimit(.minutes(8)))
struct PlaygroundControlsTests {
    @Test(
        "camera sliders, a motion-brush region and its 3-point path, a static mask, negative prompt and loop are drawn and sent; the video plays; a screenshot is kept"
    )
    func controlsInBrowser() async throws {
        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await ServeCommandTests.createKey(data)
        let server = try await ServeCommandTests.Server(dataDirectory: data)
        let artifacts = GenerateCommandTests.root.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent("playground-controls.png").path
        try? FileManager.default.removeItem(atPath: screenshot)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/playground_controls.py").path
        let output = GenerateCommandTests.temporary("browser.out")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script, server.base, key, GenerateCommandTests.samples.start, GenerateCommandTests.samples.end, screenshot]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = process.standardOutput
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        let printed = try String(contentsOfFile: output, encoding: .utf8)
        #expect(process.terminationStatus == 0, "\(printed)")
        #expect(printed.contains("played: Done: 960×540, 24 frames at 24 fps"), "\(printed)")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        print("playground controls screenshot: \(screenshot)\n\(printed)")
    }
}
