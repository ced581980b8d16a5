import Foundation
import InbetweenS3
import Testing

/// The signer against the published SigV4 test suite and against botocore, an independent
/// implementation, on generated requests.
@Suite("AWS Signature Version 4")
struct SigV4Tests {
    static let suiteCredentials = AWSCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    /// 2015-08-30T12:36:00Z, the suite's time.
    static let suiteDate = Date(timeIntervalSince1970: 1_440_938_160)

    struct Published: Sendable, CustomTestStringConvertible {
        var name: String
        var method = "GET"
        var query: [(String, String)] = []
        var headers: [(String, String)] = []
        var body = ""
        var signedHeaders = "host;x-amz-date"
        var signature: String
        var testDescription: String { name }
    }

    /// Cases of https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html
    /// (service `service`, us-east-1, host example.amazonaws.com, path `/`).
    static let published: [Published] = [
        Published(name: "get-vanilla", signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
        Published(
            name: "get-vanilla-query-order-key-case", query: [("Param2", "value2"), ("Param1", "value1")],
            signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
        Published(
            name: "get-vanilla-query-order-value", query: [("Param1", "value2"), ("Param1", "Value1")],
            signature: "eedbc4e291e521cf13422ffca22be7d2eb8146eecf653089df300a15b2382bd1"),
        Published(
            name: "get-vanilla-utf8-query", query: [("ሴ", "bar")], signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
        Published(
            name: "get-header-key-duplicate", headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
            signedHeaders: "host;my-header1;x-amz-date", signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
        Published(
            name: "get-header-value-trim", headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
            signedHeaders: "host;my-header1;my-header2;x-amz-date", signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
        Published(name: "post-vanilla", method: "POST", signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
        Published(
            name: "post-x-www-form-urlencoded", method: "POST", headers: [("Content-Type", "application/x-www-form-urlencoded")],
            body: "Param1=value1", signedHeaders: "content-type;host;x-amz-date",
            signature: "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"),
    ]

    @Test("the published test suite", arguments: published)
    func publishedSuite(_ example: Published) {
        let signer = SigV4(credentials: Self.suiteCredentials, region: "us-east-1", service: "service")
        let request = SigV4.Request(method: example.method, host: "example.amazonaws.com", path: "/", query: example.query, headers: example.headers)
        let hash = example.body.isEmpty ? SigV4.emptyPayloadHash : Self.sha256Hex(Array(example.body.utf8))
        let headers = signer.sign(request, payloadHash: hash, date: Self.suiteDate)
        let authorization = headers.first { $0.0 == "authorization" }?.1
        #expect(
            authorization
                == "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, SignedHeaders=\(example.signedHeaders), Signature=\(example.signature)"
        )
        #expect(headers.contains { $0.0 == "x-amz-date" && $0.1 == "20150830T123600Z" })
    }

    @Test("an S3 key is encoded once and its path is not normalized; other services normalize and encode again")
    func paths() {
        #expect(SigV4.encode("a b/ü+~*", keepSlash: true) == "a%20b/%C3%BC%2B~%2A")
        #expect(SigV4.encode("a/b") == "a%2Fb")
        #expect(SigV4.canonicalQuery([("b", "2"), ("a", "x y"), ("a", "+")]) == "a=%2B&a=x%20y&b=2")
    }

    /// A deterministic generator (SplitMix64), so a failure names a case that comes back.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Pieces of odd keys and values: spaces, reserved characters, percent signs, UTF-8 (two-,
    /// three- and four-byte), unreserved marks.
    static let pieces = [
        "a", "Z", "0", "9", " ", "  ", "+", "=", "&", "%", "%20", "/", "//", "?", "#", "~", "-", "_", ".", "!", "*", "'", "(", ")", ";", ":", "@",
        "$", ",", "[", "]", "é", "日本", "ሴ", "😀", "video.mp4", "x-amz-", "A B", "\u{7F}", "\"",
    ]

    static func text(_ random: inout Generator, pieces: Int) -> String {
        (0..<pieces).map { _ in Self.pieces.randomElement(using: &random)! }.joined()
    }

    struct Case {
        var request: SigV4.Request
        var scheme: String
        var rawKey: String
        var bucket: String
        var body: [UInt8]
        var unsigned: Bool
        var credentials: AWSCredentials
        var region: String
        var date: Date
        var expires: Int?
    }

    static func cases(count: Int) -> [Case] {
        var random = Generator(state: 20_261_130)
        var cases: [Case] = []
        for index in 0..<count {
            let bucket = ["bucket", "my-results", "a.b.c"].randomElement(using: &random)!
            let key = (0..<Int.random(in: 1...3, using: &random)).map { _ in text(&random, pieces: Int.random(in: 1...4, using: &random)) }
                .joined(separator: "/")
            let host = ["127.0.0.1:9000", "s3.eu-central-1.amazonaws.com", "localhost:4566", "minio.internal"].randomElement(using: &random)!
            let query: [(String, String)] = (0..<Int.random(in: 0...3, using: &random)).map { _ in
                (text(&random, pieces: Int.random(in: 1...3, using: &random)), text(&random, pieces: Int.random(in: 0...3, using: &random)))
            }
            var headers: [(String, String)] = []
            if Bool.random(using: &random) {
                headers.append(("Content-Type", ["video/mp4", "image/jpeg", "application/octet-stream"].randomElement(using: &random)!))
            }
            if Bool.random(using: &random) { headers.append(("x-amz-meta-Note", "  spaced   out\tvalue  ")) }
            if Bool.random(using: &random) { headers.append(("Range", "bytes=0-\(Int.random(in: 0...99_999, using: &random))")) }
            let body: [UInt8] =
                Bool.random(using: &random)
                ? [] : (0..<Int.random(in: 1...3000, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            let credentials = AWSCredentials(
                accessKeyID: "AKIA" + String(index), secretAccessKey: text(&random, pieces: 6).replacingOccurrences(of: "\u{7F}", with: "x"),
                sessionToken: Bool.random(using: &random) ? "FwoGZXIvYXdzE//token+/=\(index)" : nil)
            let date = Date(timeIntervalSince1970: Double(Int.random(in: 1_400_000_000...2_000_000_000, using: &random)))
            let presign = index % 4 == 3
            let path = "/" + bucket + "/" + SigV4.encode(key, keepSlash: true)
            cases.append(
                Case(
                    request: SigV4.Request(
                        method: presign ? "GET" : ["GET", "PUT", "HEAD", "DELETE", "POST"].randomElement(using: &random)!, host: host, path: path,
                        query: presign ? [] : query, headers: presign ? [] : headers),
                    scheme: host.hasSuffix("amazonaws.com") ? "https" : "http", rawKey: key, bucket: bucket, body: presign ? [] : body,
                    unsigned: !presign && Bool.random(using: &random), credentials: credentials,
                    region: ["us-east-1", "eu-central-1", "auto"].randomElement(using: &random)!, date: date,
                    expires: presign ? Int.random(in: 1...604_800, using: &random) : nil))
        }
        return cases
    }

    static func sha256Hex(_ bytes: [UInt8]) -> String {
        // Through the signer's own path for an empty body; otherwise Python's hashlib checks it.
        bytes.isEmpty ? SigV4.emptyPayloadHash : S3TestSupport.sha256Hex(bytes)
    }

    @Test(
        "200 generated S3 requests (odd keys, spaces, UTF-8, queries, empty, signed and unsigned bodies, session tokens, presigned URLs) sign as botocore signs them"
    )
    func againstBotocore() throws {
        let cases = Self.cases(count: 200)
        var input: [[String: Any]] = []
        for item in cases {
            var entry: [String: Any] = [
                "method": item.request.method, "scheme": item.scheme, "host": item.request.host, "path": "/\(item.bucket)/\(item.rawKey)",
                "query": item.request.query.map { [$0.0, $0.1] }, "headers": item.request.headers.map { [$0.0, $0.1] },
                "body_hex": item.body.map { String(format: "%02x", $0) }.joined(), "unsigned": item.unsigned,
                "access_key": item.credentials.accessKeyID, "secret_key": item.credentials.secretAccessKey, "region": item.region, "service": "s3",
                "timestamp": SigV4.timestamp(item.date),
            ]
            if let token = item.credentials.sessionToken { entry["token"] = token }
            if let expires = item.expires { entry["expires"] = expires }
            input.append(entry)
        }
        let output = try S3TestSupport.runPython(script: "scripts/sigv4-reference.py", input: try JSONSerialization.data(withJSONObject: input))
        let answers = try #require(try JSONSerialization.jsonObject(with: output) as? [[String: Any]])
        try #require(answers.count == cases.count)
        for (index, (item, answer)) in zip(cases, answers).enumerated() {
            let signer = SigV4(credentials: item.credentials, region: item.region)
            if let expires = item.expires {
                let url = try #require(answer["url"] as? String)
                let query = signer.presignedQuery(item.request, expires: expires, date: item.date)
                let ours = "\(item.scheme)://\(item.request.host)\(item.request.path)?\(query)"
                #expect(Self.parts(ours) == Self.parts(url), "case \(index): key \(item.rawKey.debugDescription)\nours   \(ours)\nbotocore \(url)")
            } else {
                let hash = item.unsigned ? SigV4.unsignedPayload : Self.sha256Hex(item.body)
                let headers = signer.sign(item.request, payloadHash: hash, date: item.date)
                let authorization = headers.first { $0.0 == "authorization" }?.1
                #expect(
                    authorization == answer["authorization"] as? String,
                    "case \(index): \(item.request.method) key \(item.rawKey.debugDescription) query \(item.request.query)")
                let theirs = answer["headers"] as? [String: String] ?? [:]
                #expect(headers.first { $0.0 == "x-amz-content-sha256" }?.1 == theirs["x-amz-content-sha256"], "case \(index)")
                #expect(headers.first { $0.0 == "x-amz-security-token" }?.1 == theirs["x-amz-security-token"], "case \(index)")
            }
        }
    }

    /// A URL as its path and its query's decoded pairs (order aside).
    static func parts(_ url: String) -> [String] {
        let components = URLComponents(string: url)
        return [components?.percentEncodedPath ?? ""] + (components?.queryItems ?? []).map { "\($0.name)=\($0.value ?? "")" }.sorted()
    }

    @Test("credentials come only from the environment and never print their secret")
    func credentials() {
        #expect(AWSCredentials(environment: ["AWS_ACCESS_KEY_ID": "AKIAX"]) == nil)
        let credentials = AWSCredentials(environment: ["AWS_ACCESS_KEY_ID": "AKIAX", "AWS_SECRET_ACCESS_KEY": "s3cr3t", "AWS_SESSION_TOKEN": "t0k3n"])
        #expect(credentials?.sessionToken == "t0k3n")
        let text = "\(credentials!)"
        #expect(text.contains("AKIAX") && !text.contains("s3cr3t") && !text.contains("t0k3n"))
    }
}
