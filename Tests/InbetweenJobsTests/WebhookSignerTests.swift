import Foundation
import InbetweenJobs
import InbetweenWebhooks
import Testing

@Suite("Standard Webhooks signing and retry schedule")
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

    @Test("a new secret has the whsec_ form and 32 random bytes; a malformed one is refused")
    func secrets() throws {
        let secret = Secrets.newWebhookSecret()
        #expect(secret.hasPrefix("whsec_"))
        #expect(Data(base64Encoded: String(secret.dropFirst(6)))?.count == 32)
        #expect(Secrets.newWebhookSecret() != secret)
        #expect(throws: WebhookSigner.InvalidSecret.self) { try WebhookSigner(secret: "whsec_!!!") }
    }

    @Test("retry delays follow the schedule within the jitter, and end after the last")
    func schedule() throws {
        let schedule = try #require(RetrySchedule(parsing: "1,2,4", jitter: 0.1))
        var generator = SystemRandomNumberGenerator()
        for (attempt, base) in [(1, 1.0), (2, 2.0), (3, 4.0)] {
            let delay = try #require(schedule.delay(afterAttempt: attempt, using: &generator))
            let seconds = Double(delay.components.seconds) + Double(delay.components.attoseconds) * 1e-18
            #expect(seconds >= base * 0.9 - 1e-9 && seconds <= base * 1.1 + 1e-9)
        }
        #expect(schedule.delay(afterAttempt: 4, using: &generator) == nil)
        #expect(RetrySchedule(parsing: "1,x") == nil)
        #expect(RetrySchedule(parsing: "-1") == nil)
    }

    @Test("a signal wakes a waiter long before its timeout")
    func signalWakes() async {
        let signal = JobSignal()
        let clock = ContinuousClock()
        let began = clock.now
        async let waited: Void = signal.wait(upTo: .seconds(120))
        try? await Task.sleep(for: .milliseconds(50))
        signal.notify()
        await waited
        // Generous: the suite runs beside renders on two cores; without the signal it is 120 s.
        #expect(clock.now - began < .seconds(30))
    }
}
