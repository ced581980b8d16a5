public import Foundation
import InbetweenAPI
public import InbetweenJobs
import Synchronization

/// Results in a directory (`<data-dir>/results/<job>/<name>`), shared by the nodes through
/// the file system (NFS, a mounted volume). Files arrive by rename, so a reader never sees
/// half of one.
public struct DirectoryResultStore: ResultStore {
    /// The directory every job's files live under.
    public let root: URL

    /// Opens (creating it, mode 0700, if needed) the directory `root`.
    public init(root: URL) throws {
        self.root = root
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    func path(job: String, name: String) -> String {
        root.appendingPathComponent(job, isDirectory: true).appendingPathComponent(name).path
    }

    public func put(job: String, name: String, from file: URL) async throws {
        try place(file, job: job, name: name)
    }

    public func copy(from: String, to: String, name: String) async throws -> Bool {
        let source = URL(fileURLWithPath: path(job: from, name: name))
        guard FileManager.default.fileExists(atPath: source.path) else { return false }
        try place(source, job: to, name: name)
        return true
    }

    public func contents(job: String, name: String, maxBytes: Int) async throws -> [UInt8]? {
        guard let handle = FileHandle(forReadingAtPath: path(job: job, name: name)) else { return nil }
        defer { try? handle.close() }
        return try handle.read(upToCount: maxBytes).map { Array($0) } ?? []
    }

    private func place(_ file: URL, job: String, name: String) throws {
        let directory = root.appendingPathComponent(job, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // Copy beside the target first (the source may be on another file system), then rename.
        let staging = directory.appendingPathComponent(".\(name).\(UUID().uuidString)")
        do {
            try FileManager.default.copyItem(at: file, to: staging)
        } catch {
            // A full disk leaves half a copy: it goes, and the job fails saying why.
            try? FileManager.default.removeItem(at: staging)
            let reason = Self.isOutOfSpace(error) ? "the disk is full" : "\(error)"
            throw JobFailure(
                code: APIError.Code.unavailable.rawValue, message: "the result store could not take \(name): \(reason). Submit the job again later.")
        }
        guard rename(staging.path, path(job: job, name: name)) == 0 else {
            try? FileManager.default.removeItem(at: staging)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path(job: job, name: name)])
        }
    }

    public func remove(job: String) async throws {
        let directory = root.appendingPathComponent(job, isDirectory: true)
        guard FileManager.default.fileExists(atPath: directory.path) else { return }
        try FileManager.default.removeItem(at: directory)
    }

    public func size(job: String, name: String) async throws -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path(job: job, name: name)))?[.size].flatMap { ($0 as? NSNumber)?.intValue }
    }

    public func read(job: String, name: String, range: ClosedRange<Int>) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        let path = path(job: job, name: name)
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: path])
        }
        try handle.seek(toOffset: UInt64(range.lowerBound))
        let reader = ChunkReader(handle: handle, remaining: range.count)
        return AsyncThrowingStream(unfolding: { try reader.next() })
    }

    static func isOutOfSpace(_ error: any Error) -> Bool {
        if let cocoa = error as? CocoaError, cocoa.code == .fileWriteOutOfSpace { return true }
        if let posix = error as? POSIXError, posix.code == .ENOSPC { return true }
        let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
        return underlying?.domain == NSPOSIXErrorDomain && underlying?.code == Int(ENOSPC) || "\(error)".contains("No space left")
    }
}

/// Reads a file's range in chunks, one per call, and closes it at the end.
final class ChunkReader: Sendable {
    static let chunkSize = 128 * 1024

    private struct State {
        var handle: FileHandle?
        var remaining: Int
    }

    private let state: Mutex<State>

    init(handle: FileHandle, remaining: Int) {
        state = Mutex(State(handle: handle, remaining: remaining))
    }

    /// The next chunk, or nil at the end of the range.
    func next() throws -> [UInt8]? {
        try state.withLock { state -> [UInt8]? in
            guard let handle = state.handle else { return nil }
            guard state.remaining > 0, let data = try handle.read(upToCount: min(Self.chunkSize, state.remaining)), !data.isEmpty else {
                try? handle.close()
                state.handle = nil
                return nil
            }
            state.remaining -= data.count
            return Array(data)
        }
    }
}
