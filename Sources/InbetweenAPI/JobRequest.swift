public import Foundation

/// What a job's `callback_url` is told of (`callback_events`), each its own signed delivery.
public enum CallbackEvent: String, Sendable, Hashable, CaseIterable {
    /// A worker started it.
    case start
    /// Its progress moved (at most one a second).
    case progress
    /// It ended (status 2, 3 or 4): the callback of the contract.
    case completed
}

/// A validated `POST /api/v1/job/create` body.
public struct JobRequest: Sendable, Hashable {
    public var model: String
    public var arguments: GenerationArguments
    /// `args` as sent, for the job record (validation already applied).
    public var rawArguments: [String: JSONValue]
    public var callbackURL: URL?
    /// The client's own string (an id, metadata), stored and echoed in every view of the job.
    public var payload: String?
    /// Off-peak: half price, run only when no normal job is queued, canceled (not charged) if
    /// not finished within 48 hours.
    public var offPeak: Bool
    /// Which events are POSTed to `callback_url`; default: `completed` only.
    public var callbackEvents: Set<CallbackEvent>

    /// The keys the body may hold.
    public static let keys = ["model", "args", "callback_url", "payload", "off_peak", "callback_events"]
    /// Longest `payload`, in UTF-8 bytes (1 MiB).
    public static let maxPayloadBytes = 1024 * 1024

    /// Applies CONTRACT.md's rules to a parsed body; the first broken rule is thrown.
    public init(validating body: JSONValue, limits: ImageLimits = .contract) throws(APIError) {
        guard case .object(let object) = body else {
            throw APIError(.badJSON, "the request body must be a JSON object with `model` and `args`; got \(body.typeName).")
        }
        if let unknown = object.keys.sorted().first(where: { !Self.keys.contains($0) }) {
            throw APIError(.unknownArgument, "unknown field `\(unknown)`; the body takes: \(Self.keys.joined(separator: ", ")).", field: unknown)
        }
        guard case .string(let model)? = object["model"] else {
            throw .invalid("model", "`model` is required: a string, \"\(modelID)\".")
        }
        guard model == modelID else {
            throw APIError(.unknownModel, "model \"\(model.prefix(100))\" is not served here; models served: \(modelID).", field: "model")
        }
        self.model = model
        guard case .object(let args)? = object["args"] else {
            throw .invalid("args", "`args` is required: an object with at least prompt, image and image_tail.")
        }
        arguments = try GenerationArguments(validating: args, limits: limits)
        rawArguments = args
        switch object["callback_url"] {
        case nil, .null?:
            callbackURL = nil
        case .string(let text)?:
            let lower = text.lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://"), text.utf8.count <= 2048, let url = URL(string: text),
                url.host?.isEmpty == false
            else {
                throw .invalid("callback_url", "`callback_url` must be an absolute http:// or https:// URL of at most 2048 bytes.")
            }
            callbackURL = url
        case let other?:
            throw .invalid("callback_url", "`callback_url` must be a string (an http(s) URL); got \(other.typeName).")
        }
        switch object["payload"] {
        case nil, .null?:
            payload = nil
        case .string(let text)?:
            guard text.utf8.count <= Self.maxPayloadBytes else {
                throw .invalid("payload", "`payload` must be at most 1 MiB (1048576 bytes of UTF-8); got \(text.utf8.count) bytes.")
            }
            payload = text
        case let other?:
            throw .invalid("payload", "`payload` must be a string of at most 1 MiB; got \(other.typeName).")
        }
        switch object["off_peak"] {
        case nil, .null?:
            offPeak = false
        case .bool(let value)?:
            offPeak = value
        case let other?:
            throw .invalid("off_peak", "`off_peak` must be true or false; got \(other.typeName).")
        }
        switch object["callback_events"] {
        case nil, .null?:
            callbackEvents = [.completed]
        case .array(let items)?:
            let names = CallbackEvent.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            var events = Set<CallbackEvent>()
            for item in items {
                guard case .string(let name) = item, let event = CallbackEvent(rawValue: name) else {
                    throw .invalid("callback_events", "each of `callback_events` must be one of \(names).")
                }
                events.insert(event)
            }
            guard callbackURL != nil else {
                throw .invalid("callback_events", "`callback_events` needs a `callback_url` to send them to.")
            }
            callbackEvents = events
        case let other?:
            throw .invalid("callback_events", "`callback_events` must be an array of \"start\", \"progress\", \"completed\"; got \(other.typeName).")
        }
    }
}
