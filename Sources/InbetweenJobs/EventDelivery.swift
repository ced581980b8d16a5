public import Foundation
public import InbetweenAPI

/// One `start` or `progress` callback of a job (`callback_events`), delivered on its own with
/// its own `webhook-id`, signed and retried like the completion. The completion itself stays
/// the job's `webhook`.
public struct EventDelivery: Sendable, Hashable {
    public var jobID: String
    public var event: CallbackEvent
    /// The job's progress (0–99) when the event happened: the body shows it.
    public var progress: Int
    public var createdAt: Date
    /// Its delivery: `webhook-id`, attempts, next attempt.
    public var webhook: WebhookState

    public init(jobID: String, event: CallbackEvent, progress: Int, createdAt: Date, webhook: WebhookState) {
        self.jobID = jobID
        self.event = event
        self.progress = progress
        self.createdAt = createdAt
        self.webhook = webhook
    }

    /// Progress events are made at most this often per job.
    public static let progressInterval: Duration = .seconds(1)

    /// Why an earlier progress event is not tried again: a later one (or the job's end) says more.
    public static let superseded = "superseded by a later event; progress events are not retried past the next one"

    /// A new event of `job`, due at `now`.
    public static func new(jobID: String, event: CallbackEvent, progress: Int, now: Date) -> EventDelivery {
        EventDelivery(
            jobID: jobID, event: event, progress: progress, createdAt: now,
            webhook: WebhookState(state: .pending, id: "msg_" + Secrets.randomToken(26), nextAttemptAt: now))
    }

    /// Whether a heartbeat that moved progress from `old` to `new` at `now` makes a progress
    /// event, for a job that asked for `events`, the last progress event made at `last`.
    public static func progressDue(events: Set<CallbackEvent>, old: Int, new: Int, last: Date?, now: Date) -> Bool {
        guard events.contains(.progress), new > old else { return false }
        guard let last else { return true }
        return now.timeIntervalSince(last) >= 1
    }

    /// `events` as a store keeps them: `start,progress,completed` (in that order).
    public static func encode(_ events: Set<CallbackEvent>) -> String {
        CallbackEvent.allCases.filter(events.contains).map(\.rawValue).joined(separator: ",")
    }

    /// A stored list back; nil (a row from before the column) is the default, completion only.
    public static func decode(_ text: String?) -> Set<CallbackEvent> {
        guard let text else { return [.completed] }
        return Set(text.split(separator: ",").compactMap { CallbackEvent(rawValue: String($0)) })
    }

    /// The job as it was at this event, for the body: running, at the event's progress, with
    /// nothing of its end.
    public func snapshot(of job: JobRecord) -> JobRecord {
        var job = job
        job.lifecycle.status = .running
        job.progress = progress
        job.finishedAt = nil
        job.failure = nil
        job.output = nil
        job.webhook = nil
        return job
    }
}
