import Foundation
import Synchronization

/// Wakes sleeping loops when there is new work (a job created, a callback due), so pickup
/// does not wait for the next poll. Polling stays as the fall back: a missed signal only
/// costs one poll interval.
public final class JobSignal: Sendable {
    private struct State {
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var next: UInt64 = 0
        /// Set by a notify with nobody waiting, consumed by the next wait.
        var pending = false
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes every waiter (or the next one, if none waits now).
    public func notify() {
        let waiters = state.withLock { state in
            let waiters = Array(state.waiters.values)
            state.waiters.removeAll()
            if waiters.isEmpty { state.pending = true }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns on a notify, after `timeout`, or when the task is cancelled.
    public func wait(upTo timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { try? await Task.sleep(for: timeout) }
            group.addTask { await self.waitForNotify() }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForNotify() async {
        let id = state.withLock { state -> UInt64 in
            state.next += 1
            return state.next
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if Task.isCancelled { return true }
                    if state.pending {
                        state.pending = false
                        return true
                    }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
            waiter?.resume()
        }
    }
}
