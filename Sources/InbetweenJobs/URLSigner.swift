public import Crypto
public import Foundation

/// Signs result URLs so that each works only for its own file, until it expires:
/// HMAC-SHA256 over `"<job>/<file>/<expires>"` with a key kept in the data directory.
public struct URLSigner: Sendable {
    /// The HMAC key.
    public let key: SymmetricKey

    /// Loads the key from `file`, making a random one (mode 0600) the first time.
    public init(keyFile: URL) throws {
        if let data = try? Data(contentsOf: keyFile), data.count == 32 {
            key = SymmetricKey(data: data)
            return
        }
        var generator = SystemRandomNumberGenerator()
        let bytes = Data((0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) })
        let temporary = keyFile.appendingPathExtension("\(getpid()).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: bytes, attributes: [.posixPermissions: 0o600]) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        // link(2) fails if the file exists: when two processes start at once, both end up
        // with the key that was written first.
        defer { unlink(temporary.path) }
        if link(temporary.path, keyFile.path) != 0, let existing = try? Data(contentsOf: keyFile), existing.count == 32 {
            key = SymmetricKey(data: existing)
            return
        }
        key = SymmetricKey(data: bytes)
    }

    /// A signer with `key` (tests).
    public init(key: SymmetricKey) {
        self.key = key
    }

    /// A signer with the key `bytes` (32 bytes kept elsewhere: PostgreSQL's `shared_secrets`).
    public init(keyBytes bytes: [UInt8]) {
        self.key = SymmetricKey(data: bytes)
    }

    /// The URL-safe base64 HMAC of `<job>/<file>/<expires>`.
    public func signature(job: String, file: String, expires: Int) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(job)/\(file)/\(expires)".utf8), using: key)
        return Data(mac).base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// `<base>/files/<job>/<file>?expires=...&signature=...`
    public func url(base: String, job: String, file: String, expires: Int) -> String {
        "\(base)/files/\(job)/\(file)?expires=\(expires)&signature=\(signature(job: job, file: file, expires: expires))"
    }

    /// True when `signature` is this file's and `expires` is still ahead of `now`.
    public func verify(job: String, file: String, expires: Int, signature: String, now: Date) -> Bool {
        guard expires >= Int(now.timeIntervalSince1970) else { return false }
        let expected = Array(self.signature(job: job, file: file, expires: expires).utf8)
        let given = Array(signature.utf8)
        return given.count == expected.count && zip(given, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
