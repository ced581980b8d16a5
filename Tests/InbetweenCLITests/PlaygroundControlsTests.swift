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
        let (status, printed, screenshot) = try await ServeCommandTests.runBrowser(
            "playground_controls.py", server: server, key: key, screenshot: "playground-controls.png")
        #expect(status == 0, "\(printed)")
        #expect(printed.contains("played: Done: 960×540, 24 frames at 24 fps"), "\(printed)")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        print("playground controls screenshot: \(screenshot)\n\(printed)")
    }
}
