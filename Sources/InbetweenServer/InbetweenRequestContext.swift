public import Hummingbird
public import InbetweenJobs
import Logging
import NIOCore

/// The request context: Hummingbird's core storage and the API key the request is
/// authenticated as (set by `APIKeyAuthenticator`).
public struct InbetweenRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var key: APIKeyRecord?

    public init(source: Source) {
        coreContext = .init(source: source)
        key = nil
    }

    /// Bodies are collected by the handlers with the configured limit.
    public var maxUploadSize: Int { 64 * 1024 * 1024 }
}
