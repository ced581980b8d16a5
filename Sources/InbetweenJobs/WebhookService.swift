import Foundation
import InbetweenAPI
import InbetweenWebhooks
public import Logging
public import ServiceLifecycle

/// Sends a callback: one HTTP POST, no redirects followed.
public protocol WebhookTransport: Sendable {
    /// POSTs `body` to `url` and returns the receiver's HTTP status. Throws when there is no
    /// answer (refused address, connection error, `timeout`).
    func post(url: String, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Int
}

/// How callbacks are sent.
public struct WebhookConfiguration: Sendable {
    public var schedule: RetrySchedule = .standard
    /// A receiver that has not answered after this long is cut off (and retried).
    public var timeout: Duration = .seconds(10)
    /// How often the outbox is read when no signal wakes the sender.
    public var pollInterval: Duration = .seconds(1)
    /// Deliveries in flight at once.
    public var concurrency: Int = 8

    public init() {}
}

/// Delivers the callbacks of ended jobs from the store's outbox, signed per Standard
/// Webhooks with the job's key's secret, retried on the configured schedule with the same
/// `webhook-id` each time. The outbox lives in the store, so a restart resumes deliveries.
public struct WebhookService<Store: JobStore, Transport: WebhookTransport>: Service {
    public let store: Store
    public let transport: Transport
    public let configuration: WebhookConfiguration
    /// The body for a job: the query's envelope, built by the server that knows the URLs.
    public let payload: @Sendable (JobRecord) async throws -> [UInt8]
    public let signal: JobSignal
    public let logger: Logger

    public init(
        store: Store, transport: Transport, configuration: WebhookConfiguration, signal: JobSignal, logger: Logger,
        payload: @escaping @Sendable (JobRecord) async throws -> [UInt8]
    ) {
        self.store = store
        self.transport = transport
        self.configuration = configuration
        self.payload = payload
        self.signal = signal
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                var due: [JobRecord] = []
                var events: [EventDelivery] = []
                do {
                    let lock = configuration.timeout + .seconds(30)
                    let limit = max(1, configuration.concurrency)
                    due = try await store.claimWebhooks(now: Date(), lock: lock, limit: limit)
                    events = try await store.claimEventWebhooks(now: Date(), lock: lock, limit: limit)
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("reading the callback outbox failed", metadata: ["error": "\(error)"])
                    due = []
                    events = []
                }
                if due.isEmpty && events.isEmpty {
                    await signal.wait(upTo: configuration.pollInterval)
                    continue
                }
                await withDiscardingTaskGroup { group in
                    for job in due {
                        group.addTask { await deliver(job) }
                    }
                    for delivery in events {
                        group.addTask { await deliver(delivery) }
                    }
                }
            }
        }
    }

    /// One attempt for one job's completion, and its outcome recorded.
    func deliver(_ job: JobRecord) async {
        guard let state = job.webhook, job.callbackURL != nil else { return }
        let outcome = await attempt(state, job: job, event: .completed)
        do {
            try await Task { try await store.recordWebhook(jobID: job.id, state: outcome) }.value
        } catch {
            logger.warning("recording the callback attempt failed", metadata: ["error": "\(error)", "job.id": "\(job.id)"])
        }
    }

    /// One attempt for one start or progress event, and its outcome recorded. The body is the
    /// job as it was at the event (running, at the event's progress). A progress event is not
    /// tried again once its job has ended, nor (the store sees to it) once a later one is made.
    func deliver(_ delivery: EventDelivery) async {
        var outcome = delivery.webhook
        do {
            guard let job = try await store.job(id: delivery.jobID, keyID: nil), job.callbackURL != nil else { return }
            if delivery.event == .progress, delivery.webhook.attempts > 0, job.status.isTerminal {
                outcome.state = .failed
                outcome.lastError = EventDelivery.superseded
                outcome.nextAttemptAt = nil
            } else {
                outcome = await attempt(delivery.webhook, job: delivery.snapshot(of: job), event: delivery.event)
            }
            try await Task { [outcome] in try await store.recordEventWebhook(state: outcome) }.value
        } catch {
            logger.warning("an event callback could not be sent or recorded", metadata: ["error": "\(error)", "job.id": "\(delivery.jobID)"])
        }
    }

    /// One POST of `job`'s body for `event`, signed; the delivery state after it.
    func attempt(_ current: WebhookState, job: JobRecord, event: CallbackEvent) async -> WebhookState {
        var state = current
        guard let url = job.callbackURL else { return state }
        var logger = logger
        logger[metadataKey: "job.id"] = "\(job.id)"
        logger[metadataKey: "webhook.id"] = "\(state.id)"
        logger[metadataKey: "webhook.event"] = "\(event.rawValue)"
        state.attempts += 1
        var status: Int?
        var problem: String?
        do {
            guard let key = try await store.key(id: job.keyID) else { throw DeliveryError("the job's API key no longer exists") }
            let body = try await payload(job)
            let signer = try WebhookSigner(secret: key.webhookSecret)
            let timestamp = Int(Date().timeIntervalSince1970)
            let headers = [
                ("content-type", "application/json"),
                ("webhook-id", state.id),
                ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", signer.signature(id: state.id, timestamp: timestamp, body: body)),
                ("inbetween-event", event.rawValue),
                ("user-agent", "inbetween-webhooks/1"),
            ]
            status = try await transport.post(url: url, headers: headers, body: body, timeout: configuration.timeout)
        } catch {
            problem = "\(error)"
        }
        state.lastStatus = status
        var generator = SystemRandomNumberGenerator()
        switch status {
        case (200..<300)?:
            state.state = .delivered
            state.lastError = nil
            state.nextAttemptAt = nil
        case 410?:
            state.state = .failed
            state.lastError = "the receiver answered 410 Gone; no more attempts"
            state.nextAttemptAt = nil
        default:
            state.lastError =
                problem ?? "the receiver answered HTTP \(status ?? 0)\((300..<400).contains(status ?? 0) ? " (redirects are not followed)" : "")"
            if let delay = configuration.schedule.delay(afterAttempt: state.attempts, using: &generator) {
                state.state = .retrying
                state.nextAttemptAt = Date().adding(delay)
            } else {
                state.state = .failed
                state.nextAttemptAt = nil
            }
        }
        logger.info(
            "callback attempt",
            metadata: ["webhook.attempt": "\(state.attempts)", "webhook.state": "\(state.state.rawValue)", "webhook.status": "\(status ?? 0)"])
        return state
    }
}

struct DeliveryError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
