import Foundation
import Synchronization

/// Tells this process's live streams (`GET /api/v1/job/stream`) that a job changed, so they
/// read it again instead of polling. A store notifies it after each write that changes what a
/// query shows (the SQLite and in-memory stores in process; the PostgreSQL store through
/// `NOTIFY inbetween_changes`, heard by every node's listener), and a worker's render reports
/// its progress through it between heartbeats. A missed notification costs at most one
/// heartbeat comment's interval: a stream reads its job again then.
public final class JobChanges: Sendable {
    private struct Watcher {
        var jobID: String
        /// Also woken when any job enters or leaves the queue (its position may move).
        var queue: Bool
        var pending = false
        var continuation: CheckedContinuation<Void, Never>?
    }

    private struct State {
        var watchers: [UInt64: Watcher] = [:]
        var next: UInt64 = 0
        /// The latest progress a render reported, by job, while streams watch it.
        var progress: [String: Int] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    /// Job `jobID` changed.
    public func notify(jobID: String) {
        wake { $0.jobID == jobID }
    }

    /// Jobs entered or left the queue: every queued job's position may have moved.
    public func notifyQueue() {
        wake { $0.queue }
    }

    /// A render of `jobID` reached `progress` (0–99), before its next heartbeat records it.
    public func notify(jobID: String, progress: Int) {
        let watched = state.withLock { state -> Bool in
            guard state.watchers.values.contains(where: { $0.jobID == jobID }) else { return false }
            state.progress[jobID] = max(state.progress[jobID] ?? 0, progress)
            return true
        }
        if watched { notify(jobID: jobID) }
    }

    /// Whether any stream watches `jobID` (a worker reports live progress only then).
    public func isWatched(_ jobID: String) -> Bool {
        state.withLock { $0.watchers.values.contains { $0.jobID == jobID } }
    }

    /// The latest live progress heard for `jobID`, if any.
    public func liveProgress(_ jobID: String) -> Int? {
        state.withLock { $0.progress[jobID] }
    }

    private func wake(_ matches: (Watcher) -> Bool) {
        let continuations = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            var woken: [CheckedContinuation<Void, Never>] = []
            for (id, watcher) in state.watchers where matches(watcher) {
                state.watchers[id]?.pending = true
                if let continuation = watcher.continuation {
                    woken.append(continuation)
                    state.watchers[id]?.continuation = nil
                }
            }
            return woken
        }
        for continuation in continuations { continuation.resume() }
    }

    /// Starts watching `jobID`; changes from now on are kept for the next `wait`. Call
    /// `Subscription.cancel()` when done.
    public func subscribe(jobID: String) -> Subscription {
        let id = state.withLock { state -> UInt64 in
            state.next += 1
            state.watchers[state.next] = Watcher(jobID: jobID, queue: false)
            return state.next
        }
        return Subscription(changes: self, id: id)
    }

    /// One stream's watch on one job.
    public final class Subscription: Sendable {
        let changes: JobChanges
        let id: UInt64

        init(changes: JobChanges, id: UInt64) {
            self.changes = changes
            self.id = id
        }

        /// Whether queue moves wake this watch too (while the job is queued).
        public func watchQueue(_ queue: Bool) {
            changes.state.withLock { $0.watchers[id]?.queue = queue }
        }

        /// Returns true at the first change since the last call (at once if one came
        /// meanwhile), false after `timeout` without one or when the task is cancelled.
        public func wait(upTo timeout: Duration) async -> Bool {
            await withTaskGroup(of: Bool.self) { group in
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return false
                }
                group.addTask { await self.waitForChange() }
                let first = await group.next() ?? false
                group.cancelAll()
                // The loser of the race: a change it consumed is not lost, it is in `first` or pending.
                return first || self.takePending()
            }
        }

        private func takePending() -> Bool {
            changes.state.withLock { state in
                guard state.watchers[id]?.pending == true else { return false }
                state.watchers[id]?.pending = false
                return true
            }
        }

        private func waitForChange() async -> Bool {
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let now = changes.state.withLock { state -> Bool in
                        if Task.isCancelled { return true }
                        // Cancelled watch: nothing will wake it.
                        guard let watcher = state.watchers[id] else { return true }
                        if watcher.pending { return true }
                        state.watchers[id]?.continuation = continuation
                        return false
                    }
                    if now { continuation.resume() }
                }
                return takePending()
            } onCancel: {
                let continuation = changes.state.withLock { state -> CheckedContinuation<Void, Never>? in
                    let continuation = state.watchers[id]?.continuation
                    state.watchers[id]?.continuation = nil
                    return continuation
                }
                continuation?.resume()
            }
        }

        /// Stops watching; a `wait` in progress (or a later one) returns at once.
        public func cancel() {
            let continuation = changes.state.withLock { state -> CheckedContinuation<Void, Never>? in
                let watcher = state.watchers.removeValue(forKey: id)
                if let jobID = watcher?.jobID, !state.watchers.values.contains(where: { $0.jobID == jobID }) {
                    state.progress[jobID] = nil
                }
                return watcher?.continuation
            }
            continuation?.resume()
        }
    }
}
