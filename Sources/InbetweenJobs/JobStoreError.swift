/// A store's refusal or failure, as a value with a code: what a create broke (the budget, an
/// idempotency key), a database that cannot be written, a configuration it cannot use. The
/// HTTP edge maps it to the envelope once; the command line prints `message`. A store never
/// names an HTTP status or a command-line flag.
public struct JobStoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong; extensible, like `APIError.Code`.
    public struct Code: Sendable, Hashable, RawRepresentable, CustomStringConvertible {
        public var rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// The create would take the key past its budget.
        public static let budgetExceeded = Code(rawValue: "budget_exceeded")
        /// The idempotency key was used before with another body.
        public static let idempotencyKeyReused = Code(rawValue: "idempotency_key_reused")
        /// The store's own records disagree (a row that must be there is not).
        public static let inconsistent = Code(rawValue: "inconsistent")
        /// The database cannot be written now (a full disk, an I/O error); nothing was changed.
        public static let unwritable = Code(rawValue: "unwritable")
        /// The store cannot be opened as configured (a database URL it cannot read).
        public static let invalidConfiguration = Code(rawValue: "invalid_configuration")
    }

    public var code: Code
    /// A sentence a user can act on.
    public var message: String

    /// A store error with `code` and `message`.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
