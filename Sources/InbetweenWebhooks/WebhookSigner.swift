import Crypto
public import Foundation

/// Standard Webhooks signatures (https://www.standardwebhooks.com): `v1,` and base64 of
/// HMAC-SHA256 over `"{webhook-id}.{webhook-timestamp}.{body}"`, keyed with the base64
/// bytes after `whsec_`.
public struct WebhookSigner: Sendable {
    let key: SymmetricKey

    /// - Throws: `WebhookSigner.InvalidSecret` when `secret` is not `whsec_` + base64.
    public init(secret: String) throws {
        let encoded = secret.hasPrefix("whsec_") ? String(secret.dropFirst(6)) : secret
        guard let bytes = Data(base64Encoded: encoded), !bytes.isEmpty else { throw InvalidSecret() }
        key = SymmetricKey(data: bytes)
    }

    public struct InvalidSecret: Error {}

    /// The `webhook-signature` value for one message.
    public func signature(id: String, timestamp: Int, body: [UInt8]) -> String {
        var message = Array("\(id).\(timestamp).".utf8)
        message.append(contentsOf: body)
        let mac = HMAC<SHA256>.authenticationCode(for: message, using: key)
        return "v1," + Data(mac).base64EncodedString()
    }

    /// Checks a received message: one of the space-separated `v1,` signatures must match,
    /// and the timestamp must be within `tolerance` seconds of `now`.
    public func verify(id: String, timestamp: String, signatures: String, body: [UInt8], now: Date = Date(), tolerance: Int = 300) -> Bool {
        guard let seconds = Int(timestamp), abs(Int(now.timeIntervalSince1970) - seconds) <= tolerance else { return false }
        let expected = Array(signature(id: id, timestamp: seconds, body: body).utf8)
        return signatures.split(separator: " ").contains { candidate in
            let bytes = Array(candidate.utf8)
            // Constant time over equal lengths.
            return bytes.count == expected.count && zip(bytes, expected).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
        }
    }
}
