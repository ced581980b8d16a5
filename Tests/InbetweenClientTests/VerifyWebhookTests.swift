import Foundation
import InbetweenAPI
import InbetweenClient
import InbetweenWebhooks
import Testing

@Suite("Webhook verification in the SDK")
struct VerifyWebhookTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"

    @Test("a callback signed with the key's secret gives back its job; a wrong signature, body or secret gives nothing")
    func verify() throws {
        let view = JobView(jobID: "job_abc", model: modelID, status: .succeeded, amount: "0.275", createdAt: "2026-01-01T00:00:00.000Z")
        let body = Array(try JSONEncoder().encode(Envelope(data: view)))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let timestamp = Int(now.timeIntervalSince1970)
        let signature = try WebhookSigner(secret: Self.secret).signature(id: "msg_abc", timestamp: timestamp, body: body)
        let job = InbetweenClient.verifyWebhook(
            secret: Self.secret, id: "msg_abc", timestamp: String(timestamp), signature: signature, body: body, now: now)
        #expect(job?.jobID == "job_abc" && job?.status == .succeeded && job?.amount == "0.275")
        #expect(
            InbetweenClient.verifyWebhook(
                secret: Self.secret, id: "msg_other", timestamp: String(timestamp), signature: signature, body: body, now: now)
                == nil)
        #expect(
            InbetweenClient.verifyWebhook(
                secret: Self.secret, id: "msg_abc", timestamp: String(timestamp), signature: signature, body: body + [32], now: now) == nil)
        #expect(
            InbetweenClient.verifyWebhook(
                secret: "whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", id: "msg_abc", timestamp: String(timestamp), signature: signature,
                body: body, now: now) == nil)
        // Outside the tolerance: a replay is refused.
        #expect(
            InbetweenClient.verifyWebhook(
                secret: Self.secret, id: "msg_abc", timestamp: String(timestamp), signature: signature, body: body, now: now + 3600) == nil)
    }
}
