import AsyncHTTPClient
import Crypto
import Foundation
import InbetweenS3
import InbetweenTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The tools the S3 tests use: Python with botocore (the tools venv of scripts/install-deps.sh)
/// and the moto S3 server that scripts/test.sh starts on loopback.
enum S3TestSupport {
    /// The repository's root.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The tools venv's python (`INBETWEEN_VENV`, else ~/.cache/inbetween-venv), where
    /// scripts/install-deps.sh installs botocore and moto.
    static var python: String {
        let environment = ProcessInfo.processInfo.environment
        let venv =
            environment["INBETWEEN_VENV"]
            ?? ((environment["XDG_CACHE_HOME"] ?? (NSHomeDirectory() + "/.cache")) + "/inbetween-venv")
        return venv + "/bin/python"
    }

    /// Runs `script` (relative to the root) with `input` on stdin; its stdout.
    static func runPython(script: String, input: Data) throws -> Data {
        try #require(
            FileManager.default.isExecutableFile(atPath: python), "\(python) is missing: run scripts/install-deps.sh (botocore in the tools venv)")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let paths = ["in", "out", "err"].map { directory.appendingPathComponent($0) }
        try input.write(to: paths[0])
        for path in paths.dropFirst() { _ = FileManager.default.createFile(atPath: path.path, contents: nil) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [root.appendingPathComponent(script).path]
        process.standardInput = try FileHandle(forReadingFrom: paths[0])
        process.standardOutput = try FileHandle(forWritingTo: paths[1])
        process.standardError = try FileHandle(forWritingTo: paths[2])
        try process.run()
        process.waitUntilExit()
        let errors = (try? Data(contentsOf: paths[2])) ?? Data()
        try #require(process.terminationStatus == 0, "\(script) failed: \(String(decoding: errors, as: UTF8.self))")
        return try Data(contentsOf: paths[1])
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// The moto server's endpoint that scripts/test.sh exports; a test that needs it fails
    /// (does not skip) without it.
    static func endpoint() throws -> URL {
        let text = try #require(
            ProcessInfo.processInfo.environment["INBETWEEN_TEST_S3_ENDPOINT"],
            "INBETWEEN_TEST_S3_ENDPOINT is not set: run scripts/test.sh, which starts a moto S3 server for the tests")
        return try #require(URL(string: text))
    }

    /// Any keys: moto accepts every signature (its signatures are checked against botocore instead).
    static let credentials = AWSCredentials(accessKeyID: "AKIATESTKEY", secretAccessKey: "test/secret+key", sessionToken: nil)

    /// A client for a fresh bucket of its own on the test server.
    static func freshBucket(partSize: Int = 5 * 1024 * 1024, threshold: Int = 5 * 1024 * 1024) async throws -> S3Client {
        var configuration = S3Configuration(
            bucket: "test-" + UUID().uuidString.lowercased().prefix(18), region: "us-east-1", endpoint: try endpoint(), addressing: .path)
        configuration.partSize = partSize
        configuration.multipartThreshold = threshold
        let client = S3Client(configuration: configuration, credentials: credentials)
        try await client.createBucket()
        return client
    }

    /// `count` random bytes.
    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        for index in stride(from: 0, to: count, by: 8) {
            let word = generator.next()
            for offset in 0..<min(8, count - index) { bytes[index + offset] = UInt8(truncatingIfNeeded: word >> (8 * offset)) }
        }
        return bytes
    }

    /// A temporary file holding `bytes`.
    static func file(_ bytes: [UInt8]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("s3-test-\(UUID().uuidString)")
        try Data(bytes).write(to: url)
        return url
    }

    /// GETs `url` without signing (a presigned URL); status and body.
    static func fetch(_ url: String, headers: [(String, String)] = []) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: url)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let body = try await response.body.collect(upTo: 64 << 20)
        return (Int(response.status.code), Array(buffer: body))
    }
}
