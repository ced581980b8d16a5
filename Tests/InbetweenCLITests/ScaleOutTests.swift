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
@Suite("Scale out on PostgreSQL", .serialized)
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

        init(database: String, data: String) throws {
            let log = GenerateCommandTests.temporary("worker.log")
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = try GenerateCommandTests.binary()
            process.arguments = [
                "worker", "--database", database, "--data-dir", data, "--engine", "dissolve", "--lease", "3", "--allow-private-networks",
                "--log-level", "warning",
            ]
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

    static let smallImages: (String, String) = {
        func small(_ name: String) -> String {
            let output = GenerateCommandTests.temporary("\(name)-small.jpg")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/ffmpeg")
            process.arguments = [
                "-nostdin", "-loglevel", "error", "-i", GenerateCommandTests.root.appendingPathComponent("samples/\(name).jpg").path, "-vf",
                "scale=320:-2", "-y", output,
            ]
            try? process.run()
            process.waitUntilExit()
            return "data:image/jpeg;base64," + ((try? Data(contentsOf: URL(fileURLWithPath: output)))?.base64EncodedString() ?? "")
        }
        return (small("start"), small("end"))
    }()

    static func create(_ base: String, key: String) async throws -> String {
        let args: [String: Any] = [
            "prompt": "push in", "mode": "turbo", "resolution": "540p", "duration": 1, "fps": 8, "image": smallImages.0, "image_tail": smallImages.1,
        ]
        let reply = try await ServeCommandTests.json(
            .POST, "\(base)/api/v1/job/create", key: key, body: ["model": "vidu/vidu-q2/start-end-to-video", "args": args])
        return try #require(reply["job_id"] as? String, "\(reply)")
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
            try await ServeCommandTests.Server(dataDirectory: data, extra: ["--database", database, "--workers", "0", "--rate-limit", "100000"]),
            try await ServeCommandTests.Server(dataDirectory: data, extra: ["--database", database, "--workers", "0", "--rate-limit", "100000"]),
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
            | jobs | succeeded | worker kills | re-run after a kill | duplicate completions | longest recovery (first start → end) | pickup p50 / p95 (create → first start, NOTIFY) |
            | \(facts.count) | \(succeeded) | \(kills) | \(rerun.count) | \(duplicates) | \(recovery) ms | \(Self.percentile(pickup, 0.5)) / \(Self.percentile(pickup, 0.95)) ms |
            """)
        #expect(facts.count == 200 && succeeded == 200)
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
}
