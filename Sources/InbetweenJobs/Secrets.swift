import Crypto
import Foundation

/// Random identifiers and secrets, and the one-way hash keys are stored under.
public enum Secrets {
    /// Crockford's base32 alphabet, lowercase: no i, l, o, u to misread.
    private static let alphabet = Array("0123456789abcdefghjkmnpqrstvwxyz")

    /// `count` random base32 characters (5 bits each) from the system's CSPRNG.
    public static func randomToken(_ count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<count).map { _ in alphabet[Int(generator.next() % 32)] })
    }

    /// A job id: `job_` and 26 random characters (130 bits), opaque and unguessable.
    public static func newJobID() -> String { "job_" + randomToken(26) }

    /// A new API key: `ib_` and 40 random characters (200 bits). Shown once, stored hashed.
    public static func newAPIKey() -> String { "ib_" + randomToken(40) }

    /// A Standard Webhooks secret: `whsec_` and base64 of 32 random bytes.
    public static func newWebhookSecret() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return "whsec_" + Data(bytes).base64EncodedString()
    }

    /// Hex SHA-256 of `text`'s UTF-8.
    public static func sha256(_ text: String) -> String {
        sha256(Array(text.utf8))
    }

    /// Hex SHA-256 of `bytes`.
    public static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }
}
