/// An error a client can act on: a numeric code for the envelope, the HTTP status it travels
/// with, and a sentence that names the field and the rule.
public struct APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A stable numeric error code. The HTTP status is the code divided by 100, so codes
    /// extend without a table: 42201 is the first 422 error, 42202 the second.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public var rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }

        /// The HTTP status this code is sent with.
        public var httpStatus: Int { rawValue / 100 }
        public var description: String { String(rawValue) }

        /// The request body is not valid JSON.
        public static let badJSON = Code(rawValue: 400_01)
        /// Missing or unknown API key.
        public static let unauthorized = Code(rawValue: 401_01)
        /// The key's spending budget would be exceeded.
        public static let budgetExceeded = Code(rawValue: 402_01)
        /// A result URL whose signature is wrong or expired.
        public static let forbidden = Code(rawValue: 403_01)
        /// No such job (or not this key's).
        public static let notFound = Code(rawValue: 404_01)
        /// The model named is not served here.
        public static let unknownModel = Code(rawValue: 404_02)
        /// The request conflicts with the state of a resource.
        public static let conflict = Code(rawValue: 409_01)
        /// The request body is larger than allowed.
        public static let payloadTooLarge = Code(rawValue: 413_01)
        /// The request's content type is not JSON.
        public static let unsupportedMediaType = Code(rawValue: 415_01)
        /// A `Range` outside the file.
        public static let rangeNotSatisfiable = Code(rawValue: 416_01)
        /// An argument breaks its rule.
        public static let invalidArgument = Code(rawValue: 422_01)
        /// An argument the model does not take.
        public static let unknownArgument = Code(rawValue: 422_02)
        /// An input image was refused (format, size, pixel count, aspect ratio, unreadable).
        public static let invalidImage = Code(rawValue: 422_03)
        /// A job's deadline passed before it finished: `Cancel-After` on create (a job's `error`,
        /// never an HTTP answer).
        public static let deadlinePassed = Code(rawValue: 408_01)
        /// An off-peak job was not finished within its 48 hours (a job's `error`).
        public static let offPeakExpired = Code(rawValue: 408_02)
        /// Too many requests for this key.
        public static let rateLimited = Code(rawValue: 429_01)
        /// Something failed on our side.
        public static let internalError = Code(rawValue: 500_01)
        /// A dependency (database, encoder) is unavailable for now.
        public static let unavailable = Code(rawValue: 503_01)
    }

    public var code: Code
    /// A sentence a user can act on, naming the field and the rule.
    public var message: String
    /// The argument the error is about, when there is one.
    public var field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    public var description: String { message }

    /// An argument that breaks its rule.
    public static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.invalidArgument, message, field: field)
    }

    /// An image that cannot be used, naming which one (`image` or `image_tail`).
    public static func invalidImage(_ field: String, _ message: String) -> APIError {
        APIError(.invalidImage, message, field: field)
    }
}
