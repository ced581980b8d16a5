import Crypto
public import Foundation

/// AWS access keys: an access key id, its secret and, for temporary credentials, a session token.
/// Its `description` names the key id only, so a logged value never shows the secret.
public struct AWSCredentials: Sendable, CustomStringConvertible {
    /// The access key id (`AKIA...`).
    public let accessKeyID: String
    /// The secret access key.
    public let secretAccessKey: String
    /// The session token of temporary credentials (`X-Amz-Security-Token`), or nil.
    public let sessionToken: String?

    /// Credentials from their parts.
    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    /// The credentials in `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and (optional)
    /// `AWS_SESSION_TOKEN` of `environment`; nil when either of the first two is missing or empty.
    public init?(environment: [String: String]) {
        guard let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty, let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty
        else { return nil }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        self.init(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }

    /// `AWSCredentials(<key id>, secret hidden)`.
    public var description: String { "AWSCredentials(\(accessKeyID), secret hidden\(sessionToken == nil ? "" : ", session token hidden"))" }
}

/// AWS Signature Version 4 (`AWS4-HMAC-SHA256`), as
/// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
/// describes it: a canonical request, a string to sign over its SHA-256, and an HMAC-SHA256
/// chain keyed by the secret, date, region and service. Signs with an `Authorization` header
/// (`sign`) or in the query (`presign`, a presigned URL).
///
/// Paths and queries are taken as they go on the wire (percent-encoded, `SigV4.encode`).
/// For the service `s3` the path is signed as it is sent; for other services it is normalized
/// (`.` and `..` resolved, repeated `/` merged) and encoded once more, as the published test
/// suite and botocore do.
public struct SigV4: Sendable {
    /// The payload hash that leaves the body out of the signature (S3 only): streamed bodies and presigned URLs.
    public static let unsignedPayload = "UNSIGNED-PAYLOAD"
    /// SHA-256 of the empty body, hex.
    public static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The keys signed with.
    public let credentials: AWSCredentials
    /// The region of the credential scope (`us-east-1`).
    public let region: String
    /// The service of the credential scope (`s3`).
    public let service: String

    /// A signer for `service` in `region` with `credentials`.
    public init(credentials: AWSCredentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// A request to sign: method, host (with `:port` when it is not the scheme's default),
    /// the percent-encoded path, the query as decoded name–value pairs (encoded here), and headers.
    public struct Request: Sendable {
        /// `GET`, `PUT`, ...
        public var method: String
        /// The `Host` header's value.
        public var host: String
        /// The path as sent, percent-encoded (`/bucket/my%20key`); empty means `/`.
        public var path: String
        /// Query parameters, decoded; encoded and sorted when signed.
        public var query: [(String, String)]
        /// Headers to sign besides `host` (and those the signer adds).
        public var headers: [(String, String)]

        /// A request from its parts.
        public init(method: String, host: String, path: String, query: [(String, String)] = [], headers: [(String, String)] = []) {
            self.method = method
            self.host = host
            self.path = path
            self.query = query
            self.headers = headers
        }

        /// The query string as sent: encoded pairs joined by `&`, in canonical (sorted) order.
        public var encodedQuery: String { SigV4.canonicalQuery(query) }
    }

    /// `yyyyMMdd'T'HHmmss'Z'` in UTC.
    public static func timestamp(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02dZ", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0,
            parts.second ?? 0)
    }

    /// RFC 3986 percent-encoding as SigV4 wants it: every byte of the UTF-8 except
    /// `A-Z a-z 0-9 - . _ ~` (and `/` when `keepSlash`) becomes `%XX`, upper-case hex.
    public static func encode(_ text: String, keepSlash: Bool = false) -> String {
        var output = ""
        output.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                output.unicodeScalars.append(Unicode.Scalar(byte))
            case UInt8(ascii: "/") where keepSlash:
                output.append("/")
            default:
                output += String(format: "%%%02X", byte)
            }
        }
        return output
    }

    /// The canonical query string: each name and value encoded, sorted by name then value, joined by `&`.
    public static func canonicalQuery(_ query: [(String, String)]) -> String {
        let encoded: [(name: String, value: String)] = query.map { (encode($0.0), encode($0.1)) }
        let sorted = encoded.sorted { left, right in left.name == right.name ? left.value < right.value : left.name < right.name }
        return sorted.map { pair in pair.name + "=" + pair.value }.joined(separator: "&")
    }

    /// The canonical URI of the wire path `path`.
    func canonicalURI(_ path: String) -> String {
        let path = path.isEmpty ? "/" : path
        if service == "s3" { return path }
        // Other services: resolve `.` and `..`, merge empty segments, keep a trailing `/`, encode again.
        var segments: [Substring] = []
        for segment in path.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == "." { continue }
            if segment == ".." {
                _ = segments.popLast()
                continue
            }
            segments.append(segment)
        }
        var normalized = "/" + segments.joined(separator: "/")
        if path.hasSuffix("/") && !segments.isEmpty { normalized += "/" }
        return Self.encode(normalized, keepSlash: true)
    }

    /// Lower-cased names with trimmed values (inner runs of spaces made one), values of a
    /// repeated name joined by `,` in the order given; sorted by name.
    static func canonicalHeaders(_ headers: [(String, String)]) -> [(String, String)] {
        var byName: [String: [String]] = [:]
        for (name, value) in headers {
            let trimmed = value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }).joined(separator: " ")
            byName[name.lowercased().trimmingCharacters(in: .whitespaces), default: []].append(trimmed)
        }
        return byName.map { ($0.key, $0.value.joined(separator: ",")) }.sorted { $0.0 < $1.0 }
    }

    /// The canonical request, the signed header names (`host;x-amz-date`), for `request` whose
    /// headers already include every one to sign.
    func canonicalRequest(_ request: Request, headers: [(String, String)], payloadHash: String, query: [(String, String)]) -> (String, String) {
        let canonical = Self.canonicalHeaders(headers)
        let signed = canonical.map(\.0).joined(separator: ";")
        let text = [
            request.method.uppercased(), canonicalURI(request.path), Self.canonicalQuery(query),
            canonical.map { "\($0.0):\($0.1)\n" }.joined(), signed, payloadHash,
        ].joined(separator: "\n")
        return (text, signed)
    }

    /// `<date>/<region>/<service>/aws4_request`.
    func scope(_ stamp: String) -> String { "\(stamp.prefix(8))/\(region)/\(service)/aws4_request" }

    /// The hex signature of `canonicalRequest` at `stamp`.
    func signature(canonicalRequest: String, stamp: String) -> String {
        let hash = SHA256.hash(data: Array(canonicalRequest.utf8)).hex
        let stringToSign = "AWS4-HMAC-SHA256\n\(stamp)\n\(scope(stamp))\n\(hash)"
        var key = SymmetricKey(data: Array("AWS4\(credentials.secretAccessKey)".utf8))
        for part in [String(stamp.prefix(8)), region, service, "aws4_request"] {
            key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
        }
        return Array(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key)).hex
    }

    /// The headers to send with `request` signed at `date`: its own, `host`, `x-amz-date`,
    /// `x-amz-security-token` (with a session token), `x-amz-content-sha256` (for S3, the
    /// `payloadHash`) and `authorization`.
    /// - Parameter payloadHash: the body's SHA-256 in hex, `SigV4.emptyPayloadHash`, or
    ///   `SigV4.unsignedPayload` for a body that is streamed unsigned.
    public func sign(_ request: Request, payloadHash: String, date: Date) -> [(String, String)] {
        let stamp = Self.timestamp(date)
        var headers = request.headers.filter { !["authorization", "x-amz-date", "host"].contains($0.0.lowercased()) }
        headers.append(("host", request.host))
        headers.append(("x-amz-date", stamp))
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        if service == "s3", !headers.contains(where: { $0.0.lowercased() == "x-amz-content-sha256" }) {
            headers.append(("x-amz-content-sha256", payloadHash))
        }
        let (canonical, signed) = canonicalRequest(request, headers: headers, payloadHash: payloadHash, query: request.query)
        let signature = signature(canonicalRequest: canonical, stamp: stamp)
        headers.append(
            (
                "authorization",
                "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope(stamp)), SignedHeaders=\(signed), Signature=\(signature)"
            ))
        return headers
    }

    /// The query of a presigned `request`: its own parameters plus `X-Amz-Algorithm`,
    /// `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders` (`host` and the
    /// request's headers), `X-Amz-Security-Token` with a session token, and `X-Amz-Signature`
    /// last; encoded, ready to follow `?`. The payload is `UNSIGNED-PAYLOAD`.
    /// - Parameter expires: seconds the URL works after `date`, 1 ... 604800 (7 days, SigV4's limit).
    public func presignedQuery(_ request: Request, expires: Int, date: Date) -> String {
        let stamp = Self.timestamp(date)
        var headers = request.headers.filter { !["authorization", "host"].contains($0.0.lowercased()) }
        headers.append(("host", request.host))
        let signedNames = Self.canonicalHeaders(headers).map(\.0).joined(separator: ";")
        var query = request.query
        query.append(("X-Amz-Algorithm", "AWS4-HMAC-SHA256"))
        query.append(("X-Amz-Credential", "\(credentials.accessKeyID)/\(scope(stamp))"))
        query.append(("X-Amz-Date", stamp))
        query.append(("X-Amz-Expires", String(expires)))
        query.append(("X-Amz-SignedHeaders", signedNames))
        if let token = credentials.sessionToken { query.append(("X-Amz-Security-Token", token)) }
        let (canonical, _) = canonicalRequest(request, headers: headers, payloadHash: Self.unsignedPayload, query: query)
        return Self.canonicalQuery(query) + "&X-Amz-Signature=" + signature(canonicalRequest: canonical, stamp: stamp)
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hex.
    var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
