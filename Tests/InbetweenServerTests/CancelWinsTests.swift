import Foundation
import Hummingbird
import InbetweenAPI
import InbetweenEngine
import InbetweenJobs
import InbetweenServer
import InbetweenTestSupport
import InbetweenWorker
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 18 as a client meets it, over real HTTP on loopback, on SQLite and on PostgreSQL:
/// a cancel answered 200 always ends the job 4 (no result, no success callback), renders stop
/// at once, heartbeats keep their leases beside CPU-bound neighbours, polling fits the default
/// rate limits, and creates carrying big data URIs beside cancels always answer. Each test
/// prints its figures (`docs/RELIABILITY.md` quotes them).
@Suite("Cancel wins", .serialized, .tags(.slow), .timeLimit(.minutes(5)))
struct CancelWinsTests {
    /// The stores: PostgreSQL where `scripts/test.sh` started one.
    static let stores: [FreshStore.Kind] = TestPostgres.url == nil ? [.sqlite] : [.sqlite, .postgres]

    /// How many rounds the create/cancel loop runs (`INBETWEEN_CANCEL_ROUNDS`, for the figures: 100).
    static let loopRounds = ProcessInfo.processInfo.environment["INBETWEEN_CANCEL_ROUNDS"].flatMap(Int.init) ?? 10

    /// The cheapest render the API takes (turbo, 540p, 1 s at 8 fps: 8 frames), for tests that need many jobs, not long ones.
    static func quickArgs() -> [String: Any] { Fixture.args(extra: ["fps": 8]) }

    static func figures(_ values: [Double]) -> String {
        String(
            format: "p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms (n=%d)", percentile(values, 0.5) * 1000, percentile(values, 0.95) * 1000,
            percentile(values, 0.99) * 1000, (values.max() ?? 0) * 1000, values.count)
    }

    @Test("50 running jobs canceled at random moments: every one answered 200 ends 4 with no result and a callback saying 4", arguments: stores)
    func cancelAtRandomMoments(_ kind: FreshStore.Kind) async throws {
        let recorder = Recorder()
        let routes: (Router<BasicRequestContext>) -> Void = { router in
            router.post("hook") { request, _ -> Response in
                try await recorder.record(request)
                return Response(status: .ok)
            }
        }
        try await LoopbackServer.run(routes) { port in
            try await LiveService.run(kind, { $0.allowPrivateNetworks = true }) { service in
                var ids: [String] = []
                for _ in 0..<50 {
                    let (id, answer) = try await service.create(Self.quickArgs(), callback: "http://127.0.0.1:\(port)/hook")
                    ids.append(try #require(id, "create answered \(answer.status)"))
                }
                var accepted: [String] = []
                var ended: [String] = []
                var toCanceled: [Double] = []
                var toStopped: [Double] = []
                var lastCancel: ContinuousClock.Instant?
                for id in ids {
                    let running = try await service.waitForStatus(id) { $0 >= 1 }
                    if let sent = lastCancel {
                        // The worker took this job: the canceled render before it has stopped.
                        toStopped.append((ContinuousClock.now - sent).asSeconds)
                        lastCancel = nil
                    }
                    guard running == 1 else { continue }
                    // A random moment between the claim and the render's end.
                    try await Task.sleep(for: .milliseconds(Int.random(in: 0...400)))
                    let sent = ContinuousClock.now
                    let answer = try await service.send("POST", "/api/v1/job/cancel?id=\(id)")
                    if answer.status == 200 {
                        accepted.append(id)
                        // The answer itself says 4, and so does every query from then on.
                        #expect(answer.data["status"] as? Int == 4)
                        #expect(try await service.status(id) == 4)
                        toCanceled.append((ContinuousClock.now - sent).asSeconds)
                        lastCancel = sent
                    } else {
                        #expect(answer.status == 409, "a cancel that is not 200 is the job having ended")
                        ended.append(id)
                    }
                }
                #expect(accepted.count >= 15, "too few cancels landed while rendering (\(accepted.count)) to show anything")
                // Give the last render and the callbacks time to settle, then check the ends.
                let deadline = ContinuousClock.now + .seconds(30)
                func hookStatuses() -> [String: [Int]] {
                    var statuses: [String: [Int]] = [:]
                    for hook in recorder.all {
                        guard let envelope = try? JSONSerialization.jsonObject(with: Data(hook.body)) as? [String: Any],
                            let data = envelope["data"] as? [String: Any], let id = data["job_id"] as? String, let status = data["status"] as? Int
                        else { continue }
                        statuses[id, default: []].append(status)
                    }
                    return statuses
                }
                while Set(hookStatuses().keys).count < ids.count, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let hooks = hookStatuses()
                for id in accepted {
                    #expect(try await service.status(id) == 4, "job \(id) was canceled (200) but did not end 4")
                    #expect(!service.hasResultFiles(id), "job \(id) was canceled (200) but its result files are on disk")
                    #expect(hooks[id] == [4], "job \(id)'s callbacks said \(hooks[id] ?? [])")
                }
                for id in ended {
                    let status = try await service.status(id)
                    #expect(status == 2 && hooks[id] == [2])
                }
                print(
                    "cancel wins [\(kind.rawValue)]: \(ids.count) jobs, \(accepted.count) canceled while running (200, all ended 4), \(ended.count) had ended (409)"
                )
                print("cancel wins [\(kind.rawValue)]: cancel sent → query shows 4: \(Self.figures(toCanceled))")
                print(
                    "cancel wins [\(kind.rawValue)]: cancel sent → the worker has stopped that render and runs the next: \(Self.figures(toStopped))")
            }
        }
    }

    @Test("two CPU-bound processes beside the workers over 40 jobs: no lease lost, no job rendered twice; every heartbeat's delay recorded")
    func heartbeatsUnderLoad() async throws {
        let delays = HeartbeatDelays()
        // Busy loops that end themselves after 120 s should the test die before it stops them.
        // (Perl, not sh: the test process ignores SIGTERM, children inherit that, and a shell
        // cannot take back a signal ignored when it started; these die of SIGALRM or SIGKILL.)
        let hogs = try (0..<2).map { _ in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/perl")
            process.arguments = ["-e", "$SIG{ALRM} = 'DEFAULT'; alarm 120; 1 while 1"]
            try process.run()
            return process
        }
        defer {
            for hog in hogs {
                kill(hog.processIdentifier, SIGKILL)
                hog.waitUntilExit()
            }
        }
        try await LiveService.run(.sqlite, workers: 2) { settings in
            // A lease ten heartbeats long: a heartbeat held up for 2.7 s would lose it.
            settings.worker.lease = .seconds(3)
            settings.worker.heartbeat = .milliseconds(300)
            settings.worker.heartbeatDelays = delays
            // The cross-fade: the machine's cores go to the neighbours and ffmpeg, the test stays short.
            settings.engine = .dissolve
        } _: { service in
            var ids: [String] = []
            for _ in 0..<40 {
                ids.append(try #require(try await service.create(Self.quickArgs()).id))
            }
            for id in ids {
                #expect(try await service.waitForStatus(id, upTo: .seconds(120), every: .milliseconds(100)) { $0 >= 2 } == 2)
                let job = try await service.send("GET", "/api/v1/job/query?id=\(id)").data
                // One claim each: a lost lease would have been claimed again (attempts 2) and rendered twice.
                #expect(job["attempts"] as? Int == 1, "job \(id) was claimed \(job["attempts"] ?? "?") times")
            }
        }
        let seconds = delays.all.map(\.asSeconds)
        #expect(!seconds.isEmpty)
        #expect((seconds.max() ?? 0) < 2.7, "a heartbeat came \(seconds.max() ?? 0) s late, near the 3 s lease")
        print("heartbeats beside 2 CPU-bound processes, 40 jobs on 2 workers: delay \(Self.figures(seconds))")
    }

    @Test("polling 16 jobs every 500 ms through their lives with the default rate limits: no 429")
    func pollingFitsDefaults() async throws {
        try await LiveService.run(.sqlite, workers: 2) { settings in
            let defaults = ServerConfiguration(dataDirectory: settings.dataDirectory)
            settings.createRateLimit = defaults.createRateLimit
            settings.readRateLimit = defaults.readRateLimit
            settings.engine = .dissolve
        } _: { service in
            var ids: [String] = []
            for _ in 0..<16 { ids.append(try #require(try await service.create(Self.quickArgs()).id)) }
            let counts = try await withThrowingTaskGroup(of: (polls: Int, refused: Int, status: Int).self) { group in
                for id in ids {
                    group.addTask {
                        var polls = 0
                        var refused = 0
                        var status = 0
                        let deadline = ContinuousClock.now + .seconds(120)
                        while status < 2, ContinuousClock.now < deadline {
                            let answer = try await service.send("GET", "/api/v1/job/query?id=\(id)")
                            polls += 1
                            if answer.status == 429 { refused += 1 } else { status = answer.data["status"] as? Int ?? -1 }
                            try await Task.sleep(for: .milliseconds(500))
                        }
                        return (polls, refused, status)
                    }
                }
                return try await group.reduce(into: [(polls: Int, refused: Int, status: Int)]()) { $0.append($1) }
            }
            #expect(counts.allSatisfy { $0.status == 2 })
            #expect(counts.reduce(0) { $0 + $1.refused } == 0)
            print("polling 16 jobs every 500 ms: \(counts.reduce(0) { $0 + $1.polls }) queries, \(counts.reduce(0) { $0 + $1.refused }) answered 429")
        }
    }

    @Test("create with two ~1.9 MB PNG data URIs, cancel 0.3 s into its render, repeat: every create answers", arguments: stores)
    func createCancelLoop(_ kind: FreshStore.Kind) async throws {
        let start = "data:image/png;base64," + (try Self.noisePNG()).base64EncodedString()
        let end = "data:image/png;base64," + (try Self.noisePNG()).base64EncodedString()
        try await LiveService.run(kind) { service in
            let args = Fixture.args(image: start, tail: end, extra: ["duration": "2"])
            var creates: [Double] = []
            for round in 0..<Self.loopRounds {
                let (id, answer) = try await service.create(args)
                creates.append(answer.seconds)
                let job = try #require(id, "round \(round): the create answered \(answer.status)")
                let status = try await service.waitForStatus(job, upTo: .seconds(30)) { $0 >= 1 }
                #expect(status == 1, "round \(round): the job did not start")
                try await Task.sleep(for: .milliseconds(300))
                let cancel = try await service.send("POST", "/api/v1/job/cancel?id=\(job)")
                #expect(cancel.status == 200 || cancel.status == 409)
                #expect(try await service.waitForStatus(job, upTo: .seconds(30)) { $0 >= 2 } >= 2)
            }
            // The same body with nothing else going on (the last render stopped, the worker idle).
            try await Task.sleep(for: .seconds(1))
            var idle: [Double] = []
            for _ in 0..<5 {
                let (id, answer) = try await service.create(args)
                idle.append(answer.seconds)
                if let id { _ = try await service.send("POST", "/api/v1/job/cancel?id=\(id)") }
                try await Task.sleep(for: .milliseconds(500))
            }
            let megabytes = Double(start.utf8.count + end.utf8.count) / 1_000_000
            print(
                "create/cancel loop [\(kind.rawValue)], \(Self.loopRounds) rounds, \(String(format: "%.1f", megabytes)) MB of data URIs: create \(Self.figures(creates))"
            )
            print("create of \(String(format: "%.1f", megabytes)) MB of data URIs, worker idle [\(kind.rawValue)]: \(Self.figures(idle))")
        }
    }

    @Test("a create answered before its 5 MB body is read (over the creates' rate: 429) still reaches its client")
    func earlyAnswerToBigBody() async throws {
        let start = "data:image/png;base64," + (try Self.noisePNG()).base64EncodedString()
        let end = "data:image/png;base64," + (try Self.noisePNG()).base64EncodedString()
        try await LiveService.run(.sqlite, workers: 0) { settings in
            settings.createRateLimit = RateLimitPolicy(limit: 1, window: .seconds(3600))
        } _: { service in
            #expect(try await service.create(Self.quickArgs()).answer.status == 200)
            let body = try JSONSerialization.data(
                withJSONObject: ["model": modelID, "args": Fixture.args(image: start, tail: end)] as [String: Any])
            let port = try #require(Int(service.base.split(separator: ":").last ?? ""))
            // As Python's urllib does it: `Connection: close`, the whole body, then the answer.
            let outcome = await Self.post(port: port, path: "/api/v1/job/create", key: service.apiKey, body: [UInt8](body))
            #expect(outcome.sentAll, "the client could not send its body: the server stopped reading it")
            #expect(outcome.status == 429, "answered \(outcome.status.map(String.init) ?? "nothing")")
        }
    }

    /// Sends a POST on a socket of its own (a thread, blocking calls, 10 s limits each way): all
    /// of `body`, then reads the status line.
    static func post(port: Int, path: String, key: String, body: [UInt8]) async -> (sentAll: Bool, status: Int?) {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                defer { close(fd) }
                var limit = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                var address = sockaddr_in()
                address.sin_family = sa_family_t(AF_INET)
                address.sin_port = in_port_t(UInt16(port).bigEndian)
                address.sin_addr.s_addr = inet_addr("127.0.0.1")
                let connected = withUnsafePointer(to: &address) {
                    $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
                }
                guard connected else { return continuation.resume(returning: (false, nil)) }
                let head =
                    "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(key)\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: \(body.count)\r\n\r\n"
                let bytes = Array(head.utf8) + body
                var sent = 0
                while sent < bytes.count {
                    let count = bytes[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                    if count <= 0 { break }
                    sent += count
                }
                var answer = [UInt8](repeating: 0, count: 64)
                let read = recv(fd, &answer, answer.count, 0)
                let line = read > 12 ? String(decoding: answer[9..<12], as: UTF8.self) : ""
                continuation.resume(returning: (sent == bytes.count, Int(line)))
            }
        }
    }

    /// A PNG of noise, 800×800: about 1.9 MB, since noise does not compress.
    static func noisePNG() throws -> Data {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-noise-\(UUID().uuidString).png")
        defer { try? FileManager.default.removeItem(at: output) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
        process.arguments = [
            "-nostdin", "-loglevel", "error", "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", "800x800", "-i", "/dev/urandom", "-frames:v", "1",
            "-y", output.path,
        ]
        try process.run()
        process.waitUntilExit()
        return try Data(contentsOf: output)
    }
}
