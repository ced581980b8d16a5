import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `inbetween generate`, run as a subprocess the way a user runs it.
@Suite("inbetween generate", .tags(.slow), .timeLimit(.minutes(5)))
struct GenerateCommandTests {
    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let samples = (start: root.appendingPathComponent("samples/start.jpg").path, end: root.appendingPathComponent("samples/end.jpg").path)

    /// The `inbetween` binary built beside this test bundle.
    static func binary() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("inbetween"),
            Bundle.main.bundleURL.appendingPathComponent("inbetween"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("inbetween"),
        ]
        return try #require(candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }, "inbetween binary not found")
    }

    /// Runs `inbetween generate` to completion. Output goes to files and the wait polls, so
    /// no thread of the (two-thread) cooperative pool is held while it renders.
    static func run(_ arguments: [String]) async throws -> Run {
        try await ServeCommandTests.inbetween(["generate"] + arguments)
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-cli-\(UUID().uuidString)-\(name)").path
    }

    @Test(
        "a refused argument exits 2 with the API's message and writes nothing",
        arguments: [
            (["--mode", "fast"], "`mode` must be one of turbo, pro, pro-fast; got \"fast\"."),
            (["--mode", "pro-fast", "--resolution", "540p"], "`resolution` 540p is not available in pro-fast mode"),
            (["--duration", "0"], "`duration` must be a whole number from 1 to 8 seconds; got 0."),
            (["--duration", "9"], "`duration` must be a whole number from 1 to 8 seconds; got 9."),
            (["--fps", "100"], "`fps` must be a whole number from 8 to 60; got 100."),
            (["--seed", "abc"], "`seed` must be a whole number from 0"),
            (["--prompt", ""], "`prompt` is required"),
            (["--image-tail", "ftp://example.com/x.png"], "`image_tail` must be a file path, an https:// or http:// URL"),
        ])
    func refusedArgument(extra: [String], message: String) async throws {
        let output = Self.temporary("out.mp4")
        let base = ["--image", Self.samples.start, "--image-tail", Self.samples.end, "--prompt", "push in", "--output", output]
        // Later flags win in ArgumentParser, so the broken one overrides the base.
        let result = try await Self.run(base + extra)
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: \(message)"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func missingImage() async throws {
        let result = try await Self.run(["--image-tail", Self.samples.end, "--prompt", "x", "--output", Self.temporary("o.mp4")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: `image` is required"), "\(result.stderr)")
    }

    @Test(arguments: [("empty.png", [UInt8]()), ("words.png", Array("not an image at all".utf8))])
    func badImageFile(name: String, bytes: [UInt8]) async throws {
        let path = Self.temporary(name)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await Self.run(["--image", path, "--image-tail", Self.samples.end, "--prompt", "x", "--output", Self.temporary("o.mp4")])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("error: `image` is"), "\(result.stderr)")
    }

    @Test func anOutputInAMissingFolderIsRefusedBeforeRendering() async throws {
        // It used to die of SIGPIPE (exit 141, no word) when ffmpeg could not open the file.
        let start = GenerateCommandTests.root.appendingPathComponent("samples/start.jpg").path
        let result = try await GenerateCommandTests.run([
            "--image", start, "--image-tail", start, "--prompt", "x", "--output", "/nonexistent/dir/o.mp4",
        ])
        #expect(result.status == 2)
        #expect(result.stderr == "error: --output: the folder /nonexistent/dir does not exist; create it first.\n", "\(result.stderr)")
    }

    @Test func anOutputFFmpegCannotOpenEndsWithAMessageNotSIGPIPE() async throws {
        // /proc passes the folder check for root, but nothing can be created in it: ffmpeg exits
        // early and the frames written to its stdin meet a broken pipe (SIGPIPE is ignored).
        let start = GenerateCommandTests.root.appendingPathComponent("samples/start.jpg").path
        let result = try await GenerateCommandTests.run([
            "--image", start, "--image-tail", start, "--prompt", "x", "--mode", "turbo", "--duration", "1", "--fps", "8", "--output",
            "/proc/o.mp4",
        ])
        #expect(result.status == 1 || result.status == 2, "exit \(result.status): \(result.stderr)")
        #expect(result.stderr.hasPrefix("error: "), "\(result.stderr)")
    }

    @Test func generatesWithJSONSummaryAndPlan() async throws {
        let output = Self.temporary("clip.mp4")
        let plan = Self.temporary("plan.json")
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: plan)
        }
        let result = try await Self.run([
            "--image", Self.samples.start, "--image-tail", Self.samples.end, "--prompt", "push in", "--mode", "turbo", "--resolution", "540p",
            "--duration", "1", "--fps", "12", "--json", "--plan", plan, "--output", output,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 1)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(summary["width"] as? Int == 960)
        #expect(summary["height"] as? Int == 540)
        #expect(summary["frames"] as? Int == 12)
        #expect(summary["fps"] as? Int == 12)
        #expect(summary["amount"] as? String == "0.03")
        let seconds = try #require(summary["seconds"] as? [String: Double])
        #expect(Set(seconds.keys) == ["decode", "analyse", "render", "total"])
        #expect(FileManager.default.fileExists(atPath: output))
        let planJSON = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: plan))) as? [String: Any])
        #expect((planJSON["steps"] as? [Any])?.count == 12)
        #expect((planJSON["camera"] as? [String: Any])?["source"] as? String == "found")
    }
}

@Suite("inbetween generate with URLs", .serialized, .tags(.slow), .timeLimit(.minutes(5)))
struct GenerateURLTests {
    /// A real HTTP server on loopback (Debian's Python http.server) serving `directory`. The
    /// interpreter is started directly, not through a wrapper script that would outlive SIGTERM,
    /// and it reports its port through a file, not a pipe: a child started by a test running
    /// alongside could inherit a pipe's write end and keep it open.
    final class LoopbackServer {
        let process = Process()
        let port: Int
        let log = GenerateCommandTests.temporary("server.log")

        init(serving directory: String) throws {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
            process.arguments = ["-u", "-m", "http.server", "--bind", "127.0.0.1", "--directory", directory, "0"]
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardError = FileHandle.nullDevice
            try process.run()
            // "Serving HTTP on 127.0.0.1 port 41234 (http://127.0.0.1:41234/) ..."
            var port: Int?
            for _ in 0..<100 where port == nil {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                port = text.firstMatch(of: /port (\d+)/).flatMap { Int($0.1) }
                if port == nil { Thread.sleep(forTimeInterval: 0.05) }
            }
            guard let port else {
                kill(process.processIdentifier, SIGKILL)
                throw CocoaError(.fileReadUnknown)
            }
            self.port = port
        }

        deinit {
            // SIGKILL: children of the test process may start with SIGTERM blocked.
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: log)
        }
    }

    @Test func fetchesBothImagesOverHTTP() async throws {
        let server = try LoopbackServer(serving: GenerateCommandTests.root.appendingPathComponent("samples").path)
        let output = GenerateCommandTests.temporary("url.mp4")
        defer { try? FileManager.default.removeItem(atPath: output) }
        let base = "http://127.0.0.1:\(server.port)"
        let result = try await GenerateCommandTests.run([
            "--image", "\(base)/start.jpg", "--image-tail", "\(base)/end.jpg", "--prompt", "push in", "--mode", "turbo", "--resolution", "540p",
            "--duration", "1", "--fps", "8", "--json", "--output", output,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("\"frames\":8"))
    }

    @Test func aMissingURLNamesTheImage() async throws {
        let server = try LoopbackServer(serving: GenerateCommandTests.root.appendingPathComponent("samples").path)
        let base = "http://127.0.0.1:\(server.port)"
        let result = try await GenerateCommandTests.run([
            "--image", "\(base)/start.jpg", "--image-tail", "\(base)/nope.jpg", "--prompt", "x", "--output", GenerateCommandTests.temporary("o.mp4"),
        ])
        #expect(result.status == 2)
        #expect(result.stderr.contains("error: `image_tail` could not be fetched"), "\(result.stderr)")
        #expect(result.stderr.contains("404"), "\(result.stderr)")
    }

    @Test func anUnreachableURLIsExplainedWithoutFoundationInternals() async throws {
        let start = GenerateCommandTests.root.appendingPathComponent("samples/start.jpg").path
        // A reserved name that never resolves (RFC 6761), and a closed port on loopback.
        let long = "http://images.example.invalid/" + String(repeating: "a", count: 200) + ".png"
        let cases = [
            (long, "error: `image_tail` could not be fetched from images.example.invalid: the host name images.example.invalid does not resolve."),
            ("http://127.0.0.1:1/end.png", "error: `image_tail` could not be fetched from 127.0.0.1: nothing accepted a connection at 127.0.0.1:1."),
        ]
        for (url, message) in cases {
            let result = try await GenerateCommandTests.run([
                "--image", start, "--image-tail", url, "--prompt", "x", "--output", GenerateCommandTests.temporary("o.mp4"),
            ])
            #expect(result.status == 2)
            #expect(result.stderr.trimmingCharacters(in: .whitespacesAndNewlines) == message, "\(result.stderr)")
            #expect(!result.stderr.contains("NSURLErrorDomain") && !result.stderr.contains("aaaa"), "\(result.stderr)")
        }
    }
}
