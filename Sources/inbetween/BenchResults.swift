import ArgumentParser
import Foundation
import InbetweenJobs
import InbetweenS3
import InbetweenWorker

extension Bench {
    /// `inbetween bench results`: what storing a finished result costs a job, per store.
    struct Results: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Time storing a finished result (a 5 MB video by default) in the local directory and in --results s3://... .",
            discussion:
                "Each run puts a fresh file of random bytes as a new job's video.mp4 (the worker's put after a render) and then removes it. Keys from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY."
        )
        @OptionGroup var results: ResultOptions
        @Option(help: "Bytes per result.") var bytes = 5_000_000
        @Option(help: "Runs per store (the first, a warm-up, is not counted).") var runs = 20
        @Option(help: "Target for the bucket's p95, in milliseconds.") var target = 100.0
        @Flag(name: .customLong("create-bucket"), help: "Create the bucket first (a throw-away one on a local server such as moto or MinIO).")
        var createBucket = false

        func run() async throws {
            guard bytes > 0, runs > 0 else { throw ValidationError("--bytes and --runs must be at least 1.") }
            let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("inbetween-bench-results-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            var generator = SystemRandomNumberGenerator()
            let file = scratch.appendingPathComponent("video.mp4")
            try Data((0..<bytes).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: file)

            let local = try ResultOptions.parse([]).makeStore(directory: scratch.appendingPathComponent("results"), urlTTL: 86_400).0
            var stores: [(String, AnyResultStore)] = [("directory (<data-dir>/results)", local)]
            if let name = results.results {
                let (store, _) = try results.makeStore(directory: scratch.appendingPathComponent("unused"), urlTTL: 86_400)
                if createBucket, let bucket = store.base as? S3ResultStore { try await bucket.client.createBucket() }
                stores.append((name, store))
            }
            print("| store | bytes | runs | p50 ms | p95 ms | max ms | target |")
            print("|---|---|---|---|---|---|---|")
            for (index, (name, store)) in stores.enumerated() {
                var times: [Double] = []
                for run in 0...runs {
                    let job = "job_bench\(UUID().uuidString.replacingOccurrences(of: "-", with: ""))"
                    let began = ContinuousClock.now
                    try await store.put(job: job, name: "video.mp4", from: file)
                    let elapsed = ContinuousClock.now - began
                    if run > 0 { times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15) }
                    try await store.remove(job: job)
                }
                times.sort()
                let p50 = times[times.count / 2]
                let p95 = times[min(times.count - 1, Int((Double(times.count - 1) * 0.95).rounded()))]
                let verdict = index == 0 ? "-" : (p95 <= target ? "PASS (p95 ≤ \(Int(target)) ms)" : "FAIL (p95 > \(Int(target)) ms)")
                let figures = [p50, p95, times.last ?? 0].map { String(format: "%.1f", $0) }.joined(separator: " | ")
                print("| \(name) | \(bytes) | \(runs) | \(figures) | \(verdict) |")
            }
        }
    }
}
