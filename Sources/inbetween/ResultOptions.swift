import ArgumentParser
import Foundation
import InbetweenAPI
import InbetweenJobs
import InbetweenS3
import InbetweenWorker
import Logging

/// Where `serve` and `worker` keep result files: `<data-dir>/results` (the default), or an
/// S3-compatible bucket with credentials from the environment only.
struct ResultOptions: ParsableArguments {
    @Option(
        name: .customLong("results"),
        help: ArgumentHelp(
            "Where results live: s3://BUCKET/PREFIX (or s3://BUCKET: keys at the bucket's root) for an S3-compatible bucket (default: <data-dir>/results).",
            discussion:
                "The keys come from AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and (optional) AWS_SESSION_TOKEN, never from a flag. The bucket is checked once at start: a missing bucket or refused keys stop the command; a store that cannot be reached is logged and the command starts."
        ))
    var results: String?
    @Option(name: .customLong("s3-endpoint"), help: "The bucket's endpoint, http(s)://HOST[:PORT] (default: AWS's for --s3-region).")
    var endpoint: String?
    @Option(name: .customLong("s3-region"), help: "The region requests are signed for (R2: auto).") var region = "us-east-1"
    @Option(name: .customLong("s3-addressing"), help: "path (https://endpoint/bucket/key) or virtual (https://bucket.endpoint/key).")
    var addressing = "path"
    @Flag(
        name: .customLong("results-proxy"),
        help: "Serve results through the API's signed /files/ URLs (Range and HEAD) instead of handing out presigned bucket URLs.")
    var proxy = false

    /// The store these options name, in `directory` by default, and the presigned links to hand
    /// out (nil: the API's `/files/` URLs).
    /// - Parameter logger: where a retried S3 call is logged as a warning (never with credentials).
    func makeStore(
        directory: URL, urlTTL: Int, logger: Logger? = nil, environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws -> (
        AnyResultStore, (any DirectResultLinks)?
    ) {
        guard let results else {
            guard endpoint == nil, !proxy else { throw ValidationError("--s3-endpoint and --results-proxy need --results s3://BUCKET/PREFIX.") }
            return (AnyResultStore(try DirectoryResultStore(root: directory)), nil)
        }
        guard let location = S3ResultStore.parse(results) else {
            throw ValidationError(
                "--results must be s3://BUCKET/PREFIX (or s3://BUCKET) with a bucket name of 3 to 63 lower-case letters, digits, dots and hyphens and a prefix without . or .. segments; got \"\(results.prefix(80))\"."
            )
        }
        guard let credentials = AWSCredentials(environment: environment) else {
            throw ValidationError(
                "--results \(results): set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN if any) in the environment.")
        }
        guard let style = S3Configuration.Addressing(rawValue: addressing) else {
            throw ValidationError("--s3-addressing must be path or virtual; got \"\(addressing)\".")
        }
        var url: URL?
        if let endpoint {
            guard let parsed = URL(string: endpoint), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil,
                parsed.query == nil
            else {
                throw ValidationError("--s3-endpoint must be an http:// or https:// URL like https://s3.example.com; got \"\(endpoint.prefix(80))\".")
            }
            url = parsed
        }
        guard !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" }) else {
            throw ValidationError("--s3-region must be letters, digits and hyphens, like us-east-1; got \"\(region.prefix(40))\".")
        }
        if !proxy, !(1...604_800).contains(urlTTL) {
            throw ValidationError(
                "--url-ttl must be 1 to 604800 seconds (7 days, the longest a presigned S3 URL works) with --results s3://; got \(urlTTL).")
        }
        var client = S3Client(
            configuration: S3Configuration(bucket: location.bucket, region: region, endpoint: url, addressing: style), credentials: credentials)
        if let logger {
            let place = client.endpointDescription
            client.onRetry = { error, attempt, delay in
                logger.warning(
                    "the result store did not answer; trying again",
                    metadata: [
                        "s3.endpoint": "\(place)", "s3.operation": "\(error.operation)", "s3.attempt": "\(attempt)",
                        "s3.reason": "\(error.status == 0 ? error.message : "HTTP \(error.status) \(error.code)")",
                        "s3.backoff_ms": "\(delay.components.seconds * 1000 + delay.components.attoseconds / 1_000_000_000_000_000)",
                    ])
            }
        }
        let store = S3ResultStore(client: client, prefix: location.prefix)
        return (AnyResultStore(store), proxy ? nil : store)
    }
}

extension ResultOptions {
    /// Checks a bucket once at start: a missing bucket, refused keys or a wrong region stop the
    /// command with a `ValidationError` naming --results (exit 64); a store that cannot be
    /// reached within 10 s is logged as a warning and the command starts (it may come up later).
    func checkStore(_ store: AnyResultStore, logger: Logger) async throws {
        guard let bucket = store.base as? S3ResultStore, let results else { return }
        let client = bucket.client
        do {
            // At most 10 s: a store that stalls does not hold the start for all its attempts.
            try await withDeadline(
                .seconds(10), orThrow: S3Error(operation: "HeadBucket", key: "", status: 0, code: "", message: "no answer within 10 s")
            ) { try await client.checkBucket() }
        } catch let error as S3Error where error.isTransient {
            logger.warning(
                "the result store could not be reached at start; starting anyway (jobs fail with 50301 until it answers)",
                metadata: ["results": "\(results)", "reason": "\(bucket.failure(error, forJob: false).message)"])
        } catch let error as S3Error {
            let reason =
                switch error.code {
                case "NoSuchBucket": "the bucket \"\(bucket.client.configuration.bucket)\" does not exist at \(bucket.client.endpointDescription)"
                case "AccessDenied":
                    "\(bucket.client.endpointDescription) refused access (HTTP 403): check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and the bucket's policy"
                default: "\(bucket.client.endpointDescription): \(error.message) (HTTP \(error.status)); check --s3-region and --s3-endpoint"
                }
            throw ValidationError("--results \(results): \(reason).")
        }
    }
}

/// Any result store, for the generic services (the executable picks one at run time).
struct AnyResultStore: ResultStore {
    let base: any ResultStore

    init(_ base: any ResultStore) { self.base = base }

    func put(job: String, name: String, from file: URL) async throws { try await base.put(job: job, name: name, from: file) }
    func size(job: String, name: String) async throws -> Int? { try await base.size(job: job, name: name) }
    func copy(from: String, to: String, name: String) async throws -> Bool { try await base.copy(from: from, to: to, name: name) }
    func contents(job: String, name: String, maxBytes: Int) async throws -> [UInt8]? {
        try await base.contents(job: job, name: name, maxBytes: maxBytes)
    }
    func remove(job: String) async throws { try await base.remove(job: job) }
    func read(job: String, name: String, range: ClosedRange<Int>) async throws -> AsyncThrowingStream<[UInt8], any Error> {
        try await base.read(job: job, name: name, range: range)
    }
}
