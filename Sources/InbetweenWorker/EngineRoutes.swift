import Foundation
public import InbetweenAPI

/// Where a job's video is made: the local engine, or an upstream service that speaks the job API.
public enum EngineTarget: Sendable, Hashable, CustomStringConvertible {
    case local
    /// A configured upstream, by name.
    case upstream(String)

    public var description: String {
        switch self {
        case .local: "local"
        case .upstream(let name): "upstream:\(name)"
        }
    }
}

/// A hosted service (or another Inbetween) that takes our jobs. Its key comes from the
/// operator's configuration or environment, never from a request, and is never logged, stored
/// or put into an error.
public struct UpstreamConfiguration: Sendable {
    /// How routes and results name it (`gpu`): letters, digits, `-` and `_`.
    public var name: String
    /// The API's base URL (`https://api.shortapi.ai`); `/api/v1/job/create` is appended.
    public var baseURL: String
    public var apiKey: String
    /// The model to ask the upstream for; default: the job's own model.
    public var model: String?
    /// Longest a job may take upstream, from create to a finished download.
    public var timeout: Duration = .seconds(900)
    /// How long the upstream may stay unreachable (refused connections, 5xx, 429) while a
    /// job is there before the job is given up on it.
    public var unreachableGrace: Duration = .seconds(30)
    /// Longest one query or cancel may take; a call that hangs counts as unreachable.
    public var requestTimeout: Duration = .seconds(15)
    /// Longest the create (which carries both images) may take.
    public var createTimeout: Duration = .seconds(120)
    /// Polling backs off from the first delay to the longest.
    public var pollDelays: (first: Duration, longest: Duration) = (.milliseconds(500), .seconds(5))
    /// Largest video accepted from the upstream.
    public var maxVideoBytes = 512 * 1024 * 1024

    public init(name: String, baseURL: String, apiKey: String, model: String? = nil) {
        self.name = name
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
    }

    /// Whether `name` may name an upstream.
    public static func isValidName(_ name: String) -> Bool {
        !name.isEmpty && name.count <= 40 && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }
}

/// Which engines make a job's video, per model and mode: the first target that matches the
/// most specific rule, and the ones after it as fall backs, tried in order when one fails.
///
/// A rule is written `SELECTOR=TARGET[,TARGET...]`: the selector is `*`, a mode (`pro`), a
/// model (`vidu/vidu-q2/start-end-to-video`) or both (`MODEL:MODE`); a target is `local` or
/// `upstream:NAME`. `pro=upstream:gpu,local` sends pro jobs to the upstream named gpu and
/// makes them locally when it fails; `*=upstream:gpu` has no fall back.
public struct EngineRoutes: Sendable, Hashable {
    public struct Rule: Sendable, Hashable {
        /// nil matches every model.
        public var model: String?
        /// nil matches every mode.
        public var mode: Mode?
        public var targets: [EngineTarget]

        public init(model: String? = nil, mode: Mode? = nil, targets: [EngineTarget]) {
            self.model = model
            self.mode = mode
            self.targets = targets
        }

        var specificity: Int { (model == nil ? 0 : 2) + (mode == nil ? 0 : 1) }

        func matches(model: String, mode: Mode) -> Bool {
            (self.model == nil || self.model == model) && (self.mode == nil || self.mode == mode)
        }
    }

    public var rules: [Rule]

    /// Every job on the local engine.
    public static let local = EngineRoutes(rules: [])

    public init(rules: [Rule]) {
        self.rules = rules
    }

    /// The engines for a job, in the order to try them; `[.local]` when no rule matches.
    public func targets(model: String, mode: Mode) -> [EngineTarget] {
        rules.filter { $0.matches(model: model, mode: mode) }.max { $0.specificity < $1.specificity }?.targets ?? [.local]
    }

    /// The upstream names the rules refer to.
    public var upstreamNames: Set<String> {
        Set(rules.flatMap(\.targets).compactMap { if case .upstream(let name) = $0 { name } else { nil } })
    }

    /// Reads one rule as the command line writes it (see the type's documentation).
    public static func parseRule(_ text: String) throws(RouteError) -> Rule {
        let parts = text.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw RouteError("route \"\(text)\" must be SELECTOR=TARGET[,TARGET...], as in pro=upstream:gpu,local")
        }
        var rule = Rule(targets: [])
        let selector = parts[0]
        if selector != "*" {
            let pieces = selector.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
            switch pieces.count {
            case 1 where Mode(rawValue: selector) != nil:
                rule.mode = Mode(rawValue: selector)
            case 1:
                rule.model = selector
            case 2:
                guard let mode = Mode(rawValue: pieces[1]), !pieces[0].isEmpty else {
                    throw RouteError(
                        "route selector \"\(selector)\" must be MODEL:MODE with a mode of \(Mode.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                rule.model = pieces[0]
                rule.mode = mode
            default:
                throw RouteError("route selector \"\(selector)\" must be *, a mode, a model or MODEL:MODE")
            }
        }
        for item in parts[1].split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let target: EngineTarget
            if item == "local" {
                target = .local
            } else if item.hasPrefix("upstream:"), UpstreamConfiguration.isValidName(String(item.dropFirst("upstream:".count))) {
                target = .upstream(String(item.dropFirst("upstream:".count)))
            } else {
                throw RouteError("route target \"\(item)\" must be local or upstream:NAME (letters, digits, - and _)")
            }
            guard !rule.targets.contains(target) else { throw RouteError("route \"\(text)\" names \(target) twice") }
            rule.targets.append(target)
        }
        return rule
    }
}

/// A route or upstream that cannot be read; the message names what and why.
public struct RouteError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) {
        self.description = description
    }
}
