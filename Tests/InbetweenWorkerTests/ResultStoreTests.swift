import Foundation
import InbetweenJobs
import InbetweenWorker
import Testing

@Suite("Directory result store")
struct ResultStoreTests {
    static func store() throws -> DirectoryResultStore {
        try DirectoryResultStore(root: FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-results-\(UUID().uuidString)"))
    }

    static func collect(_ chunks: AsyncThrowingStream<[UInt8], any Error>) async throws -> [UInt8] {
        var bytes: [UInt8] = []
        for try await chunk in chunks { bytes += chunk }
        return bytes
    }

    @Test("a file goes in whole, its size and any range of its bytes come back, copies are whole")
    func putReadCopy() async throws {
        let store = try Self.store()
        // Larger than one chunk, so a range spans several reads.
        let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-file-\(UUID().uuidString)")
        try Data(bytes).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        try await store.put(job: "job_a", name: "video.mp4", from: file)
        #expect(try await store.size(job: "job_a", name: "video.mp4") == bytes.count)
        #expect(try await store.size(job: "job_a", name: "cover.jpg") == nil)
        #expect(try await Self.collect(store.read(job: "job_a", name: "video.mp4", range: 0...(bytes.count - 1))) == bytes)
        #expect(try await Self.collect(store.read(job: "job_a", name: "video.mp4", range: 100_000...250_000)) == Array(bytes[100_000...250_000]))
        #expect(try await Self.collect(store.read(job: "job_a", name: "video.mp4", range: 7...7)) == [bytes[7]])
        #expect(try await store.copy(from: "job_a", to: "job_b", name: "video.mp4"))
        #expect(try await !store.copy(from: "job_a", to: "job_b", name: "cover.jpg"))
        #expect(try await store.contents(job: "job_b", name: "video.mp4", maxBytes: 10) == Array(bytes[0..<10]))
        await #expect(throws: (any Error).self) { try await store.read(job: "job_c", name: "video.mp4", range: 0...1) }
    }
}
