import Foundation
import InbetweenJobs
import InbetweenWebhooks
import Testing

@Suite("Webhook secrets, retry schedule and signal")
struct SecretsAndScheduleTests {
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
