import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenSQLite
import InbetweenTestSupport
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The worker's side of "a cancel answered 200 wins", on a real SQLite store: a render that
/// finishes after the cancel was recorded is discarded, and a canceled render is stopped.
@Suite("Worker and cancels")
struct WorkerCancelTests {
    /// A runner whose render is canceled by the client while it runs: it records the cancel
    /// through the store, then either finishes anyway (the race a render can lose) or waits to
    /// be stopped. It remembers what it put in place and what was discarded.
    final class RacingRunner: JobRunner {
        let store: any JobStore
        let keyID: String
        let finishAnyway: Bool
        let events = Mutex<[String]>([])

        init(store: any JobStore, keyID: String, finishAnyway: Bool) {
            self.store = store
            self.keyID = keyID
            self.finishAnyway = finishAnyway
        }

        func run(_ job: JobRecord, progress: @escaping @Sendable (Int) -> Void) async throws -> JobOutput {
            events.withLock { $0.append("put \(job.id)") }
            _ = try await store.cancel(id: job.id, keyID: keyID, at: Date())
            if !finishAnyway {
                // A render that checks for cancellation between frames.
                while true { try await Task.sleep(for: .milliseconds(10)) }
            }
            return JobOutput(
                video: "\(job.id)/video.mp4", cover: "\(job.id)/cover.jpg", width: 2, height: 2, fps: 24, frames: 24, duration: 1, bytes: 1,
                engine: "test")
        }

        func discard(_ job: JobRecord) async {
            events.withLock { $0.append("discard \(job.id)") }
        }

        var all: [String] { events.withLock { $0 } }
    }

    @Test("a cancel recorded during the render wins: the job ends 4, its files are discarded, the callback says 4", arguments: [true, false])
    func cancelDuringRender(finishAnyway: Bool) async throws {
        try await TestSQLite.withStore { store in
            let key = try await StoreConformance.key(store)
            let job = try await store.create(StoreConformance.newJob(key, callback: "https://example.com/hook")).job
            let runner = RacingRunner(store: store, keyID: key.id, finishAnyway: finishAnyway)
            var configuration = WorkerConfiguration()
            configuration.pollInterval = .milliseconds(20)
            // A heartbeat far off: the signal, not the heartbeat, must stop it.
            configuration.heartbeat = .seconds(60)
            var logger = Logger(label: "test")
            logger.logLevel = .error
            let worker = WorkerService(store: store, runner: runner, configuration: configuration, signal: JobSignal(), logger: logger)
            let group = ServiceGroup(configuration: .init(services: [worker], logger: logger))
            let running = Task { try await group.run() }
            let deadline = ContinuousClock.now + .seconds(20)
            while !runner.all.contains("discard \(job.id)"), ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            await group.triggerGracefulShutdown()
            try await running.value
            #expect(runner.all == ["put \(job.id)", "discard \(job.id)"])
            let ended = try #require(try await store.job(id: job.id, keyID: nil))
            #expect(ended.status == .canceled && ended.output == nil && ended.progress < 100)
            #expect(try await store.completions()[job.id] == 0)
            #expect(ended.webhook?.state == .pending)
        }
    }
}
