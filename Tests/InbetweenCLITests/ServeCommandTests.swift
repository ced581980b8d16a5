import AsyncHTTPClient
import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite
import NIOCore
import NIOHTTP1
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// `inbetween serve` and `inbetween keys`, run as processes the way an operator runs them.
@Suite("inbetween serve", .serialized, .tags(.slow), .timeLimit(.minutes(10)))
struct ServeCommandTests {
    /// A running `inbetween serve` on a free port, its log in a file.
    final class Server {
        let process = Process()
        let log: String
        let port: Int
        var base: String { "http://127.0.0.1:\(port)" }

        init(dataDirectory: String, extra: [String] = [], environment: [String: String] = [:]) async throws {
            log = GenerateCommandTests.temporary("serve.log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = try GenerateCommandTests.binary()
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            // Tests poll often: a high rate limit (the limit itself is tested on the router).
            process.arguments =
                [
                    "serve", "--data-dir", dataDirectory, "--port", "0", "--allow-private-networks", "--creates-per-minute", "100000",
                    "--reads-per-minute", "100000",
                ] + extra
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardError = process.standardOutput
            try process.run()
            var port: Int?
            for _ in 0..<400 where port == nil {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                port = text.firstMatch(of: /url=http:\/\/127\.0\.0\.1:(\d+)/).flatMap { Int($0.1) }
                if port == nil { try await Task.sleep(for: .milliseconds(50)) }
            }
            guard let port else {
                kill(process.processIdentifier, SIGKILL)
                throw ServerError(description: "serve did not start: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
            }
            self.port = port
        }

        func kill9() async {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)
        }
    }

    struct ServerError: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs the binary to completion (off the cooperative pool's threads).
    static func inbetween(_ arguments: [String], environment: [String: String] = [:]) async throws -> GenerateCommandTests.Run {
        let output = GenerateCommandTests.temporary("out")
        let errors = GenerateCommandTests.temporary("err")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        let process = Process()
        process.executableURL = try GenerateCommandTests.binary()
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
        return GenerateCommandTests.Run(
            status: process.terminationStatus, stdout: try String(contentsOfFile: output, encoding: .utf8),
            stderr: try String(contentsOfFile: errors, encoding: .utf8))
    }

    static func json(_ method: HTTPMethod = .GET, _ url: String, key: String, body: [String: Any]? = nil) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: url)
        request.method = method
        request.headers.add(name: "authorization", value: "Bearer \(key)")
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body)))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any])
    }

    /// Polls until the job runs under claim `attempt` (after a restart, a killed attempt still
    /// shows as running until its lease ends), it ends, or 60 s pass; returns the last view.
    static func waitUntilRunning(_ server: Server, key: String, job: String, attempt: Int = 1) async throws -> [String: Any] {
        var view: [String: Any] = [:]
        let deadline = ContinuousClock.now + .seconds(60)
        while view["status"] as? Int ?? 0 < 2, view["status"] as? Int != 1 || view["attempts"] as? Int != attempt, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
            view = try await json(.GET, "\(server.base)/api/v1/job/query?id=\(job)", key: key)["data"] as? [String: Any] ?? [:]
        }
        return view
    }

    static func waitForEnd(_ server: Server, key: String, job: String, seconds: Int = 180) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            let data = try await json(.GET, "\(server.base)/api/v1/job/query?id=\(job)", key: key)["data"] as? [String: Any] ?? [:]
            if (data["status"] as? Int ?? 0) >= 2 { return data }
            try await Task.sleep(for: .milliseconds(250))
        }
        Issue.record("job \(job) did not end in \(seconds) s")
        return [:]
    }

    /// The sample photos, base64 for data URIs.
    static func sampleBase64() throws -> (start: String, end: String) {
        func read(_ name: String) throws -> String {
            try Data(contentsOf: GenerateCommandTests.root.appendingPathComponent("samples/\(name).jpg")).base64EncodedString()
        }
        return (try read("start"), try read("end"))
    }

    static func createKey(_ dataDirectory: String, extra: [String] = []) async throws -> (key: String, secret: String) {
        let run = try await inbetween(["keys", "create", "--data-dir", dataDirectory, "--name", "ci"] + extra)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stdout.split(separator: "\n").map(String.init)
        return (lines.first ?? "", lines.dropFirst().first ?? "")
    }

    @Test("keys create prints the key alone on the first line and the webhook secret next; list never shows keys; revoke takes effect")
    func keys() async throws {
        let data = GenerateCommandTests.temporary("data")
        let (key, secret) = try await Self.createKey(data, extra: ["--budget", "2.5"])
        #expect(key.wholeMatch(of: /ib_[0-9a-z]{40}/) != nil, "\(key)")
        #expect(secret.hasPrefix("whsec_"))
        let list = try await Self.inbetween(["keys", "list", "--data-dir", data])
        #expect(list.stdout.contains("$2.50") && list.stdout.contains(String(key.prefix(11))) && !list.stdout.contains(key))
        let bad = try await Self.inbetween(["keys", "create", "--data-dir", data, "--name", "x", "--budget", "ten"])
        #expect(bad.status != 0 && bad.stderr.contains("--budget"))

        let server = try await Server(dataDirectory: data, extra: ["--workers", "0"])
        #expect(try await Self.json(.GET, "\(server.base)/api/v1/models", key: key)["code"] as? Int == 0)
        let revoke = try await Self.inbetween(["keys", "revoke", "--data-dir", data, String(key.prefix(11))])
        #expect(revoke.status == 0)
        #expect(try await Self.json(.GET, "\(server.base)/api/v1/models", key: key)["code"] as? Int == 40101)
    }

    @Test(
        "the seed page's curl, JavaScript and Python examples run against us with the base URL and key swapped, and the job ends with a playable MP4")
    func seedExamples() async throws {
        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await Self.createKey(data)
        let images = GenerateURLTests.LoopbackServer.self
        let imageServer = try images.init(serving: GenerateCommandTests.root.appendingPathComponent("samples").path)
        // The engine is a server setting; dissolve keeps this test quick. The API is the same.
        let server = try await Server(dataDirectory: data, extra: ["--engine", "dissolve"])
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("SeedExamples")
        let runners: [(file: String, tool: String, preamble: String)] = [
            ("curl.sh", "/bin/bash", ""),
            ("example.mjs", "node", "const SHORTAPI_KEY = process.env.SHORTAPI_KEY;\n"),
            ("example.py", "python3", "import os\nSHORTAPI_KEY = os.environ[\"SHORTAPI_KEY\"]\n"),
        ]
        for runner in runners {
            var text = try String(contentsOf: folder.appendingPathComponent(runner.file), encoding: .utf8)
            text = text.replacingOccurrences(of: "https://api.shortapi.ai", with: server.base)
            text = text.replacingOccurrences(
                of: "https://file.shortapi.ai/assets/examples/vidu/vidu-q2/start-end-to-video-image_tail.png",
                with: "http://127.0.0.1:\(imageServer.port)/end.jpg")
            text = text.replacingOccurrences(
                of: "https://file.shortapi.ai/assets/examples/vidu/vidu-q2/start-end-to-video-image.png",
                with: "http://127.0.0.1:\(imageServer.port)/start.jpg")
            text = text.replacingOccurrences(of: "CALLBACK_URL", with: "http://127.0.0.1:\(imageServer.port)/callback")
            let script = GenerateCommandTests.temporary(runner.file)
            try (runner.preamble + text).write(toFile: script, atomically: true, encoding: .utf8)
            let output = GenerateCommandTests.temporary("example.out")
            _ = FileManager.default.createFile(atPath: output, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [runner.tool, script]
            process.environment = ProcessInfo.processInfo.environment.merging(["SHORTAPI_KEY": key]) { $1 }
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
            process.standardError = process.standardOutput
            try process.run()
            while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            let printed = try String(contentsOfFile: output, encoding: .utf8)
            #expect(process.terminationStatus == 0, "\(runner.file): \(printed)")
            // Each example ends by printing the query's answer for its job.
            let job = try #require(printed.firstMatch(of: /job_[0-9a-z]{26}/).map { String($0.0) }, "\(runner.file) printed no job id: \(printed)")
            #expect(printed.contains("status"), "\(runner.file): \(printed)")
            let ended = try await Self.waitForEnd(server, key: key, job: job)
            #expect(ended["status"] as? Int == 2, "\(runner.file): \(ended)")
            let video = try #require(((ended["result"] as? [String: Any])?["videos"] as? [[String: Any]])?.first)
            #expect(video["width"] as? Int == 1280 && video["height"] as? Int == 720 && video["frames"] as? Int == 120)
            let url = try #require(((ended["result"] as? [String: Any])?["images"] as? [[String: Any]])?.first?["url"] as? String)
            let probe = try await Self.probe(url)
            #expect(probe == "h264,High,yuv420p,120", "\(runner.file)")
        }
    }

    /// ffprobe reads the MP4 over HTTP itself, as a player would.
    static func probe(_ url: String) async throws -> String {
        let output = GenerateCommandTests.temporary("probe")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffprobe")
        process.arguments = [
            "-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=codec_name,profile,pix_fmt,nb_read_frames", "-of",
            "csv=p=0",
            url,
        ]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return try String(contentsOfFile: output, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    @Test("kill -9 of the server mid-render, then a restart: the job is re-run and ends in status 2 exactly once")
    func crashMidRender() async throws {
        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await Self.createKey(data)
        let (start, end) = try Self.sampleBase64()
        let args: [String: Any] = [
            "prompt": "The camera pushes in", "mode": "pro", "resolution": "720p", "duration": 4, "image": "data:image/jpeg;base64,\(start)",
            "image_tail": "data:image/jpeg;base64,\(end)",
        ]
        var server = try await Server(dataDirectory: data, extra: ["--lease", "2"])
        let created = try await Self.json(
            .POST, "\(server.base)/api/v1/job/create", key: key, body: ["model": "vidu/vidu-q2/start-end-to-video", "args": args])
        let job = try #require(created["job_id"] as? String)
        // Wait until it renders, then kill the process without warning.
        #expect(try await Self.waitUntilRunning(server, key: key, job: job)["status"] as? Int == 1)
        await server.kill9()

        server = try await Server(dataDirectory: data, extra: ["--lease", "2"])
        let ended = try await Self.waitForEnd(server, key: key, job: job)
        #expect(ended["status"] as? Int == 2, "\(ended)")
        #expect(ended["attempts"] as? Int == 2)
        let store = try SQLiteJobStore(path: URL(fileURLWithPath: data).appendingPathComponent("inbetween.sqlite").path)
        #expect(try await store.completions()[job] == 1)
        let url = try #require(((ended["result"] as? [String: Any])?["images"] as? [[String: Any]])?.first?["url"] as? String)
        #expect(try await Self.probe(url) == "h264,High,yuv420p,96")
    }

    @Test("serve refuses an upstream without its key in the environment, and a route to an unknown upstream, naming what to fix")
    func upstreamFlags() async throws {
        let data = GenerateCommandTests.temporary("data")
        let keyless = try await Self.inbetween(["serve", "--data-dir", data, "--port", "0", "--upstream", "gpu-1=http://127.0.0.1:1"])
        #expect(keyless.status != 0 && keyless.stderr.contains("INBETWEEN_UPSTREAM_GPU_1_KEY"), "\(keyless.stderr)")
        let unknown = try await Self.inbetween(["serve", "--data-dir", data, "--port", "0", "--route", "pro=upstream:gpu,local"])
        #expect(unknown.status != 0 && unknown.stderr.contains("no upstream of that name is configured"), "\(unknown.stderr)")
        let malformed = try await Self.inbetween(["serve", "--data-dir", data, "--port", "0", "--route", "pro=gpu"])
        #expect(malformed.status != 0 && malformed.stderr.contains("local or upstream:NAME"), "\(malformed.stderr)")
    }

    @Test("SIGTERM: serve stops, gives the running job back (attempt refunded) and exits 0; after SIGKILL every job id still answers; all end once")
    func stopSignals() async throws {
        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await Self.createKey(data)
        let (start, end) = try Self.sampleBase64()
        func args(_ extra: [String: Any]) -> [String: Any] {
            var args: [String: Any] = [
                "prompt": "The camera pushes in", "mode": "turbo", "resolution": "540p", "duration": 1, "image": "data:image/jpeg;base64,\(start)",
                "image_tail": "data:image/jpeg;base64,\(end)",
            ]
            args.merge(extra) { $1 }
            return args
        }
        func create(_ server: Server, _ extra: [String: Any]) async throws -> String {
            let reply = try await Self.json(
                .POST, "\(server.base)/api/v1/job/create", key: key, body: ["model": "vidu/vidu-q2/start-end-to-video", "args": args(extra)])
            return try #require(reply["job_id"] as? String, "\(reply)")
        }
        var server = try await Server(dataDirectory: data)
        let long = try await create(server, ["mode": "pro", "resolution": "1080p", "duration": 8])
        let waiting = try await create(server, ["seed": 1])
        #expect(try await Self.waitUntilRunning(server, key: key, job: long)["status"] as? Int == 1)
        kill(server.process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(30)
        while server.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!server.process.isRunning, "serve should exit within 30 s of SIGTERM")
        #expect(server.process.terminationReason == .exit && server.process.terminationStatus == 0)
        let store = try SQLiteJobStore(path: URL(fileURLWithPath: data).appendingPathComponent("inbetween.sqlite").path)
        let released = try #require(try await store.job(id: long, keyID: nil))
        #expect(released.status == .queued && released.lifecycle.attempts == 0, "\(released.status) after \(released.lifecycle.attempts) attempts")
        #expect(try await store.job(id: waiting, keyID: nil)?.status == .queued)

        // SIGKILL with jobs just accepted: every id answers after the restart, and each ends once.
        server = try await Server(dataDirectory: data, extra: ["--engine", "dissolve", "--lease", "2"])
        var ids = [long, waiting]
        for seed in 2...6 { ids.append(try await create(server, ["seed": seed])) }
        await server.kill9()
        server = try await Server(dataDirectory: data, extra: ["--engine", "dissolve", "--lease", "2"])
        for id in ids {
            let ended = try await Self.waitForEnd(server, key: key, job: id)
            #expect(ended["status"] as? Int == 2, "\(id): \(ended)")
        }
        let completions = try await store.completions()
        #expect(ids.allSatisfy { completions[$0] == 1 }, "\(completions)")
        await server.kill9()
    }

    @Test("a job whose worker dies every time (kill -9 twice, --max-attempts 2) fails with a reason instead of looping; it never starts a third time")
    func poisonJob() async throws {
        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await Self.createKey(data)
        let (start, end) = try Self.sampleBase64()
        let args: [String: Any] = [
            "prompt": "The camera pushes in", "mode": "pro", "resolution": "1080p", "duration": 8, "image": "data:image/jpeg;base64,\(start)",
            "image_tail": "data:image/jpeg;base64,\(end)",
        ]
        let options = ["--lease", "2", "--max-attempts", "2"]
        var server = try await Server(dataDirectory: data, extra: options)
        let created = try await Self.json(
            .POST, "\(server.base)/api/v1/job/create", key: key, body: ["model": "vidu/vidu-q2/start-end-to-video", "args": args])
        let job = try #require(created["job_id"] as? String)
        for attempt in 1...2 {
            let view = try await Self.waitUntilRunning(server, key: key, job: job, attempt: attempt)
            #expect(view["status"] as? Int == 1 && view["attempts"] as? Int == attempt, "\(view)")
            await server.kill9()
            server = try await Server(dataDirectory: data, extra: options)
        }
        let ended = try await Self.waitForEnd(server, key: key, job: job, seconds: 60)
        #expect(ended["status"] as? Int == 3 && ended["attempts"] as? Int == 2, "\(ended)")
        let message = (ended["error"] as? [String: Any])?["message"] as? String ?? ""
        #expect(message.contains("started 2 times") && message.contains("giving up"), "\(message)")
        #expect(ended["started_at"] != nil)
        let store = try SQLiteJobStore(path: URL(fileURLWithPath: data).appendingPathComponent("inbetween.sqlite").path)
        #expect(try await store.completions()[job] == 0)
        await server.kill9()
    }

    @Test("submit sends local files, follows the job and downloads the MP4; status and cancel; arguments are checked before any request")
    func submit() async throws {
        let refused = try await Self.inbetween([
            "submit", "--key", "ib_x", "--server", "http://127.0.0.1:1", "--prompt", "x", "--image", "a.png", "--image-tail", "b.png", "--duration",
            "9",
        ])
        #expect(refused.status == 2 && refused.stderr.contains("`duration` must be a whole number from 1 to 8 seconds; got 9."), "\(refused.stderr)")
        let keyless = try await Self.inbetween([
            "submit", "--prompt", "x", "--image", GenerateCommandTests.samples.start, "--image-tail", GenerateCommandTests.samples.end,
        ])
        #expect(keyless.status != 0 && keyless.stderr.contains("API key is required"), "\(keyless.stderr)")

        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await Self.createKey(data)
        let server = try await Server(dataDirectory: data, extra: ["--engine", "dissolve"])
        let output = GenerateCommandTests.temporary("submitted.mp4")
        let run = try await Self.inbetween([
            "submit", "--server", server.base, "--key", key, "--image", GenerateCommandTests.samples.start, "--image-tail",
            GenerateCommandTests.samples.end, "--prompt", "push in", "--mode", "turbo", "--resolution", "540p", "--duration", "1", "--output", output,
        ])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("960x540, 24 frames at 24 fps"), "\(run.stdout)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: output))
        #expect(bytes.count > 8 && String(decoding: bytes[4..<8], as: UTF8.self) == "ftyp")
        let job = try #require(run.stdout.firstMatch(of: /job_[0-9a-z]{26}/).map { String($0.0) })
        let status = try await Self.inbetween(["status", "--server", server.base, "--key", key, job])
        #expect(status.status == 0 && status.stdout.contains("\"status\" : 2"), "\(status.stdout)")
        let cancel = try await Self.inbetween(["cancel", "--server", server.base, "--key", key, job])
        #expect(cancel.status == 1 && cancel.stderr.contains("already ended"), "\(cancel.stderr)")
        let wrongKey = try await Self.inbetween(["status", "--server", server.base, "--key", "ib_wrong", job])
        #expect(wrongKey.status == 1 && wrongKey.stderr.contains("unknown or revoked API key"))
    }

    @Test(
        "the playground in headless Chromium: a transparent preview shows over white, key, two uploads, submit, the video plays in the page; a screenshot is saved"
    )
    func playgroundInBrowser() async throws {
        let data = GenerateCommandTests.temporary("data")
        let (key, _) = try await Self.createKey(data)
        let server = try await Server(dataDirectory: data, extra: ["--engine", "dissolve"])
        let (status, printed, screenshot) = try await Self.runBrowser("playground.py", server: server, key: key, screenshot: "playground.png")
        #expect(status == 0, "\(printed)")
        #expect(printed.contains("played: Done: 960×540, 24 frames at 24 fps"), "\(printed)")
        #expect(printed.contains("preview over white: (255, 255, 255) / (0, 0, 0)"), "\(printed)")
        let png = try Data(contentsOf: URL(fileURLWithPath: screenshot))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        print("playground screenshot: \(screenshot)")
    }
}

extension ServeCommandTests {
    /// Runs `Browser/<script>` (headless Chromium through Selenium) against `server` with `key`
    /// and the sample images, the screenshot going to `.build/test-artifacts/<screenshot>`: its
    /// exit status, what it printed, and the screenshot's path.
    static func runBrowser(_ script: String, server: Server, key: String, screenshot name: String) async throws -> (
        status: Int32, printed: String, screenshot: String
    ) {
        let artifacts = GenerateCommandTests.root.appendingPathComponent(".build/test-artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        let screenshot = artifacts.appendingPathComponent(name).path
        try? FileManager.default.removeItem(atPath: screenshot)
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Browser/\(script)").path
        let output = GenerateCommandTests.temporary("browser.out")
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", path, server.base, key, GenerateCommandTests.samples.start, GenerateCommandTests.samples.end, screenshot]
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardError = process.standardOutput
        try process.run()
        while process.isRunning { try await Task.sleep(for: .milliseconds(100)) }
        return (process.terminationStatus, try String(contentsOfFile: output, encoding: .utf8), screenshot)
    }
}
