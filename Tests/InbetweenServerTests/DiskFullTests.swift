import Foundation
import HTTPTypes
import HummingbirdTesting
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import Testing

@testable import InbetweenServer

/// A full disk under the results or the database: real small tmpfs mounts (the suite runs as
/// root, as CI does). The job or the request fails saying so, the server stays up, nothing
/// half-written is left or served.
@Suite("Disk full", .serialized, .tags(.slow), .timeLimit(.minutes(5)))
struct DiskFullTests {
    /// Mounts a tmpfs of `size` (like "96k") at `path`.
    static func mountSmallDisk(_ path: URL, size: String) throws {
        try FileManager.default.createDirectory(at: path, withIntermediateDirectories: true)
        let status = try run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size),mode=0700", "tmpfs", path.path])
        try #require(status == 0, "mount -t tmpfs needs root (CI runs the suite as root)")
    }

    static func unmount(_ path: URL) {
        _ = try? run("/bin/umount", ["-l", path.path])
    }

    static func run(_ tool: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Every file under `directory`, relative.
    static func files(under directory: URL) -> [String] {
        (FileManager.default.enumerator(atPath: directory.path)?.allObjects as? [String] ?? []).sorted()
    }

    @Test("results disk full: the job fails naming the result store and the full disk; no partial file stays; the API answers")
    func resultsFull() async throws {
        var results: URL?
        let fixture = try await Fixture(
            workers: 1,
            prepare: { directory in
                results = directory.appendingPathComponent("results", isDirectory: true)
                try Self.mountSmallDisk(results!, size: "96k")
            })
        defer { Self.unmount(results!) }
        try await fixture.application().test(.live) { client in
            let args = Fixture.args(extra: ["resolution": "720p", "duration": 4, "seed": 1])
            let created = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(args))
            let id = try #require(created.data["job_id"] as? String)
            let ended = try await LiveTests.waitForEnd(client, fixture, id)
            #expect(ended["status"] as? Int == 3)
            let error = try #require(ended["error"] as? [String: Any])
            #expect(error["code"] as? Int == APIError.Code.unavailable.rawValue)
            let message = error["message"] as? String ?? ""
            #expect(message.contains("the result store could not take") && message.contains("the disk is full"), "\(message)")
            let left = Self.files(under: fixture.configuration.resultsDirectory)
            #expect(!left.contains { ($0 as NSString).lastPathComponent.hasPrefix(".") }, "partial files left: \(left)")
            #expect(!left.contains("\(id)/video.mp4"))
            #expect(try await client.call("/healthz").status == .ok)
            #expect(try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers()).data["status"] as? Int == 3)
        }
    }

    @Test("database disk full: create answers 503 saying the disk is full; earlier jobs still answer; the server stays up")
    func databaseFull() async throws {
        var directory: URL?
        let fixture = try await Fixture(
            workers: 0,
            prepare: { path in
                directory = path
                try Self.mountSmallDisk(path, size: "1m")
            })
        defer { Self.unmount(directory!) }
        try await fixture.application().test(.live) { client in
            var accepted: [String] = []
            var refusal: Reply?
            for _ in 0..<400 {
                let reply = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args()))
                if reply.status == .ok, let id = reply.data["job_id"] as? String {
                    accepted.append(id)
                } else {
                    refusal = reply
                    break
                }
            }
            let refused = try #require(refusal, "1 MiB should fill up within 400 jobs")
            refused.expectFailure(.unavailable, mentioning: ["disk is full", "nothing was changed"])
            #expect(accepted.count > 3)
            #expect(try await client.call("/healthz").status == .ok)
            for id in accepted {
                #expect(try await client.call("/api/v1/job/query?id=\(id)", headers: fixture.headers()).data["status"] as? Int == 0)
            }
        }
    }
}
