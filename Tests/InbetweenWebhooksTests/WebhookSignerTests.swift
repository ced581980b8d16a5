import Foundation
import InbetweenWebhooks
import Testing

@Suite("Standard Webhooks signing")
struct WebhookSignerTests {
    /// The example from the Standard Webhooks specification (also in Svix's libraries).
    @Test("signs the specification's example to its published signature")
    func specificationVector() throws {
        let signer = try WebhookSigner(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
        let body = Array(#"{"test": 2432232314}"#.utf8)
        let signature = signer.signature(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: body)
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        let now = Date(timeIntervalSince1970: 1_614_265_330)
        #expect(signer.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: "v1,bogus " + signature, body: body, now: now))
        #expect(!signer.verify(id: "msg_other", timestamp: "1614265330", signatures: signature, body: body, now: now))
        #expect(!signer.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: signature, body: body + [32], now: now))
        // Too old: a replay outside the tolerance is refused.
        #expect(!signer.verify(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: "1614265330", signatures: signature, body: body, now: now + 3600))
    }
}
