public import InbetweenJobs
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// LISTENs on `inbetween_jobs` on a connection of its own and wakes the local workers when
/// any node creates or requeues a job; and on `inbetween_cancels`, telling the local workers
/// at once which job any node canceled; and on `inbetween_changes`, telling live streams which
/// job any node changed. Polling and heartbeats stay the fall backs: a lost
/// connection only costs pickup and stop latency until it is back.
public struct JobNotificationListener: Service {
    public let client: PostgresClient
    public let signal: JobSignal
    /// Where cancels heard go (the store's `cancellations`); nil: cancels are not listened for.
    public let cancellations: CancelSignal?
    /// Where changes heard go (the store's `changes`), for live streams; nil: not listened for.
    public let changes: JobChanges?
    public let logger: Logger

    public init(client: PostgresClient, signal: JobSignal, cancellations: CancelSignal? = nil, changes: JobChanges? = nil, logger: Logger) {
        self.client = client
        self.signal = signal
        self.cancellations = cancellations
        self.changes = changes
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await listen(on: PostgresJobStore.channel) { _ in signal.notify() } }
                if let cancellations {
                    group.addTask { await listen(on: PostgresJobStore.cancelChannel) { cancellations.notify(jobID: $0) } }
                }
                if let changes {
                    group.addTask { await listen(on: PostgresJobStore.changesChannel) { Self.forward($0, to: changes) } }
                }
            }
        }
    }

    /// `*`, `<job id>` or `<job id> <progress>` to `changes`.
    static func forward(_ payload: String, to changes: JobChanges) {
        if payload == "*" { return changes.notifyQueue() }
        let parts = payload.split(separator: " ", maxSplits: 1)
        if parts.count == 2, let progress = Int(parts[1]) {
            changes.notify(jobID: String(parts[0]), progress: progress)
        } else {
            changes.notify(jobID: payload)
        }
    }

    /// Hands each notification's payload on `channel` to `handle` until cancelled, reconnecting.
    private func listen(on channel: String, _ handle: @escaping @Sendable (String) -> Void) async {
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        for try await notification in notifications { handle(notification.payload) }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning(
                    "LISTEN connection lost; polling until it is back", metadata: ["channel": "\(channel)", "error": "\(String(reflecting: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
