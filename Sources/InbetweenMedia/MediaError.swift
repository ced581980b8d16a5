/// A failure of the media layer that is not the client's input: ffmpeg missing, crashing or
/// too slow, a fetch that failed, a file that could not be written.
public struct MediaError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case toolMissing = "tool_missing"
        case timedOut = "timed_out"
        case encodeFailed = "encode_failed"
        case decodeFailed = "decode_failed"
        case fetchFailed = "fetch_failed"
        case ioFailed = "io_failed"
    }

    public var code: Code
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
