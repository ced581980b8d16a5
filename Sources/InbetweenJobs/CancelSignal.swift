import Foundation
import Synchronization

/// Tells a worker at once that its job was canceled, so a render stops within a frame of the
/// cancel instead of at the next heartbeat. A store notifies it when it records a cancel (the
/// SQLite and in-memory stores in process; the PostgreSQL store through `NOTIFY`, heard by
/// every node's listener). The heartbeat stays as the fall back: a missed signal only costs
/// one heartbeat interval, and the store refuses the canceled job's completion either way.
public final class CancelSignal: Sendable {
    private struct State {
        var waiters: [String: [UInt64: CheckedContinuation<Void, Never>]] = [:]
        /// Jobs canceled recently, for a worker that starts waiting after the signal came
        /// (a cancel that raced the claim); forgotten after `memory`.
        var recent: [String: ContinuousClock.Instant] = [:]
        var next: UInt64 = 0
    }

    private let state = Mutex(State())
    /// How long a cancel is remembered for a waiter that comes late.
    private let memory: Duration

    /// - Parameter memory: how long a cancel is remembered for a worker that starts waiting
    ///   on the job after it came.
    public init(memory: Duration = .seconds(60)) {
        self.memory = memory
    }

    /// Job `jobID` was canceled: wakes whoever waits on it.
    public func notify(jobID: String) {
        let now = ContinuousClock.now
        let waiters = state.withLock { state in
            state.recent = state.recent.filter { now - $0.value < memory }
            state.recent[jobID] = now
            return state.waiters.removeValue(forKey: jobID).map { Array($0.values) } ?? []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns when job `jobID` is canceled (at once if it was, within `memory`), or when the
    /// task is cancelled.
    public func wait(jobID: String) async {
        let id = state.withLock { state -> UInt64 in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    if let when = state.recent[jobID], ContinuousClock.now - when < memory { return true }
                    state.waiters[jobID, default: [:]][id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                let waiter = state.waiters[jobID]?.removeValue(forKey: id)
                if state.waiters[jobID]?.isEmpty == true { state.waiters[jobID] = nil }
                return waiter
            }
            waiter?.resume()
        }
    }
}
