import Foundation
import HTTPTypes
import HummingbirdTesting
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import NIOCore
import Testing

@testable import InbetweenServer

/// What an attacker or a broken client sends, through the real router: each gets a clear
/// error naming what is wrong, nothing is created, and the server keeps answering.
@Suite("Hostile input")
struct HostileInputTests {
    /// A PNG signature and IHDR claiming `width`×`height`, and nothing after.
    static func pngHeader(width: UInt32, height: UInt32) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]
        for value in [width, height] { bytes += withUnsafeBytes(of: value.bigEndian, Array.init) }
        return bytes + [8, 2, 0, 0, 0, 0, 0, 0, 0]
    }

    static func dataURI(_ bytes: [UInt8], type: String = "image/png") -> String {
        "data:\(type);base64," + Data(bytes).base64EncodedString()
    }

    @Test("wrong types in every field, malformed JSON and hostile images: 400/422 naming the field, no job made, the server answers")
    func malformed() async throws {
        let fixture = try await Fixture()
        try await fixture.application().test(.router) { client in
            let create = "/api/v1/job/create"
            let wrong: [(String, Any)] = [
                ("mode", 1), ("mode", ["pro"]), ("prompt", 42), ("prompt", ["text": "x"]), ("prompt", String(repeating: "x", count: 5001)),
                ("duration", true), ("duration", ["5"]), ("duration", 5.5), ("duration", "5 seconds"), ("image", 7), ("image", ["url": "x"]),
                ("image_tail", NSNull()), ("image_tail", false), ("resolution", 720), ("resolution", "4k"), ("seed", "12"), ("seed", -1),
                ("seed", 1.5), ("seed", 1e300), ("movement_amplitude", false), ("fps", "24"), ("fps", 1000), ("fps", -8),
            ]
            for (field, value) in wrong {
                var args = Fixture.args()
                args[field] = value
                let reply = try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(args))
                #expect(reply.status == .unprocessableContent, "\(field) = \(value): \(reply.status)")
                #expect(reply.message.contains("`\(field)`"), "\(field) = \(value): \(reply.message)")
            }
            let bodies: [(String, APIError.Code)] = [
                ("{\"model\": 5, \"args\": {}}", .invalidArgument), ("{\"model\": \"\(modelID)\", \"args\": [1]}", .invalidArgument),
                ("{\"model\": \"\(modelID)\", \"args\": {}, \"callback_url\": 5}", .invalidArgument),
                (String(repeating: "[", count: 100_000), .badJSON), ("{\"model\": \"\u{0}\"", .badJSON), ("", .badJSON), ("null", .badJSON),
            ]
            for (body, code) in bodies {
                let reply = try await client.call(create, .post, headers: fixture.headers(), body: ByteBuffer(string: body))
                #expect(reply.code == code.rawValue && reply.json["data"] is NSNull, "\(body.prefix(40)): \(reply.code) \(reply.message)")
            }
            let images: [(String, String, String)] = [
                ("image", Self.dataURI(Self.pngHeader(width: 12000, height: 12000)), "12000"),
                ("image_tail", Self.dataURI(Array("#EXTM3U\n#EXT-X-TARGETDURATION:1\nhttp://169.254.169.254/\n".utf8)), "not a PNG"),
                ("image", Self.dataURI(Array(Fixture.startJPEG.prefix(40)), type: "image/jpeg"), "`image`"),
                ("image_tail", "data:image/png;base64,", "empty"), ("image", "data:image/png;base64,%%%%", "base64"),
            ]
            for (field, value, words) in images {
                var args = Fixture.args()
                args[field] = value
                let reply = try await client.call(create, .post, headers: fixture.headers(), body: Fixture.body(args))
                #expect(
                    reply.code == APIError.Code.invalidImage.rawValue || reply.code == APIError.Code.invalidArgument.rawValue,
                    "\(field): \(reply.message)")
                #expect(reply.message.contains("`\(field)`") && reply.message.contains(words), "\(field): \(reply.message)")
            }
            #expect(try await fixture.store.jobs(keyID: fixture.key.id, limit: 10, after: nil).isEmpty)
            #expect(try await client.call("/healthz").status == .ok)
        }
    }

    @Test("file URLs: traversal, forged or expired signatures, and another key's job id never reach a file")
    func filesAndOwnership() async throws {
        let fixture = try await Fixture(workers: 1)
        let (otherKey, _) = try await Fixture.makeKey(fixture.store)
        try await fixture.application().test(.router) { client in
            let reply = try await client.call(
                "/api/v1/job/create", .post, headers: fixture.headers([.prefer: "wait=60"]), body: Fixture.body(Fixture.args()))
            let job = try #require(reply.data["job"] as? [String: Any])
            let id = try #require(job["job_id"] as? String)
            let url = try #require(((job["result"] as? [String: Any])?["videos"] as? [[String: Any]])?.first?["url"] as? String)
            let signed = try LiveTests.path(url)
            let query = String(signed[signed.firstIndex(of: "?")!...])
            #expect(try await client.execute(uri: signed, method: .get).status == .ok)
            for path in [
                "/files/..%2f..%2furl-signing.key\(query)", "/files/\(id)/..%2f..%2furl-signing.key\(query)",
                "/files/\(id)/../../inbetween.sqlite\(query)",
                "/files/\(id)/cover.jpg\(query)", "/files/\(id)/video.mp4?expires=99999999999&signature=AAAA",
                "/files/\(id)/video.mp4?expires=1&signature=\(query.split(separator: "signature=").last ?? "")",
                "/files/\(id)/inbetween.sqlite\(query)",
            ] {
                let response = try await client.execute(uri: path, method: .get)
                #expect([403, 404].contains(response.status.code), "\(path): \(response.status)")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true, "\(path)")
            }
            for (uri, method) in [("/api/v1/job/query?id=\(id)", HTTPRequest.Method.get), ("/api/v1/job/cancel?id=\(id)", .post)] {
                try await client.call(uri, method, headers: fixture.headers(key: otherKey)).expectFailure(.notFound)
            }
            #expect(try await client.call("/api/v1/jobs", headers: fixture.headers(key: otherKey)).data["jobs"] as? [Any] != nil)
            #expect((try await client.call("/api/v1/jobs", headers: fixture.headers(key: otherKey)).data["jobs"] as? [Any])?.isEmpty == true)
        }
    }

    @Test("SSRF in image, image_tail and callback_url: the job fails naming the image; the callback is refused, never sent")
    func ssrf() async throws {
        let fixture = try await Fixture(workers: 1)
        try await fixture.application().test(.router) { client in
            var ids: [String: String] = [:]
            for (field, url) in [("image", "http://169.254.169.254/latest/meta-data/"), ("image_tail", "http://[::ffff:127.0.0.1]:8080/x.png")] {
                var args = Fixture.args()
                args[field] = url
                let reply = try await client.call("/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(args))
                ids[field] = try #require(reply.data["job_id"] as? String, "\(reply.message)")
            }
            let hooked = try await client.call(
                "/api/v1/job/create", .post, headers: fixture.headers(), body: Fixture.body(Fixture.args(), callback: "http://10.1.2.3/hook"))
            let hookID = try #require(hooked.data["job_id"] as? String)
            for (field, id) in ids {
                let ended = try await LiveTests.waitForEnd(client, fixture, id)
                let message = (ended["error"] as? [String: Any])?["message"] as? String ?? ""
                #expect(ended["status"] as? Int == 3 && message.contains("`\(field)`"), "\(field): \(message)")
            }
            var webhook: [String: Any] = [:]
            let deadline = ContinuousClock.now + .seconds(60)
            while webhook["state"] as? String != "failed", ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(200))
                webhook = try await client.call("/api/v1/job/query?id=\(hookID)", headers: fixture.headers()).data["webhook"] as? [String: Any] ?? [:]
            }
            #expect(webhook["state"] as? String == "failed" && (webhook["last_error"] as? String)?.contains("private") == true, "\(webhook)")
            #expect(webhook["last_status"] == nil)
        }
    }
}
