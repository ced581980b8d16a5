/// Renders one claimed job: the seam between the queue and an engine.
public protocol JobRunner: Sendable {
    /// Makes the job's output, reporting progress (0–100). Throws `JobFailure` or `APIError`
    /// for a failure the user can act on; anything else is reported as an internal error.
    /// Must stop promptly (throwing) when the task is cancelled.
    func run(_ job: JobRecord, progress: @escaping @Sendable (Int) -> Void) async throws -> JobOutput
    /// Removes whatever `run` put in place for the job (its result files), when the job was
    /// canceled before or while it finished. Never throws: a file that cannot go is logged.
    func discard(_ job: JobRecord) async
}
