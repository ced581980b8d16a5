public import Foundation
public import InbetweenAPI
import InbetweenWebhooks

extension InbetweenClient {
    /// Checks a callback the server sent to your receiver (Standard Webhooks): the
    /// `webhook-id`, `webhook-timestamp` and `webhook-signature` headers against the raw body,
    /// with the key's `whsec_` secret, and a timestamp within `tolerance` seconds of `now`.
    /// Returns the job the callback carries, or nil when the signature does not hold.
    public static func verifyWebhook(
        secret: String, id: String, timestamp: String, signature: String, body: [UInt8], now: Date = Date(), tolerance: Int = 300
    ) -> JobView? {
        guard let signer = try? WebhookSigner(secret: secret),
            signer.verify(id: id, timestamp: timestamp, signatures: signature, body: body, now: now, tolerance: tolerance)
        else { return nil }
        return (try? JSONDecoder().decode(Envelope<JobView>.self, from: Data(body)))?.data
    }
}
