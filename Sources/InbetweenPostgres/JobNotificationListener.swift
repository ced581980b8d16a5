public import InbetweenJobs
public import Logging
public import PostgresNIO
public import ServiceLifecycle

/// LISTENs on `inbetween_jobs` on a connection of its own and wakes the local workers when
/// any node creates or requeues a job. Polling stays the fall back: a lost connection only
/// costs pickup latency until it is back.
public struct JobNotificationListener: Service {
    public let client: PostgresClient
    public let signal: JobSignal
    public let logger: Logger

    public init(client: PostgresClient, signal: JobSignal, logger: Logger) {
        self.client = client
        self.signal = signal
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await client.withConnection { connection in
                        try await connection.listen(on: PostgresJobStore.channel) { notifications in
                            for try await _ in notifications { signal.notify() }
                        }
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("LISTEN connection lost; polling until it is back", metadata: ["error": "\(String(reflecting: error))"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}
