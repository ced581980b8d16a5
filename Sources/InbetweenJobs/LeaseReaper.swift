import Foundation
public import Logging
public import ServiceLifecycle

/// Puts back the jobs of workers that died (their lease ran out): re-queued, or failed once
/// every attempt is spent. Runs at start-up and then every `interval`.
public struct LeaseReaper<Store: JobStore>: Service {
    public let store: Store
    public let interval: Duration
    public let signal: JobSignal
    public let logger: Logger

    public init(store: Store, interval: Duration, signal: JobSignal, logger: Logger) {
        self.store = store
        self.interval = interval
        self.signal = signal
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let expired = try await store.expireLeases(now: Date())
                    if !expired.isEmpty {
                        logger.warning("leases expired; jobs re-queued or failed", metadata: ["job.ids": "\(expired.joined(separator: ","))"])
                        signal.notify()
                    }
                } catch {
                    if Task.isCancelled { break }
                    logger.warning("lease sweep failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: interval)
            }
        }
    }
}
