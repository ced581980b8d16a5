public import InbetweenJobs
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// LISTENs on `inbetween_jobs` on a connection of its own and wakes the local workers when
/// any node creates or requeues a job; and on `inbetween_cancels`, telling the local workers
/// at once which job any node canceled. Polling and heartbeats stay the fall backs: a lost
/// connection only costs pickup and stop latency until it is back.
public struct JobNotificationListener: Service {
    public let client: PostgresClient
    public let signal: JobSignal
    /// Where cancels heard go (the store's `cancellations`); nil: cancels are not listened for.
    public let cancellations: CancelSignal?
    public let logger: Logger

    public init(client: PostgresClient, signal: JobSignal, cancellations: CancelSignal? = nil, logger: Logger) {
        self.client = client
        self.signal = signal
        self.cancellations = cancellations
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await listen(on: PostgresJobStore.channel) { _ in signal.notify() } }
                if let cancellations {
                    group.addTask { await listen(on: PostgresJobStore.cancelChannel) { cancellations.notify(jobID: $0) } }
                }
            }
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
