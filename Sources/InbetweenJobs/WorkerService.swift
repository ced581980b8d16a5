import Foundation
import InbetweenAPI
public import Logging
import Metrics
public import ServiceLifecycle
import Synchronization

/// How workers claim and hold jobs.
public struct WorkerConfiguration: Sendable {
    /// Jobs rendered at once by this process (each render already uses every core).
    public var concurrency: Int = 1
    /// How long a claim holds without a heartbeat; a dead worker's job is re-run after it.
    public var lease: Duration = .seconds(30)
    /// How often a running job renews its lease, records progress and looks for a cancel.
    public var heartbeat: Duration = .seconds(2)
    /// How often an idle worker looks for work when no signal wakes it.
    public var pollInterval: Duration = .seconds(1)
    /// How often a render's progress is told to live streams between heartbeats (through the
    /// store: on PostgreSQL, every node's streams hear it).
    public var liveProgressInterval: Duration = .milliseconds(250)
    /// Where each heartbeat's delay goes besides the `inbetween_heartbeat_delay_seconds`
    /// metric (a test or a measurement reads them); nil: the metric only.
    public var heartbeatDelays: HeartbeatDelays?

    public init() {}
}

/// Every heartbeat's delay: how long after it was due its lease was renewed in the store
/// (waiting for a thread, for the database, for anything). The lease must outlast the worst.
public final class HeartbeatDelays: Sendable {
    private let delays = Mutex<[Duration]>([])

    public init() {}

    func record(_ delay: Duration) { delays.withLock { $0.append(delay) } }

    /// The delays recorded so far, in order.
    public var all: [Duration] { delays.withLock { $0 } }
}

/// Claims queued jobs and renders them through a `JobRunner`: a `Service` whose slots run
/// until graceful shutdown, when running renders are stopped and their jobs released
/// (back to the queue, the attempt refunded) for another worker or the next start.
public struct WorkerService<Store: JobStore, Runner: JobRunner>: Service {
    public let store: Store
    public let runner: Runner
    public let configuration: WorkerConfiguration
    public let signal: JobSignal
    public let logger: Logger

    public init(store: Store, runner: Runner, configuration: WorkerConfiguration, signal: JobSignal, logger: Logger) {
        self.store = store
        self.runner = runner
        self.configuration = configuration
        self.signal = signal
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for slot in 0..<max(1, configuration.concurrency) {
                    group.addTask { await loop(slot: slot) }
                }
            }
        }
        logger.info("workers stopped")
    }

    private func loop(slot: Int) async {
        var logger = logger
        logger[metadataKey: "worker.slot"] = "\(slot)"
        while !Task.isCancelled {
            let job: JobRecord?
            do {
                job = try await store.claim(now: Date(), lease: configuration.lease)
            } catch {
                if Task.isCancelled { break }
                logger.warning("claim failed; retrying", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: configuration.pollInterval)
                continue
            }
            guard let job else {
                await signal.wait(upTo: configuration.pollInterval)
                continue
            }
            await execute(job, logger: logger)
        }
    }

    private enum Ending: Sendable {
        case output(JobOutput)
        case failure(JobFailure)
        case canceledByClient
        case leaseLost
    }

    private func execute(_ job: JobRecord, logger parent: Logger) async {
        var logger = parent
        logger[metadataKey: "job.id"] = "\(job.id)"
        logger[metadataKey: "job.attempt"] = "\(job.lifecycle.attempts)"
        let token = job.lifecycle.leaseToken
        logger.info("job started")
        let progress = ProgressBox()
        let began = ContinuousClock.now
        let store = store
        let runner = runner
        let configuration = configuration
        let jobLogger = logger

        let ending: Ending? = await withTaskGroup(of: Ending?.self) { group in
            group.addTask {
                do {
                    return .output(try await runner.run(job) { value in progress.raise(to: value) })
                } catch {
                    if Task.isCancelled { return nil }
                    return .failure(JobFailure.describing(error))
                }
            }
            group.addTask {
                // Live streams see progress between heartbeats.
                var published = 0
                while true {
                    do { try await Task.sleep(for: configuration.liveProgressInterval) } catch { return nil }
                    let value = progress.value
                    guard value > published else { continue }
                    published = value
                    try? await store.publishProgress(jobID: job.id, progress: value)
                }
            }
            group.addTask {
                // The store says at once when the job is canceled; the heartbeat is the fall back.
                await store.cancellations.wait(jobID: job.id)
                return Task.isCancelled ? nil : .canceledByClient
            }
            group.addTask {
                let clock = ContinuousClock()
                var due = clock.now
                while true {
                    due = due.advanced(by: configuration.heartbeat)
                    do { try await clock.sleep(until: due) } catch { return nil }
                    let value = progress.value
                    do {
                        let answer = try await store.heartbeat(id: job.id, token: token, progress: value, now: Date(), lease: configuration.lease)
                        let delay = clock.now - due
                        Metrics.Timer(label: "inbetween_heartbeat_delay_seconds").recordSeconds(delay.inSecondsValue)
                        configuration.heartbeatDelays?.record(delay)
                        // A heartbeat that came late does not make the next ones come in a burst.
                        if clock.now > due { due = clock.now }
                        switch answer {
                        case nil: return .leaseLost
                        case true?: return .canceledByClient
                        case false?: continue
                        }
                    } catch {
                        if Task.isCancelled { return nil }
                        jobLogger.warning("heartbeat failed", metadata: ["error": "\(error)"])
                    }
                }
            }
            var ending: Ending?
            for await result in group {
                if let result {
                    ending = result
                    break
                }
            }
            group.cancelAll()
            return ending
        }

        let seconds = (ContinuousClock.now - began).inSecondsValue
        /// Writes the outcome in a fresh task, which shutdown's cancellation does not reach.
        func record(_ event: JobLifecycle.Event, output: JobOutput? = nil, failure: JobFailure? = nil) async -> Bool {
            await Task {
                (try? await store.finish(id: job.id, token: token, event: event, output: output, failure: failure, now: Date())) ?? false
            }.value
        }
        switch ending {
        case .output(let output)?:
            Metrics.Timer(label: "inbetween_render_seconds").recordSeconds(seconds)
            let written = await record(.succeed(token: token), output: output)
            if !written, (try? await store.job(id: job.id, keyID: nil))?.status == .canceled {
                // The render finished after a cancel was recorded: the cancel wins, and the
                // files this render put in place go (a canceled job never has a result).
                await runner.discard(job)
                logger.info("job canceled; its finished render lost the race and was discarded")
                Counter(label: "inbetween_jobs_finished_total", dimensions: [("outcome", "canceled")]).increment()
                return
            }
            logger.info("job succeeded", metadata: ["job.seconds": "\(seconds)", "job.recorded": "\(written)"])
        case .failure(let failure)?:
            let written = await record(.fail(token: token), failure: failure)
            logger.info("job failed", metadata: ["job.error": "\(failure.message)", "job.recorded": "\(written)"])
        case .canceledByClient?:
            // The store recorded the end when the cancel came (a row from before that rule
            // is ended here); whatever the stopped render had put in place goes.
            let written = await record(.stopForCancel(token: token))
            await runner.discard(job)
            logger.info("job canceled; its render stopped", metadata: ["job.recorded": "\(written)", "job.seconds": "\(seconds)"])
        case .leaseLost?:
            logger.warning("lease lost; the job belongs to another worker now, this render is dropped")
            return
        case nil:
            let written = await record(.release(token: token))
            logger.info("job released at shutdown", metadata: ["job.recorded": "\(written)"])
        }
        Counter(label: "inbetween_jobs_finished_total", dimensions: [("outcome", Self.outcomeName(ending))]).increment()
    }

    private static func outcomeName(_ ending: Ending?) -> String {
        switch ending {
        case .output?: "succeeded"
        case .failure?: "failed"
        case .canceledByClient?: "canceled"
        case .leaseLost?: "lease_lost"
        case nil: "released"
        }
    }

}

extension Duration {
    /// Seconds as a Double.
    var inSecondsValue: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) * 1e-18
    }
}

/// The latest progress of a render, shared with its heartbeat.
final class ProgressBox: Sendable {
    private let state = Mutex(0)

    var value: Int { state.withLock { $0 } }

    func raise(to value: Int) {
        state.withLock { $0 = max($0, JobLifecycle.heartbeatProgress(value)) }
    }
}
