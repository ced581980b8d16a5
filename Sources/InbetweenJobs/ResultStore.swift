public import Foundation

/// Where finished videos and posters live, reachable from every node: the API serves from it
/// what any worker put there. A shared directory is the first implementation; an object
/// store can follow behind the same calls. It speaks plain bytes: the HTTP edge turns them
/// into a response.
public protocol ResultStore: Sendable {
    /// Takes the finished local file `file` in as `job`'s `name`, whole or not at all.
    func put(job: String, name: String, from file: URL) async throws
    /// The stored file's size in bytes, or nil when there is none.
    func size(job: String, name: String) async throws -> Int?
    /// Copies the stored file `from`'s `name` to `to`'s, whole or not at all. False when there is none.
    func copy(from: String, to: String, name: String) async throws -> Bool
    /// A small stored file's bytes (at most `maxBytes`), or nil when there is none.
    func contents(job: String, name: String, maxBytes: Int) async throws -> [UInt8]?
    /// Removes every file of `job` (nothing when there is none).
    func remove(job: String) async throws
    /// The bytes in `range` of the stored file, in chunks read as they are consumed.
    /// - Throws: when the file cannot be opened (it went between `size` and this call).
    func read(job: String, name: String, range: ClosedRange<Int>) async throws -> AsyncThrowingStream<[UInt8], any Error>
}

/// A result store that clients download from directly, under URLs it signs itself (an
/// object store's presigned GET URLs), instead of through the API's `/files/` routes.
public protocol DirectResultLinks: Sendable {
    /// A URL for `job`'s stored `name` that works until `expires` (Unix seconds), signed at `now`.
    func link(job: String, name: String, expires: Int, now: Date) -> String
}
