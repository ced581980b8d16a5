import ArgumentParser
import Foundation
import InbetweenAPI
import InbetweenClient

/// Where the API is and the key for it: `--server`/`--key`, or the environment.
struct ServerOptions: ParsableArguments {
    @Option(help: "The API's base URL (default $INBETWEEN_SERVER or http://127.0.0.1:8080).") var server: String?
    @Option(help: "The API key (default $INBETWEEN_API_KEY).") var key: String?

    func client() throws -> InbetweenClient {
        let environment = ProcessInfo.processInfo.environment
        guard let key = key ?? environment["INBETWEEN_API_KEY"], !key.isEmpty else {
            throw ValidationError("an API key is required: --key KEY or INBETWEEN_API_KEY (create one with `inbetween keys create`).")
        }
        return InbetweenClient(baseURL: server ?? environment["INBETWEEN_SERVER"] ?? "http://127.0.0.1:8080", apiKey: key)
    }

    /// Runs one call; a refusal from the server prints its message and exits 1.
    func call<T: Sendable>(_ body: (InbetweenClient) async throws -> T) async throws -> T {
        do {
            return try await body(try client())
        } catch let error as APIError {
            Terminal.fail(error.message)
            throw ExitCode.failure
        }
    }
}

/// `inbetween submit`: a job on a server, followed with a progress bar, then downloaded.
struct Submit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a job on a server, follow it, and download the video.",
        discussion: "Local image files are sent as data URIs; URLs are passed on for the server to fetch.")

    @OptionGroup var connection: ServerOptions
    @OptionGroup var arguments: GenerationOptions
    @Option(name: .customLong("callback-url"), help: "Where the server POSTs the job when it ends.") var callbackURL: String?
    @Option(name: .shortAndLong, help: "Where to write the MP4.") var output: String = "out.mp4"

    func run() async throws {
        let raw: [String: JSONValue]
        switch Result(catching: { () throws(APIError) in try Self.prepare(arguments.rawArguments()) }) {
        case .success(let value):
            raw = value
        case .failure(let error):
            Terminal.fail(error.message)
            throw ExitCode(2)
        }
        let client = try connection.client()
        let bar = ProgressBar(enabled: Terminal.isInteractive)
        do {
            let created = try await client.createJob(raw, callbackURL: callbackURL)
            FileHandle.standardError.write(Data("job \(created.jobID), $\(created.amount)\n".utf8))
            let show: @Sendable (JobView) -> Void = { view in
                let label = view.status == .queued ? "queued, position \(view.queuePosition ?? 0)" : view.status.name
                bar.update(percent: view.progress ?? 0, label: label)
            }
            let done = try await Self.follow(created.jobID, client: client, show)
            bar.finish()
            switch done.status {
            case .succeeded:
                try await client.download(done, to: URL(fileURLWithPath: output))
                let video = done.result?.videos.first
                print(
                    "\(output): \(video?.width ?? 0)x\(video?.height ?? 0), \(video?.frames ?? 0) frames at \(video?.fps ?? 0) fps (job \(done.jobID))"
                )
            case .failed:
                Terminal.fail("job \(done.jobID) failed: \(done.error?.message ?? "no reason given")")
                throw ExitCode.failure
            default:
                Terminal.fail("job \(done.jobID) was canceled")
                throw ExitCode.failure
            }
        } catch let error as APIError {
            bar.finish()
            Terminal.fail(error.message)
            throw ExitCode(error.code.httpStatus == 422 || error.code.httpStatus == 400 ? 2 : 1)
        }
    }

    /// Follows the job over the server's live stream; polling when the stream cannot be had
    /// (an older server, a proxy that buffers), from where the stream left off.
    static func follow(_ id: String, client: InbetweenClient, _ show: @escaping @Sendable (JobView) -> Void) async throws -> JobView {
        do {
            for try await view in client.events(id) {
                show(view)
                if view.status.isTerminal { return view }
            }
        } catch let error as APIError where error.code == .notFound || error.code == .unauthorized {
            throw error
        } catch {
            // The stream failed: poll instead.
        }
        return try await client.waitUntilDone(id, progress: show)
    }

    /// Applies the server's rules here first (the same messages without a round trip) and
    /// turns local files into data URIs.
    static func prepare(_ arguments: [String: JSONValue]) throws(APIError) -> [String: JSONValue] {
        var raw = arguments
        _ = try GenerationArguments(validating: raw, allowFilePaths: true)
        for field in ["image", "image_tail", "static_mask"] {
            if case .string(let text)? = raw[field], case .file(let path) = try ImageReference.parse(text, field: field, allowFiles: true) {
                raw[field] = .string(try dataURI(path, field: field))
            }
        }
        if case .array(var brushes)? = raw["dynamic_masks"] {
            for index in brushes.indices {
                let field = "dynamic_masks[\(index)].mask"
                guard case .object(var brush) = brushes[index], case .string(let text)? = brush["mask"],
                    case .file(let path) = try ImageReference.parse(text, field: field, allowFiles: true)
                else { continue }
                brush["mask"] = .string(try dataURI(path, field: field))
                brushes[index] = .object(brush)
            }
            raw["dynamic_masks"] = .array(brushes)
        }
        return raw
    }

    /// A local image as a `data:` URI of its sniffed type.
    static func dataURI(_ path: String, field: String) throws(APIError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .invalidImage(field, "`\(field)` file \(path) cannot be read.")
        }
        guard let format = ImageFormat.sniff(data) else {
            throw .invalidImage(field, ImageFormat.notAccepted(data, field: field))
        }
        return "data:\(format.mediaType);base64,\(data.base64EncodedString())"
    }
}

/// `inbetween status ID`: the job as the server reports it, as JSON.
struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a job's state (the query's data) as JSON.")
    @OptionGroup var connection: ServerOptions
    @Argument(help: "The job id.") var id: String

    func run() async throws {
        let view = try await connection.call { try await $0.job(id) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(view), as: UTF8.self))
    }
}

/// `inbetween cancel ID`.
struct Cancel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Cancel a job.")
    @OptionGroup var connection: ServerOptions
    @Argument(help: "The job id.") var id: String

    func run() async throws {
        let view = try await connection.call { try await $0.cancel(id) }
        print("\(id): status \(view.status.rawValue) (\(view.status == .running ? "stopping" : view.status.name))")
    }
}
