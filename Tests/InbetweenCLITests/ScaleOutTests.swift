import AsyncHTTPClient
import Foundation
import InbetweenJobs
import InbetweenPostgres
import Logging
import NIOCore
import NIOHTTP1
import PostgresNIO
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// API nodes and worker processes on one PostgreSQL, as an operator runs them.
@Suite(
    "Scale out on PostgreSQL", .serialized,
    .enabled(
        if: ProcessInfo.processInfo.environment["INBETWEEN_TEST_DATABASE_URL"] != nil,
        "needs a PostgreSQL server: INBETWEEN_TEST_DATABASE_URL, which scripts/test.sh (and so CI) sets after starting one"),
    .tags(.slow), .timeLimit(.minutes(10)))
struct ScaleOutTests {
    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel = .error
        return logger
    }

    /// A fresh database on the tests' server; its URL.
    static func freshDatabase(on server: String? = ProcessInfo.processInfo.environment["INBETWEEN_TEST_DATABASE_URL"]) async throws -> String {
        let url = try #require(server, "INBETWEEN_TEST_DATABASE_URL is not set: run scripts/test.sh, which starts a PostgreSQL server for the tests")
        let name = "inbetween_" + Secrets.randomToken(12)
        try await PostgresJobStore.withStore(url: url, logger: logger, migrate: false) { admin in
            try await admin.client.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: Self.logger)
        }
        return url.replacingOccurrences(of: "/postgres", with: "/\(name)")
    }

    /// A running `inbetween worker`.
    final class WorkerProcess {
        let process = Process()

        init(database: String, data: String, extra: [String] = [], environment: [String: String] = [:]) throws {
            let log = GenerateCommandTests.temporary("worker.log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = try GenerateCommandTests.binary()
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
            process.arguments =
                [
                    "worker", "--database", database, "--data-dir", data, "--engine", "dissolve", "--lease", "5", "--max-attempts", "10",
                    "--allow-private-networks",
                    "--log-level", "warning",
                ] + extra
            process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardError = process.standardOutput
            try process.run()
        }

        func kill9() async {
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try? await Task.sleep(for: .milliseconds(20)) }
        }

        deinit { kill(process.processIdentifier, SIGKILL) }
    }

    /// The samples scaled to 320 pixels wide, as data URIs, made once by ffmpeg. Awaited, not
    /// waited for: a blocking `waitUntilExit` in a shared initializer that two suites reach at
    /// once holds threads of the cooperative pool and can hang the whole run.
    static func smallImages() async -> (String, String) { await SmallImages.shared.images() }

    actor SmallImages {
        static let shared = SmallImages()
        private var made: Task<(String, String), Never>?

        func images() async -> (String, String) {
            if let made { return await made.value }
            let task = Task { (await Self.small("start"), await Self.small("end")) }
            made = task
            return await task.value
        }

        static func small(_ name: String) async -> String {
            let output = GenerateCommandTests.temporary("\(name)-small.jpg")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            process.arguments = [
                "-nostdin", "-loglevel", "error", "-i", GenerateCommandTests.root.appendingPathComponent("samples/\(name).jpg").path, "-vf",
                "scale=320:-2", "-y", output,
            ]
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                process.terminationHandler = { _ in done.resume() }
                do { try process.run() } catch {
                    process.terminationHandler = nil
                    done.resume()
                }
            }
            return "data:image/jpeg;base64," + ((try? Data(contentsOf: URL(fileURLWithPath: output)))?.base64EncodedString() ?? "")
        }
    }

    /// Creates a job that must render: its own seed keeps the result cache from answering it.
    /// `images` (start and end as data URIs) default to `smallImages()`.
    static func create(_ base: String, key: String, images given: (String, String)? = nil) async throws -> String {
        let images: (String, String)
        if let given { images = given } else { images = await smallImages() }
        let args: [String: Any] = [
            "prompt": "push in", "mode": "turbo", "resolution": "540p", "duration": 1, "fps": 8, "image": images.0, "image_tail": images.1,
            "seed": Int.random(in: 0...(1 << 50)),
        ]
        let reply = try await ServeCommandTests.json(
            .POST, "\(base)/api/v1/job/create", key: key, body: ["model": "vidu/vidu-q2/start-end-to-video", "args": args])
        guard let id = reply["job_id"] as? String else { throw ServeCommandTests.ServerError(description: "create failed: \(reply)") }
        return id
    }

    /// Per job: status, attempts, completions, created/started/finished (ms).
    static func facts(_ database: String) async throws -> [(
        status: Int, attempts: Int, completions: Int, created: Int64, started: Int64?, finished: Int64?
    )] {
        try await PostgresJobStore.withStore(url: database, logger: logger, migrate: false) { store in
            var rows: [(status: Int, attempts: Int, completions: Int, created: Int64, started: Int64?, finished: Int64?)] = []
            let query = try await store.client.query(
                "SELECT status, attempts, completions, created_at, started_at, finished_at FROM jobs", logger: Self.logger)
            for try await row in query.decode((Int, Int, Int, Int64, Int64?, Int64?).self) { rows.append(row) }
            return rows
        }
    }

    static func percentile(_ values: [Int64], _ p: Double) -> Int64 {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    @Test("2 API nodes and 3 workers on one PostgreSQL, 200 jobs, a worker SIGKILLed every 3 s and restarted: every job ends once")
    func chaos() async throws {
        let database = try await Self.freshDatabase()
        let data = GenerateCommandTests.temporary("shared-data")
        let (key, _) = try await ServeCommandTests.createKey(data, extra: ["--database", database])
        let api = [
            try await ServeCommandTests.Server(dataDirectory: data, extra: ["--database", database, "--workers", "0", "--max-attempts", "10"]),
            try await ServeCommandTests.Server(dataDirectory: data, extra: ["--database", database, "--workers", "0", "--max-attempts", "10"]),
        ]
        var workers = try (0..<3).map { _ in try WorkerProcess(database: database, data: data) }
        var ids: [String] = []
        for index in 0..<200 { ids.append(try await Self.create(api[index % 2].base, key: key)) }

        let began = ContinuousClock.now
        var kills = 0
        var lastKill = ContinuousClock.now
        while ContinuousClock.now - began < .seconds(600) {
            let facts = try await Self.facts(database)
            if facts.count == 200 && facts.allSatisfy({ $0.status >= 2 }) { break }
            if ContinuousClock.now - lastKill >= .seconds(3) {
                let victim = Int.random(in: 0..<workers.count)
                await workers[victim].kill9()
                workers[victim] = try WorkerProcess(database: database, data: data)
                kills += 1
                lastKill = .now
            }
            try await Task.sleep(for: .milliseconds(250))
        }
        let facts = try await Self.facts(database)
        let succeeded = facts.filter { $0.status == 2 }.count
        let duplicates = facts.map { max(0, $0.completions - 1) }.reduce(0, +)
        let rerun = facts.filter { $0.attempts > 1 }
        let recovery = rerun.compactMap { job in job.finished.flatMap { finished in job.started.map { finished - $0 } } }.max() ?? 0
        let pickup = facts.compactMap { job in job.started.map { $0 - job.created } }
        print(
            """
            scale-out run: 2 API nodes, 3 workers, PostgreSQL, engine dissolve, turbo 540p 1 s 8 fps
            | jobs | succeeded | worker kills | re-run after a kill (duplicate executions) | duplicate completions | longest recovery (first start → end) | queue wait p50 / p95 (create → first start) |
            | \(facts.count) | \(succeeded) | \(kills) | \(rerun.count) | \(duplicates) | \(recovery) ms | \(Self.percentile(pickup, 0.5)) / \(Self.percentile(pickup, 0.95)) ms |
            """)
        #expect(facts.count == 200 && facts.allSatisfy { $0.status >= 2 })
        if succeeded < 200 {
            let failures = try await PostgresJobStore.withStore(url: database, logger: Self.logger, migrate: false) { store in
                var lines: [String] = []
                let rows = try await store.client.query("SELECT id, status, attempts, error_message FROM jobs WHERE status <> 2", logger: Self.logger)
                for try await (id, status, attempts, message) in rows.decode((String, Int, Int, String?).self) {
                    lines.append("\(id) status \(status) attempts \(attempts): \(message ?? "-")")
                }
                return lines
            }
            Issue.record("jobs that did not succeed:\n\(failures.joined(separator: "\n"))")
        }
        #expect(duplicates == 0)
        #expect(facts.allSatisfy { $0.completions == ($0.status == 2 ? 1 : 0) })
        #expect(kills > 0)
        // The results are where every node serves them from.
        let job = try #require(ids.last)
        let view = try await ServeCommandTests.json(.GET, "\(api[0].base)/api/v1/job/query?id=\(job)", key: key)["data"] as? [String: Any] ?? [:]
        let url = try #require(((view["result"] as? [String: Any])?["images"] as? [[String: Any]])?.first?["url"] as? String)
        #expect(try await ServeCommandTests.probe(url) == "h264,High,yuv420p,8")
    }

    @Test("pickup latency from create to running, with NOTIFY and with NOTIFY cut (polling every second)")
    func pickupLatency() async throws {
        var lines: [String] = []
        for notify in [true, false] {
            let database = try await Self.freshDatabase()
            let data = GenerateCommandTests.temporary("latency-data")
            let (key, _) = try await ServeCommandTests.createKey(data, extra: ["--database", database])
            let extra = notify ? [] : ["--no-notify"]
            let api = try await ServeCommandTests.Server(dataDirectory: data, extra: ["--database", database, "--workers", "0"] + extra)
            let worker = try WorkerProcess(database: database, data: data)
            try await Task.sleep(for: .seconds(1))
            for _ in 0..<15 {
                _ = try await Self.create(api.base, key: key)
                // One at a time, so each create finds an idle worker waiting.
                try await Task.sleep(for: .milliseconds(1200))
            }
            while try await Self.facts(database).contains(where: { $0.status < 2 }) { try await Task.sleep(for: .milliseconds(200)) }
            let pickup = try await Self.facts(database).compactMap { job in job.started.map { $0 - job.created } }
            lines.append(
                "| \(notify ? "LISTEN/NOTIFY" : "polling only (NOTIFY cut)") | \(pickup.count) | \(Self.percentile(pickup, 0.5)) ms | \(Self.percentile(pickup, 0.95)) ms |"
            )
            #expect(pickup.count == 15)
            _ = worker
        }
        print("pickup latency, create → running, one idle worker\n| wake-up | jobs | p50 | p95 |\n" + lines.joined(separator: "\n"))
    }

    /// A PostgreSQL cluster of this test's own, so stopping it disturbs no other test.
    final class PrivatePostgres {
        let directory = GenerateCommandTests.temporary("pg")
        let port: Int
        let bin: String

        init() async throws {
            bin = try #require(
                ProcessInfo.processInfo.environment["INBETWEEN_TEST_POSTGRES_BIN"], "run scripts/test.sh, which names the PostgreSQL binaries")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let socket = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) } }
            _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) } }
            port = Int(UInt16(bigEndian: address.sin_port))
            close(socket)
            if getuid() == 0 { try await Self.run("/bin/chown", ["postgres", directory]) }
            try await asPostgres("\(bin)/initdb", ["-D", "\(directory)/data", "-U", "inbetween", "--auth=trust", "-E", "UTF8"])
            try await start()
        }

        var url: String { "postgres://inbetween@127.0.0.1:\(port)/postgres" }

        func start() async throws {
            try await asPostgres(
                "\(bin)/pg_ctl",
                [
                    "-D", "\(directory)/data", "-l", "\(directory)/log", "-w", "-o", "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1",
                    "start",
                ])
        }

        func stop() async throws {
            try await asPostgres("\(bin)/pg_ctl", ["-D", "\(directory)/data", "-m", "fast", "-w", "stop"])
        }

        func asPostgres(_ tool: String, _ arguments: [String]) async throws {
            if getuid() == 0 {
                try await Self.run("/usr/sbin/runuser", ["-u", "postgres", "--", tool] + arguments)
            } else {
                try await Self.run(tool, arguments)
            }
        }

        /// posix_spawn and waitpid: Foundation's Process left `runuser` (whose child daemonizes
        /// the server) unreaped here, so its exit was never seen.
        static func run(_ tool: String, _ arguments: [String]) async throws {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv: [UnsafeMutablePointer<CChar>?] = ([tool] + arguments).map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, tool, &actions, nil, argv, environ)
            #expect(spawned == 0, "\(tool) could not start")
            guard spawned == 0 else { return }
            var status: Int32 = 0
            while waitpid(pid, &status, WNOHANG) == 0 { try await Task.sleep(for: .milliseconds(20)) }
            #expect(status == 0, "\(tool) \(arguments) failed with status \(status)")
        }

        deinit {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: getuid() == 0 ? "/usr/sbin/runuser" : "\(bin)/pg_ctl")
            process.arguments =
                (getuid() == 0 ? ["-u", "postgres", "--", "\(bin)/pg_ctl"] : []) + ["-D", "\(directory)/data", "-m", "immediate", "stop"]
            try? process.run()
            process.waitUntilExit()
            try? FileManager.default.removeItem(atPath: directory)
        }
    }

    @Test("PostgreSQL restarted mid-run: the API answers 503 while it is down, then pickup resumes and nothing is lost")
    func databaseRestart() async throws {
        let postgres = try await PrivatePostgres()
        let database = try await Self.freshDatabase(on: postgres.url)
        let data = GenerateCommandTests.temporary("restart-data")
        let (key, _) = try await ServeCommandTests.createKey(data, extra: ["--database", database])
        let server = try await ServeCommandTests.Server(dataDirectory: data, extra: ["--database", database, "--engine", "dissolve"])
        let before = try await Self.create(server.base, key: key)
        #expect(try await ServeCommandTests.waitForEnd(server, key: key, job: before)["status"] as? Int == 2)

        try await postgres.stop()
        let began = ContinuousClock.now
        let query = try await ServeCommandTests.json(.GET, "\(server.base)/api/v1/job/query?id=\(before)", key: key)
        #expect(query["code"] as? Int == 50301, "\(query)")
        #expect(ContinuousClock.now - began < .seconds(20), "the API must answer, not hang")
        let ready = try await HTTPClient.shared.execute(HTTPClientRequest(url: "\(server.base)/readyz"), timeout: .seconds(30))
        #expect(ready.status == .serviceUnavailable)

        try await postgres.start()
        var after: String?
        let deadline = ContinuousClock.now + .seconds(60)
        while after == nil, ContinuousClock.now < deadline {
            after = try? await Self.create(server.base, key: key)
            if after == nil { try await Task.sleep(for: .milliseconds(500)) }
        }
        let job = try #require(after, "creates did not come back after the restart")
        #expect(try await ServeCommandTests.waitForEnd(server, key: key, job: job)["status"] as? Int == 2)
        #expect(
            try await ServeCommandTests.json(.GET, "\(server.base)/api/v1/job/query?id=\(before)", key: key)["data"].map {
                ($0 as? [String: Any])?["status"] as? Int
            } == 2)
    }
}
